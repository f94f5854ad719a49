"""The emulator's WebSocket endpoints, seen from a raw client: refusals, frames the SDK never
sends, session accounting, and the Sans-IO sessions themselves."""

from __future__ import annotations

import base64
import json
import random
import ssl
from typing import Any, List

import httpx
import pytest
from wsproto.events import Message

from meshapi import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    MeshAPI,
    NotFoundError,
    Timeout,
)
from meshapi.testing import Gateway, faults, realtime
from meshapi.testing._gateway.clock import FakeClock
from meshapi.testing._gateway.ids import IdFactory
from meshapi.testing._gateway.sessions import (
    RealtimeSim,
    SpeechStreamSim,
    TranscriptionSim,
    audio_for,
    transcript_of,
)
from meshapi.testing._gateway.wsplan import (
    AwaitInput,
    ClientClosed,
    ClientText,
    CloseSession,
    LimitReached,
)
from meshapi.testing.pytest_plugin import GatewayFixture
from meshapi_core.websocket import CloseMessage, TextMessage, WebSocketRequest
from meshapi_wsproto import WsprotoWebSocket, connect_websocket


def ws_url(gw: GatewayFixture, path: str) -> str:
    return gw.base_url.replace("http://", "ws://") + path


def raw(
    gw: GatewayFixture, path: str = "/v1/realtime?model=openai/gpt-realtime", *offered: str
) -> WsprotoWebSocket:
    protocols = offered or ("openai-realtime", f"Bearer {gw.token}")
    request = WebSocketRequest(ws_url(gw, path), protocols, timeout=Timeout(5.0))
    return connect_websocket(request, ssl.create_default_context)


def event(conn: WsprotoWebSocket) -> Any:
    message = conn.receive(5.0)
    assert isinstance(message, TextMessage), message
    return json.loads(message.data)


def test_a_plain_http_request_is_told_to_upgrade(meshapi_gateway: GatewayFixture) -> None:
    response = httpx.get(
        meshapi_gateway.url("/v1/realtime?model=openai/gpt-realtime"),
        headers={"Authorization": f"Bearer {meshapi_gateway.token}"},
    )
    assert response.status_code == 426
    assert response.headers["upgrade"] == "websocket"
    assert response.json()["error"]["code"] == "upgrade_required"


def test_a_key_in_the_url_is_accepted_as_the_gateway_accepts_it(
    meshapi_gateway: GatewayFixture,
) -> None:
    token = meshapi_gateway.token
    conn = raw(meshapi_gateway, f"/v1/realtime?model=openai/gpt-realtime&api_key={token}",
               "openai-realtime")  # fmt: skip
    assert conn.subprotocol == "openai-realtime"
    assert event(conn)["type"] == "session.created"
    conn.close()
    assert meshapi_gateway.gateway.last_request.status == 101
    # the transcription socket takes ?token= too; the others only ?api_key=
    conn = raw(meshapi_gateway, f"/v1/audio/transcriptions/realtime?token={token}", "x")
    assert event(conn)["message_type"] == "session_started"
    conn.close()
    with pytest.raises(AuthenticationError):
        raw(meshapi_gateway, f"/v1/realtime?model=openai/gpt-realtime&token={token}", "x")
    # the subprotocol's credential wins over the URL's
    conn = raw(meshapi_gateway, "/v1/realtime?model=openai/gpt-realtime&api_key=rsk_WRONG",
               "openai-realtime", f"Bearer {token}")  # fmt: skip
    assert event(conn)["type"] == "session.created"
    conn.close()
    with pytest.raises(AuthenticationError):
        raw(meshapi_gateway, "/v1/realtime?model=openai/gpt-realtime&api_key=rsk_WRONG",
            "openai-realtime")  # fmt: skip


