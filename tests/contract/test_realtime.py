"""The three WebSocket sessions behave the same on every transport: conversation, speech,
transcription, refusals, error events, close codes, limits and the faults of a session."""

from __future__ import annotations

import contextlib
import inspect
import socket
import threading
import time
from typing import Any, List

import anyio
import pytest

from meshapi import (
    APIConnectionError,
    AuthenticationError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RealtimeBadRequestError,
    RealtimeError,
    RealtimeMessage,
    RealtimeRateLimitError,
    RealtimeServerError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    SessionClosedError,
    StreamInterruptedError,
    StreamTimeoutError,
    Timeout,
)
from meshapi.testing import faults, realtime
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import Api, Runner, backend_of, in_thread, make_client

MODEL = "openai/gpt-realtime"
PATH = "/v1/realtime"


class Session:
    """A session of any kind behind async methods (blocking calls simply block)."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.session, name)
        if not callable(attr):
            return attr

        async def method(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            return await result if inspect.isawaitable(result) else result

        return method

    async def until(self, kind: str) -> List[RealtimeMessage]:
        """Receive messages up to and including the first of type ``kind``."""
        got: List[RealtimeMessage] = []
        while True:
            message = await self.receive()
            got.append(message)
            if message.type == kind:
                return got

    async def drain(self) -> List[RealtimeMessage]:
        """Iterate to the end of the session."""
        if inspect.iscoroutinefunction(self.session.receive):
            return [m async for m in self.session]
        return list(self.session)


async def open_session(api: Api, which: str = "connect", *args: Any, **kwargs: Any) -> Session:
    factory = getattr(api.client.realtime, which)
    if which == "connect":
        kwargs.setdefault("model", MODEL)
    opened = factory(*args, **kwargs)
    if not api.is_sync:
        opened = await opened
    return Session(opened)


def last(gw: GatewayFixture, path: str = PATH) -> Any:
    return [r for r in gw.gateway.requests if r.path == path][-1]


# -- the happy paths -----------------------------------------------------------------------------


def test_a_realtime_conversation(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        s = await open_session(api)
        created = await s.receive()
        await s.update_session({"output_modalities": ["audio"], "instructions": "Be brief."})
        updated = await s.receive()
        await s.send_audio("hello there".encode("utf-16-le"))
        await s.commit_audio()
        heard = await s.until("conversation.item.input_audio_transcription.completed")
        await s.create_response()
        reply = await s.until("response.done")
        in_progress = s.response_in_progress
        request_id = s.request_id
        await s.close()
        return created, updated, heard, reply, in_progress, request_id, s.closed

    created, updated, heard, reply, in_progress, request_id, closed = run(scenario)
    assert created.type == "session.created" and created.parsed.session.model == MODEL
    assert updated.type == "session.updated"
    assert updated.event["session"]["instructions"] == "Be brief."
    assert heard[-1].transcript == "hello there"
    assert "".join(m.delta for m in reply if m.delta) == "You said: hello there"
    audio = b"".join(m.audio for m in reply if m.audio)
    assert audio.decode("utf-16-le") == "You said: hello there"
    assert reply[-1].parsed.response.usage["output_tokens"] == 4
    assert not in_progress and closed
    request = last(meshapi_gateway)
    assert request.status == 101 and request.request_id == request_id
    assert meshapi_gateway.token not in request.path
    assert all(meshapi_gateway.token not in v for vs in request.query.values() for v in vs)
    assert "api_key" not in request.query and request.query["model"] == [MODEL]
    offered = [p.strip() for p in request.headers["sec-websocket-protocol"].split(",")]
    assert offered == ["openai-realtime", f"Bearer {meshapi_gateway.token}"]
    assert request.headers["x-meshapi-sdk"].startswith("python/")
    assert realtime.wait_for_active_sessions(meshapi_gateway.gateway, 0)


def test_text_replies_and_scripts(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_reply("Scripted words here")

    async def scenario(api: Api) -> Any:
        s = await open_session(api)
        await s.receive()
        await s.send({"type": "response.create", "response": {"output_modalities": ["text"]}})
        messages = await s.until("response.done")
        await s.close()
        return messages

    messages = run(scenario)
    assert {m.type for m in messages if m.delta} == {"response.output_text.delta"}
    assert "".join(m.delta for m in messages if m.delta) == "Scripted words here"
    assert not any(m.audio for m in messages)


def test_a_speech_stream(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        s = await open_session(api, "speech", "voice-1", output_format="pcm_24000")
        await s.send_text("one two ")
        await s.send_text("three")
        await s.commit()
        messages = await s.until("conversation.item.audio_output.done")
        await s.close()
        return messages

    messages = run(scenario)
    words = [m.audio.decode("utf-16-le") for m in messages if m.audio]
    assert words == ["one", "two", "three"]
    request = last(meshapi_gateway, "/v1/audio/speech/stream/voice-1")
    assert request.query == {"output_format": ["pcm_24000"]}
    assert request.headers["sec-websocket-protocol"] == f"Bearer {meshapi_gateway.token}"


def test_an_elevenlabs_speech_stream_ends_with_a_clean_close(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        s = await open_session(api, "speech", "v", model="elevenlabs/eleven_flash_v2_5")
        await s.send_text("Hello world")
        await s.commit()
        messages = await s.drain()
        return messages, s.close_code, s.closed

    messages, code, closed = run(scenario)
    assert [m.type for m in messages] == ["AudioOutput", "FinalOutput"]
    assert messages[0].audio.decode("utf-16-le") == "Hello world"
    assert messages[0].parsed.normalized_alignment["chars"][0] == "H"
    assert (code, closed) == (1000, True)


def test_a_transcription_session(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        s = await open_session(api, "transcription", audio_format="pcm_16000")
        started = await s.receive()
        await s.send_audio("Hi ".encode("utf-16-le"))
        partial = await s.receive()
        await s.send_audio("there".encode("utf-16-le"), commit=True)
        rest = await s.until("committed_transcript")
        await s.close()
        return started, partial, rest

    started, partial, rest = run(scenario)
    assert started.type == "session_started"
    assert (partial.type, partial.transcript) == ("partial_transcript", "Hi ")
    assert rest[-1].transcript == "Hi there"
    request = last(meshapi_gateway, "/v1/audio/transcriptions/realtime")
    assert request.query == {"audio_format": ["pcm_16000"]}


def test_async_connect_is_awaitable_and_an_async_context_manager(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        if api.is_sync:
            with api.client.realtime.connect(model=MODEL) as s:
                first = s.receive()
            return first, s.closed
        async with api.client.realtime.connect(model=MODEL) as s:
            first = await s.receive()
        return first, s.closed

    first, closed = run(scenario)
    assert first.type == "session.created" and closed
    assert realtime.wait_for_active_sessions(meshapi_gateway.gateway, 0)


# -- refusals ------------------------------------------------------------------------------------

REFUSALS = [
    (faults.Status(403, code="feature_not_enabled"), PermissionDeniedError, 403, "feature_not_enabled"),
    (faults.Status(429, retry_after=2), RateLimitError, 429, "rate_limit_exceeded"),
    (faults.Status(503), ServerError, 503, "provider_not_available"),
]  # fmt: skip


@pytest.mark.parametrize(("fault", "family", "status", "code"), REFUSALS)
def test_refused_handshakes_are_typed_errors(
    run: Runner,
    meshapi_gateway: GatewayFixture,
    fault: faults.Fault,
    family: type,
    status: int,
    code: str,
) -> None:
    meshapi_gateway.gateway.inject(fault, route=PATH)

    async def scenario(api: Api) -> Any:
        with pytest.raises(family) as caught:
            await open_session(api)
        return caught.value

    error = run(scenario)
    assert error.status == status
    assert error.request_id == last(meshapi_gateway).request_id
    assert error.error_code == code  # from the refusal's body, on every transport
    if status == 429:
        assert error.retry_after_seconds == 2.0
    assert meshapi_gateway.token not in str(error) + repr(error)
    assert error.__cause__ is None and error.__context__ is None


def test_a_bad_token_and_an_unknown_model_are_refused(run: Runner, kind: str) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(NotFoundError) as missing:
            await open_session(api, model="acme/not-a-voice-model")
        return missing.value

    assert run(scenario).status == 404

    async def bad_token(api: Api) -> Any:
        with pytest.raises(AuthenticationError) as caught:
            await open_session(api)
        return caught.value

    assert run(bad_token, token="rsk_NOTAKEY0000000000000").error_code == "unauthorized"


def test_a_connection_refused_is_a_connection_error(kind: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def main() -> None:
        api = Api(kind, make_client(kind, f"http://127.0.0.1:{port}", "rsk_NOBODYHOME000"))
        try:
            with pytest.raises(APIConnectionError):
                await open_session(api)
        finally:
            await api.aclose()

    anyio.run(main, backend=backend_of(kind))


def test_arguments_are_checked_before_connecting(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(InvalidArgumentError):
            await open_session(api, extra_query={"api_key": "leak"})
        with pytest.raises(InvalidArgumentError):
            await open_session(api, "transcription", audio_format="mp3")
        s = await open_session(api)
        with pytest.raises(InvalidArgumentError, match="beta"):
            await s.update_session({"modalities": ["text"]})
        await s.receive()
        await s.update_session({"instructions": "GA"})
        updated = await s.receive()  # the refused update was never sent
        await s.close()
        return updated

    assert run(scenario).event["session"]["instructions"] == "GA"
    assert len(meshapi_gateway.gateway.requests) == 1


# -- error events and close codes ------------------------------------------------------------------


def test_a_bad_event_is_an_error_event_and_the_session_goes_on(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        s = await open_session(api)
        await s.receive()
        await s.send({"type": "no.such.event"})
        with pytest.raises(RealtimeBadRequestError) as caught:
            await s.receive()
        await s.commit_audio()  # an empty buffer: OpenAI's own error code
        with pytest.raises(RealtimeError) as empty:
            await s.receive()
        await s.update_session({"instructions": "still here"})
        after = await s.receive()
        await s.close()
        return caught.value, empty.value, after, s.request_id

    error, empty, after, request_id = run(scenario)
    assert (error.code, error.param, error.request_id) == ("invalid_event", "type", request_id)
    assert empty.code == "input_audio_buffer_commit_empty"
    assert after.type == "session.updated"


def test_an_error_event_before_the_close_raises_then_the_session_ends(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.inject(
        faults.ErrorFrame(after_events=1, code="provider_error", message="Upstream fell over."),
        route=PATH,
    )

    async def scenario(api: Api) -> Any:
        s = await open_session(api)
        await s.receive()
        await s.update_session({"instructions": "x"})
        with pytest.raises(RealtimeServerError) as caught:
            await s.receive()
        with pytest.raises(SessionClosedError) as closed:
            await s.receive()
        rest = await s.drain()
        with pytest.raises(SessionClosedError):
            await s.send({"type": "response.create"})
        return caught.value, closed.value, rest

    error, closed, rest = run(scenario)
    assert (error.code, error.reconnect, error.message) == (
        "provider_error",
        True,
        "Upstream fell over.",
    )
    assert error.request_id == last(meshapi_gateway).request_id
    assert closed.close_code == 1011 and rest == []


def test_the_concurrency_cap_is_a_rate_limit_closed_with_4402(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    realtime.configure(meshapi_gateway.gateway, max_concurrent_per_owner=1)

    async def scenario(api: Api) -> Any:
        first = await open_session(api)
        second = await open_session(api)
        with pytest.raises(RealtimeRateLimitError) as caught:
            await second.receive()
        with pytest.raises(SessionClosedError) as closed:
            await second.receive()
        created = await first.receive()
        await first.close()
        return caught.value, closed.value, created

    error, closed, created = run(scenario)
    assert isinstance(error, RateLimitError) and error.code == "concurrent_sessions_exceeded"
    assert closed.close_code == 4402 and created.type == "session.created"


def test_the_idle_limit_ends_a_quiet_session(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    realtime.configure(meshapi_gateway.gateway, idle_timeout=0.2)

    async def scenario(api: Api) -> Any:
        s = await open_session(api)
        await s.receive()
        with pytest.raises(RealtimeError) as caught:
            await s.receive()
        with pytest.raises(SessionClosedError) as closed:
            await s.receive()
        return caught.value, closed.value

    error, closed = run(scenario)
    assert (error.code, error.reconnect) == ("idle_timeout", True)
    assert closed.close_code == 1008


def test_the_session_cap_ends_a_busy_session(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    realtime.configure(meshapi_gateway.gateway, max_duration=0.3)

    async def scenario(api: Api) -> Any:
        s = await open_session(api)
        got: List[str] = []
        with pytest.raises(RealtimeError) as caught:
            while True:
                got.append((await s.receive()).type)
                # the gateway may have closed already: the send fails, receive says why
                with contextlib.suppress(StreamInterruptedError):
                    await s.update_session({"instructions": "busy"})
        return caught.value, got

    error, got = run(scenario)
    assert error.code == "session_duration_exceeded"
    assert got[0] == "session.created" and "session.updated" in got


# -- the faults of a session ---------------------------------------------------------------------


@pytest.mark.parametrize("fault", [faults.Drop(after_events=1), faults.Reset(after_events=1)])
def test_a_connection_lost_mid_session_is_interrupted(
    run: Runner, meshapi_gateway: GatewayFixture, fault: faults.Fault
) -> None:
    meshapi_gateway.gateway.inject(fault, route=PATH)

    async def scenario(api: Api) -> Any:
        s = await open_session(api)
        await s.receive()
        await s.update_session({"instructions": "x"})
        with pytest.raises(StreamInterruptedError) as caught:
            await s.receive()
        return caught.value, s.closed

    error, closed = run(scenario)
    assert error.request_id == last(meshapi_gateway).request_id and closed
    assert not isinstance(error, StreamTimeoutError)
    assert error.__cause__ is None


def test_a_stalled_session_times_out(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Stall(after_events=1), route=PATH)

    async def scenario(api: Api) -> Any:
        s = await open_session(api, timeout=Timeout(read=0.3))
        await s.receive()
        await s.update_session({"instructions": "x"})
        started = time.monotonic()
        with pytest.raises(StreamTimeoutError) as caught:
            await s.receive()
        return caught.value, time.monotonic() - started, s.closed

    error, waited, closed = run(scenario)
    assert 0.25 <= waited < 5 and closed
    assert error.request_id == last(meshapi_gateway).request_id


def test_a_malformed_frame_fails_alone(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Malformed(event=0), route=PATH)

    async def scenario(api: Api) -> Any:
        s = await open_session(api)
        with pytest.raises(ResponseDecodeError) as caught:
            await s.receive()
        await s.update_session({"instructions": "x"})
        after = await s.receive()
        await s.close()
        return caught.value, after

    error, after = run(scenario)
    assert error.error_code == "parse_error" and after.type == "session.updated"


def test_fragmented_frames_pings_and_pauses_are_transparent(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.inject(
        faults.SplitWrites(7), faults.Ping(), faults.Delay(between_events=0.01), route=PATH
    )

    async def scenario(api: Api) -> Any:
        s = await open_session(api)
        await s.receive()
        await s.create_response()
        messages = await s.until("response.done")
        await s.close()
        return messages

    messages = run(scenario)
    audio = b"".join(m.audio for m in messages if m.audio)
    assert audio.decode("utf-16-le") == "Hello from the realtime emulator."


def test_a_message_over_the_bound_is_refused(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        s = await open_session(api)
        with pytest.raises(ResponseTooLargeError) as caught:
            await s.receive()
        return caught.value, s.closed

    error, closed = run(scenario, max_event_size=64)
    assert error.error_code == "event_too_large" and closed


# -- sending -------------------------------------------------------------------------------------


def test_audio_faster_than_real_time_is_paced(run: Runner) -> None:
    chunk = bytes(4_800)  # 0.05 s at 24 kHz PCM16

    async def scenario(api: Api) -> Any:
        s = await open_session(api, max_audio_lead=0.0)
        started = time.monotonic()
        for _ in range(4):
            await s.send_audio(chunk)
        paced = time.monotonic() - started
        await s.close()
        return paced

    assert run(scenario) >= 0.12  # the first chunk goes at once, then one every 0.05 s


def test_sending_and_receiving_at_once(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        s = await open_session(api, max_audio_lead=None)
        await s.receive()

        def blocking_sender() -> None:
            for word in ("one ", "two ", "three"):
                s.session.send_audio(word.encode("utf-16-le"))
            s.session.commit_audio()
            s.session.create_response()

        async def sender() -> None:
            for word in ("one ", "two ", "three"):
                await s.session.send_audio(word.encode("utf-16-le"))
            await s.session.commit_audio()
            await s.session.create_response()

        if api.is_sync:
            thread = threading.Thread(target=blocking_sender)
            thread.start()
            messages = await in_thread(_collect, s.session)
            thread.join()
        else:
            async with anyio.create_task_group() as group:
                group.start_soon(sender)
                messages = await s.until("response.done")
        await s.close()
        return messages

    messages = run(scenario)
    assert "".join(m.delta for m in messages if m.delta) == "You said: one two three"


def _collect(session: Any) -> List[RealtimeMessage]:
    got = []
    for message in session:
        got.append(message)
        if message.type == "response.done":
            break
    return got


def test_a_closed_session_refuses_everything(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        s = await open_session(api)
        await s.close()
        await s.close()  # idempotent
        with pytest.raises(SessionClosedError):
            await s.send({"type": "response.create"})
        with pytest.raises(SessionClosedError):
            await s.receive()
        return await s.drain()

    assert run(scenario) == []


# -- sessions and the REST pool ------------------------------------------------------------------

# aiohttp's pool (the session the SDK makes) holds 100 connections: as many open sessions.
MANY_SESSIONS = 100


def test_open_sessions_never_hold_back_a_rest_call(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        sessions = [await open_session(api) for _ in range(MANY_SESSIONS)]
        try:
            open_now = realtime.wait_for_active_sessions(meshapi_gateway.gateway, MANY_SESSIONS)
            models = await api.models()  # bounded: a starved call fails after 5 s
            first = await sessions[-1].receive()
        finally:
            for s in sessions:
                await s.close()
        return open_now, models, first

    open_now, models, first = run(scenario, timeout=5.0, max_retries=0)
    assert open_now and len(models) > 0 and first.type == "session.created"
    assert realtime.wait_for_active_sessions(meshapi_gateway.gateway, 0)
