"""Hostile WebSocket servers, every transport: a handshake answered with a redirect is an
error with nothing sent anywhere else, and frames RFC 6455 forbids a server to send (a masked
frame, a close code no endpoint may put on the wire) end the session with the same typed
error and the same close frame from the client."""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import struct
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from meshapi import APIStatusError, StreamInterruptedError
from meshapi_core.websocket import handshake_refused

from ._server import Conn, RawServer, Seen, response
from .conftest import TOKEN, Api, run

MODEL = "openai/gpt-realtime"
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455's, for Sec-WebSocket-Accept

# How each session is opened: the three endpoints, each with a token in its handshake.
OPENERS: Dict[str, Callable[[Any], Any]] = {
    "connect": lambda c: c.realtime.connect(model=MODEL),
    "speech": lambda c: c.realtime.speech("voice-1", output_format="pcm_24000"),
    "transcription": lambda c: c.realtime.transcription(audio_format="pcm_16000"),
}


async def maybe(result: Any) -> Any:
    """``result``, awaited when it came from the async client."""
    return await result if inspect.isawaitable(result) else result


def accepted(seen: Seen) -> bytes:
    """The ``101`` answer to the upgrade request ``seen`` (``openai-realtime`` chosen when
    offered)."""
    key = seen.header("sec-websocket-key") or ""
    accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
    lines = [
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {accept}",
        "x-request-id: req_ws_hostile",
    ]
    offered = [p.strip() for p in (seen.header("sec-websocket-protocol") or "").split(",")]
    if "openai-realtime" in offered:
        lines.append("Sec-WebSocket-Protocol: openai-realtime")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def frame(opcode: int, payload: bytes, mask: Optional[bytes] = None) -> bytes:
    """One final frame of a short payload, masked with ``mask`` if given."""
    assert len(payload) < 126
    if mask is None:
        return bytes([0x80 | opcode, len(payload)]) + payload
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


def read_exactly(conn: Conn, size: int) -> Optional[bytes]:
    """``size`` bytes from the client (after what the request head left over), or ``None``
    once it hangs up."""
    while len(conn._buffer) < size:
        if not conn._recv():
            return None
    data, conn._buffer = conn._buffer[:size], conn._buffer[size:]
    return data


def client_frame(conn: Conn) -> Optional[Tuple[int, bytes]]:
    """The client's next frame (opcode, unmasked payload), or ``None`` once it hangs up."""
    head = read_exactly(conn, 2)
    if head is None:
        return None
    length = head[1] & 0x7F
    if length >= 126:
        extended = read_exactly(conn, 2 if length == 126 else 8) or b""
        length = int.from_bytes(extended, "big")
    key = read_exactly(conn, 4) if head[1] & 0x80 else b"\0\0\0\0"
    payload = read_exactly(conn, length)
    if key is None or payload is None:
        return None
    return head[0] & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def client_frames(conn: Conn) -> List[Tuple[int, bytes]]:
    """The client's frames up to its close frame or hang-up."""
    frames: List[Tuple[int, bytes]] = []
    while True:
        got = client_frame(conn)
        if got is None:
            return frames
        frames.append(got)
        if got[0] == 0x8:
            return frames


# -- a handshake answered with a redirect ---------------------------------------------------

REDIRECTS = [301, 302, 303, 307, 308]


@pytest.mark.parametrize("status", REDIRECTS)
@pytest.mark.parametrize("which", sorted(OPENERS))
def test_a_redirected_handshake_is_an_error_and_goes_nowhere_else(
    kind: str, which: str, status: int
) -> None:
    def elsewhere(seen: Seen, conn: Conn) -> bool:
        conn.send(response(404))
        return False

    with RawServer(elsewhere) as other:

        def redirect(seen: Seen, conn: Conn) -> bool:
            conn.send(response(status, b"moved", {"Location": other.url + seen.target}))
            return False

        with RawServer(redirect) as server:

            async def scenario(api: Api) -> Any:
                with pytest.raises(APIStatusError) as caught:
                    await api.call(OPENERS[which])
                return caught.value

            error = run(kind, server.url, scenario)
            offered = server.seen[0].header("sec-websocket-protocol") or ""
        other_conns = list(other.conns)

    assert f"Bearer {TOKEN}" in offered  # the token went to the server that was asked...
    assert other_conns == []  # ...and to nobody else: not even a connection
    assert len(server.seen) == 1
    expected = handshake_refused(status, {"location": other.url}, b"moved")  # names its origin
    assert expected.error_code == "redirect"
    assert type(error) is type(expected)
    assert (error.status, error.error_code, error.message) == (
        status,
        expected.error_code,
        expected.message,
    )
    assert TOKEN not in str(error) + repr(error)
    assert error.__cause__ is None and error.__context__ is None


# -- frames a server may not send -----------------------------------------------------------

EVENT = json.dumps({"type": "session.created", "session": {"model": MODEL}}).encode()
FORBIDDEN = {
    "masked frame": frame(0x1, EVENT, mask=b"\x01\x02\x03\x04"),
    "close code 1006": frame(0x8, struct.pack("!H", 1006)),
    "close code 5000": frame(0x8, struct.pack("!H", 5000) + b"bye"),
    "close code 1015": frame(0x8, struct.pack("!H", 1015)),
}


@pytest.mark.parametrize("bad", sorted(FORBIDDEN))
@pytest.mark.parametrize("when", ["with the 101", "later"])
def test_a_frame_a_server_may_not_send_breaks_the_session(kind: str, bad: str, when: str) -> None:
    answered = threading.Event()
    replies: List[Tuple[int, bytes]] = []

    def hostile(seen: Seen, conn: Conn) -> bool:
        if when == "later":  # once the client has sent an event: after the handshake
            conn.send(accepted(seen))
            replies.append(client_frame(conn) or (0, b""))
            conn.send(FORBIDDEN[bad])
        else:  # in the same write as the 101
            conn.send(accepted(seen) + FORBIDDEN[bad])
        replies.extend(client_frames(conn))
        answered.set()
        return False

    with RawServer(hostile) as server:

        async def scenario(api: Api) -> Any:
            session = await api.call(OPENERS["connect"])
            if when == "later":
                await maybe(session.update_session({"instructions": "x"}))
            with pytest.raises(StreamInterruptedError) as caught:
                await maybe(session.receive())
            return caught.value, session.closed

        error, closed = run(kind, server.url, scenario)
        assert answered.wait(10)

    assert type(error) is StreamInterruptedError and closed
    assert error.error_code == "stream_interrupted"
    assert "invalid WebSocket frame" in error.message
    assert error.request_id == "req_ws_hostile"
    assert error.__cause__ is None
    # the client said why, as RFC 6455 asks: a close frame with 1002 (protocol error)
    closes = [payload for opcode, payload in replies if opcode == 0x8]
    assert [struct.unpack("!H", payload[:2])[0] for payload in closes] == [1002]