def test_both_bearer_forms_authenticate_and_a_bad_token_does_not(
    meshapi_gateway: GatewayFixture,
) -> None:
    conn = raw(meshapi_gateway, "/v1/realtime?model=openai/gpt-realtime",
               "openai-realtime", f"Bearer.{meshapi_gateway.token}")  # fmt: skip
    assert conn.subprotocol == "openai-realtime"
    assert event(conn)["type"] == "session.created"
    conn.close()
    with pytest.raises(AuthenticationError) as caught:
        raw(meshapi_gateway, "/v1/realtime?model=x-realtime", "openai-realtime", "Bearer rsk_NO")
    assert caught.value.status == 401 and caught.value.error_code == "unauthorized"


@pytest.mark.parametrize(
    ("path", "error", "code"),
    [
        ("/v1/realtime", BadRequestError, "bad_request"),
        ("/v1/realtime?model=acme/chat-only", NotFoundError, "model_not_found"),
        ("/v1/audio/transcriptions/realtime?audio_format=mp3_44100", BadRequestError, "invalid_request"),
    ],
)  # fmt: skip
def test_handshakes_are_refused_with_the_gateway_s_codes(
    meshapi_gateway: GatewayFixture, path: str, error: type, code: str
) -> None:
    with pytest.raises(error) as caught:
        raw(meshapi_gateway, path, f"Bearer {meshapi_gateway.token}")
    assert caught.value.error_code == code


def test_frames_the_sdk_never_sends_are_error_events(meshapi_gateway: GatewayFixture) -> None:
    conn = raw(meshapi_gateway)
    event(conn)
    with conn._sending:  # a binary frame, which the gateway does not support
        conn._write(conn._client._ws.send(Message(data=b"\x00\x01")))
    assert event(conn)["error"]["code"] == "unsupported_frame"
    conn.send_text("{not json")
    assert event(conn)["error"]["code"] == "invalid_json"
    conn.send_text(json.dumps({"type": "session.update", "session": {"voice": "alloy"}}))
    beta = event(conn)
    assert (beta["error"]["code"], beta["error"]["param"]) == ("unknown_parameter", "session.voice")
    conn.send_text(json.dumps({"type": "input_audio_buffer.append", "audio": "***"}))
    assert event(conn)["error"]["code"] == "invalid_value"
    conn.send_text(json.dumps({"type": "response.cancel"}))
    assert event(conn)["error"]["code"] == "response_cancel_not_active"
    conn.send_text(json.dumps({"type": "session.update", "session": {"instructions": "ok"}}))
    assert event(conn)["type"] == "session.updated"
    conn.close()


def test_a_session_dropped_without_a_close_frame_is_released(
    meshapi_gateway: GatewayFixture,
) -> None:
    gateway = meshapi_gateway.gateway
    conns = [raw(meshapi_gateway) for _ in range(2)]
    for conn in conns:
        event(conn)
    assert realtime.active_sessions(gateway) == 2
    conns[0]._sock.close()  # gone, no close frame
    assert realtime.wait_for_active_sessions(gateway, 1)
    conns[1].close()
    assert realtime.wait_for_active_sessions(gateway, 0)
    assert realtime.active_sessions(gateway, owner="nobody") == 0


def test_a_drop_before_the_handshake_is_a_connection_error(meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Drop(), route="/v1/realtime")
    client = MeshAPI(base_url=meshapi_gateway.base_url, token=meshapi_gateway.token)
    with client, pytest.raises(APIConnectionError):
        client.realtime.connect(model="openai/gpt-realtime")
    assert realtime.wait_for_active_sessions(meshapi_gateway.gateway, 0)


def test_the_error_frame_fault_closes_with_its_code(meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(
        faults.ErrorFrame(after_events=0, code="insufficient_quota", close_code=4402,
                          request_id=False),
        route="/v1/realtime",
    )  # fmt: skip
    conn = raw(meshapi_gateway)
    frame = event(conn)
    assert frame == {
        "type": "error",
        "error": {"code": "insufficient_quota", "message": "Provider failed."},
    }
    assert conn.receive(5.0) == CloseMessage(4402, "Provider failed.")
    conn.close()


def test_settings_are_per_gateway_and_reset_with_it() -> None:
    gateway = Gateway()
    assert realtime.configure(gateway, idle_timeout=1.0).idle_timeout == 1.0
    assert realtime.settings(gateway).max_duration == 1800.0
    gateway.reset()
    assert realtime.settings(gateway).idle_timeout == 60.0


# -- the Sans-IO sessions ------------------------------------------------------------------------


def ids() -> IdFactory:
    return IdFactory(FakeClock(), random.Random(7))


def test_the_realtime_session_is_deterministic() -> None:
    def run() -> List[Any]:
        sim = RealtimeSim(ids(), "req_1", "openai/gpt-realtime")
        inputs = [
            ClientText(json.dumps({"type": "input_audio_buffer.append",
                                   "audio": base64.b64encode(audio_for("hi")).decode()})),
            ClientText(json.dumps({"type": "input_audio_buffer.commit"})),
            ClientText(json.dumps({"type": "response.create"})),
        ]  # fmt: skip
        steps = sim.steps()
        frames: List[Any] = []
        for step in steps:
            if isinstance(step, AwaitInput):
                if not inputs:
                    break
                sim.inbox.append(inputs.pop(0))
            else:
                frames.append(json.loads(step.data))
        return frames

    first, second = run(), run()
    assert first == second
    assert first[0]["type"] == "session.created"
    assert [f["transcript"] for f in first if f["type"].endswith("completed")] == ["hi"]
    assert first[-1]["response"]["status"] == "completed"


def test_limits_end_a_session_with_an_error_and_1008() -> None:
    sim = RealtimeSim(ids(), "req_1", "m")
    steps = sim.steps()
    next(steps)  # session.created
    assert isinstance(next(steps), AwaitInput)
    sim.inbox.append(LimitReached("idle_timeout"))
    error = json.loads(next(steps).data)
    assert (error["error"]["code"], error["request_id"]) == ("idle_timeout", "req_1")
    assert "type" not in error["error"]  # the gateway's own error: no OpenAI error type
    assert next(steps) == CloseSession(
        1008, "No client frames for too long; the session is closed."
    )


def test_a_client_close_ends_the_session_quietly() -> None:
    sim = SpeechStreamSim(ids(), "req_1", "v", "hexgrad/kokoro-82m")
    steps = sim.steps()
    assert isinstance(next(steps), AwaitInput)
    sim.inbox.append(ClientClosed(1000))
    assert list(steps) == []


def test_speech_to_text_drops_frames_it_does_not_know() -> None:
    sim = TranscriptionSim(ids(), "req_1", "m", "ulaw_8000")
    steps = sim.steps()
    assert json.loads(next(steps).data)["message_type"] == "session_started"
    assert isinstance(next(steps), AwaitInput)
    sim.inbox.append(ClientText(json.dumps({"type": "session.update"})))
    assert isinstance(next(steps), AwaitInput)  # dropped: nothing sent
    sim.inbox.append(ClientText(json.dumps({"message_type": "input_audio_chunk",
                                            "audio_base_64": base64.b64encode(bytes(80)).decode(),
                                            "commit": True})))  # fmt: skip
    partial, committed = json.loads(next(steps).data), json.loads(next(steps).data)
    assert partial["text"] == committed["text"] == "[10 ms of audio]"


def test_emulated_audio_round_trips_through_its_transcript() -> None:
    assert transcript_of(audio_for("héllo")) == "héllo"
    assert transcript_of(b"\xff\xfe\x00") == "[0 ms of audio]"
    assert transcript_of(bytes(48_000)) == "[1000 ms of audio]"


def test_a_transport_without_websockets_says_so() -> None:
    from meshapi import InvalidArgumentError
    from meshapi.testing import InProcessTransport

    gateway = Gateway()
    client = MeshAPI(base_url="http://127.0.0.1:1", token=gateway.token,
                     transport=InProcessTransport(gateway))  # fmt: skip
    with pytest.raises(InvalidArgumentError) as caught:
        client.realtime.connect(model="openai/gpt-realtime")
    assert caught.value.param == "transport"
