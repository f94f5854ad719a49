"""The realtime session machine, without sockets: encoding, decoding, errors, limits, pacing."""

from __future__ import annotations

import base64
import json
from typing import Any, Dict, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meshapi_core.config import ClientConfig, WrongRealmError
from meshapi_core.errors import (
    AuthenticationError,
    BadRequestError,
    InvalidArgumentError,
    MeshAPIError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    StreamInterruptedError,
    StreamTimeoutError,
)
from meshapi_core.models.realtime import (
    RealtimeOutputAudioDeltaEvent,
    RealtimeServerEvent,
    RealtimeSessionConfig,
    RealtimeSessionEvent,
)
from meshapi_core.realtime import (
    REALTIME,
    SPEECH_STREAM,
    TRANSCRIPTION,
    SessionKind,
    SessionLimits,
    SessionProtocol,
    SessionState,
    prepare_session,
)
from meshapi_core.realtime.errors import (
    RealtimeError,
    RealtimeServerError,
    SessionClosedError,
    error_from_close,
    error_from_event,
)
from meshapi_core.realtime.messages import RealtimeMessage
from meshapi_core.realtime.pacing import AudioPacer, byte_rate, realtime_input_rate
from meshapi_core.websocket import (
    BinaryMessage,
    CloseMessage,
    TextMessage,
    WebSocketRequest,
    handshake_refused,
)

TOKEN = "rsk_TESTSECRET0123456789"
HEADERS = {"x-request-id": "req_HANDSHAKE"}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def protocol(kind: SessionKind = SessionKind.REALTIME, **options: Any) -> SessionProtocol:
    options.setdefault("clock", Clock())
    return SessionProtocol(kind, headers=HEADERS, **options)


def text(event: Dict[str, Any]) -> TextMessage:
    return TextMessage(json.dumps(event))


# -- preparing a session ---------------------------------------------------------------------


def config(**settings: Any) -> ClientConfig:
    settings.setdefault("base_url", "https://api.meshapi.ai/v1")
    settings.setdefault("token", TOKEN)
    return ClientConfig.create(**settings)


def test_realtime_handshake_keeps_the_token_out_of_the_url() -> None:
    plan = prepare_session(REALTIME, config(), fields={"model": "openai/gpt-realtime"})
    request = plan.request
    assert request.url == "wss://api.meshapi.ai/v1/realtime?model=openai%2Fgpt-realtime"
    assert request.subprotocols == ("openai-realtime", f"Bearer {TOKEN}")
    assert TOKEN not in request.url
    assert TOKEN not in repr(request) and TOKEN not in repr(plan)
    assert ("x-meshapi-sdk", request.headers[0][1]) == request.headers[0]
    assert all(name != "authorization" for name, _ in request.headers)
    assert all(name != "x-mesh-version" for name, _ in request.headers)


def test_loopback_http_becomes_ws_and_audio_paths_are_encoded() -> None:
    local = config(base_url="http://127.0.0.1:9000")
    plan = prepare_session(
        SPEECH_STREAM, local, fields={"output_format": "pcm_16000"}, path={"voice_id": "a b/c"}
    )
    assert (
        plan.request.url
        == "ws://127.0.0.1:9000/v1/audio/speech/stream/a%20b%2Fc?output_format=pcm_16000"
    )
    assert plan.request.subprotocols == (f"Bearer {local.token}",)
    stt = prepare_session(TRANSCRIPTION, local, fields={"audio_format": "ulaw_8000"})
    assert stt.request.url.endswith("/v1/audio/transcriptions/realtime?audio_format=ulaw_8000")


@pytest.mark.parametrize(
    ("call", "param"),
    [
        ({"fields": {}}, "model"),
        ({"fields": {"model": ""}}, "model"),
        ({"fields": {"model": "m"}, "options": {"extra_query": {"api_key": TOKEN}}}, "extra_query"),
        ({"fields": {"model": "m", "extra_body": {"token": TOKEN}}}, "params"),
        ({"fields": {"model": "m"}, "options": {"max_audio_lead": -1}}, "max_audio_lead"),
        ({"fields": {"model": "m"}, "options": {"timeout": "soon"}}, "timeout"),
        ({"fields": {"model": "m"}, "options": {"extra_headers": {"X": "a\nb"}}}, "extra_headers"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    call: Dict[str, Any], param: str
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        prepare_session(REALTIME, config(), **call)
    assert caught.value.param == param
    assert TOKEN not in str(caught.value)


def test_unknown_options_and_other_realms_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="max_retries"):
        prepare_session(REALTIME, config(), fields={"model": "m"}, options={"max_retries": 2})
    with pytest.raises(WrongRealmError):
        prepare_session(REALTIME, config(token="mak_ADMIN0123"), fields={"model": "m"})
    with pytest.raises(InvalidArgumentError):
        prepare_session(SPEECH_STREAM, config(), path={"voice_id": ".."})


def test_websocket_request_repr_hides_both_bearer_forms() -> None:
    request = WebSocketRequest("wss://x/v1/realtime", (f"Bearer {TOKEN}", f"Bearer.{TOKEN}", "p"))
    assert TOKEN not in repr(request)
    assert "'p'" in repr(request)


def test_the_plan_makes_a_protocol_for_each_kind() -> None:
    plan = prepare_session(
        TRANSCRIPTION, config(), fields={"audio_format": "pcm_16000"}, options={"max_audio_lead": 1}
    )
    machine = plan.protocol(HEADERS, Clock())
    assert machine.kind is SessionKind.TRANSCRIPTION
    assert machine.pacer.bytes_per_second == 32_000
    assert machine.pacer.max_lead == 1.0
    assert machine.limits.idle_timeout is None
    realtime = prepare_session(REALTIME, config(), fields={"model": "m"}).protocol(HEADERS, Clock())
    assert realtime.limits == SessionLimits(60.0, 1800.0)
    assert realtime.pacer.bytes_per_second == 48_000
    eleven = prepare_session(SPEECH_STREAM, config(), fields={"model": "elevenlabs/eleven_v3"},
                             path={"voice_id": "v"}).protocol(HEADERS, Clock())  # fmt: skip
    assert eleven.opening_events() == [{"text": " "}]
    assert eleven.text_event("Hi") == {"text": "Hi"}
    assert eleven.commit_event() == {"text": ""}


# -- sending --------------------------------------------------------------------------------


def test_events_are_encoded_compactly_and_session_update_gets_its_type() -> None:
    machine = protocol()
    out = machine.encode({"type": "session.update", "session": {"instructions": "héllo"}})
    assert out == '{"type":"session.update","session":{"instructions":"héllo","type":"realtime"}}'
    model = RealtimeSessionConfig(output_modalities=["text"])
    assert json.loads(machine.encode({"type": "session.update", "session": model}))["session"] == {
        "output_modalities": ["text"],
        "type": "realtime",
    }


@pytest.mark.parametrize("key", ["modalities", "voice", "input_audio_format", "turn_detection"])
def test_the_beta_session_shape_is_refused(key: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        protocol().encode({"type": "session.update", "session": {key: "x"}})
    assert caught.value.param == f"session.{key}"


@pytest.mark.parametrize(
    "event",
    [["not", "a", "dict"], {"no": "type"}, {"type": ""}, {"type": "x", "v": float("nan")},
     {"type": "x", "v": object()}, {"type": "session.update", "session": "no"}],
)  # fmt: skip
def test_bad_events_are_refused(event: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        protocol().encode(event)


def test_audio_becomes_the_kind_s_event() -> None:
    assert protocol().audio_event(b"\x00\x01") == {
        "type": "input_audio_buffer.append",
        "audio": "AAE=",
    }
    stt = protocol(SessionKind.TRANSCRIPTION, audio_format="pcm_16000")
    assert stt.audio_event(b"ab", commit=True) == {
        "message_type": "input_audio_chunk",
        "audio_base_64": "YWI=",
        "commit": True,
        "sample_rate": 16000,
    }
    with pytest.raises(InvalidArgumentError):
        protocol(SessionKind.SPEECH).audio_event(b"x")
    with pytest.raises(InvalidArgumentError):
        protocol().audio_event("not bytes")
    with pytest.raises(InvalidArgumentError, match="limit"):
        protocol().audio_event(bytes(15 * 1024 * 1024 + 1))


def test_a_transcription_session_sends_only_audio_chunks() -> None:
    with pytest.raises(InvalidArgumentError, match="input_audio_chunk"):
        protocol(SessionKind.TRANSCRIPTION).encode({"type": "session.update"})


def test_a_closed_session_refuses_to_send() -> None:
    machine = protocol()
    with pytest.raises(SessionClosedError):
        machine.receive(CloseMessage(1000, ""))
    with pytest.raises(SessionClosedError) as caught:
        machine.encode({"type": "response.create"})
    assert caught.value.close_code == 1000
    assert caught.value.request_id == "req_HANDSHAKE"


# -- receiving ------------------------------------------------------------------------------


def test_beta_names_map_to_ga_and_audio_is_decoded() -> None:
    machine = protocol()
    message = machine.receive(text({"type": "response.audio.delta", "delta": "AAECAw=="}))
    assert message.type == "response.output_audio.delta"
    assert message.audio == b"\x00\x01\x02\x03"
    assert message.event is not None and message.event["type"] == "response.audio.delta"
    parsed = message.parsed
    assert isinstance(parsed, RealtimeOutputAudioDeltaEvent)
    assert parsed.audio() == b"\x00\x01\x02\x03"
    text_delta = machine.receive(text({"type": "response.text.delta", "delta": "Hi"}))
    assert (text_delta.type, text_delta.delta, text_delta.audio) == (
        "response.output_text.delta",
        "Hi",
        None,
    )


def test_state_follows_the_conversation() -> None:
    machine = protocol()
    assert not machine.created
    created = machine.receive(text({"type": "session.created", "session": {"id": "s1", "x": 1}}))
    assert machine.created and machine.session == {"id": "s1", "x": 1}
    assert isinstance(created.parsed, RealtimeSessionEvent)
    assert created.parsed.session is not None and created.parsed.session.model_extra == {"x": 1}
    machine.receive(text({"type": "session.updated", "session": {"id": "s1"}}))
    assert machine.updated
    machine.receive(text({"type": "response.created", "response": {"id": "r"}}))
    assert machine.response_in_progress
    machine.receive(text({"type": "response.done", "response": {"id": "r"}}))
    assert not machine.response_in_progress


def test_unknown_events_and_odd_fields_are_kept_not_fatal() -> None:
    machine = protocol()
    odd = machine.receive(text({"type": "brand.new.event", "n": 1}))
    assert isinstance(odd.parsed, RealtimeServerEvent)
    assert odd.parsed.model_extra == {"n": 1}
    weird = machine.receive(text({"type": "session.created", "session": "not an object"}))
    assert weird.parsed.type == "session.created"
    binary = machine.receive(BinaryMessage(b"\x01\x02"))
    assert (binary.type, binary.audio) == ("binary", b"\x01\x02")


@pytest.mark.parametrize("frame", ["not json", "[1, 2]", '"text"', "{"])
def test_a_frame_that_is_not_an_object_raises_for_that_frame_only(frame: str) -> None:
    machine = protocol()
    with pytest.raises(ResponseDecodeError) as caught:
        machine.receive(TextMessage(frame))
    assert caught.value.request_id == "req_HANDSHAKE"
    assert machine.is_open
    assert machine.receive(text({"type": "x"})).type == "x"


@pytest.mark.parametrize(
    ("code", "family"),
    [
        ("invalid_api_key", AuthenticationError),
        ("insufficient_quota", PaymentRequiredError),
        ("session_token_cap_exceeded", PaymentRequiredError),
        ("feature_not_enabled", PermissionDeniedError),
        ("model_not_found", NotFoundError),
        ("concurrent_sessions_exceeded", RateLimitError),
        ("provider_error", ServerError),
        ("upstream_overload", ServerError),
        ("idle_timeout", RealtimeError),
    ],
)
def test_error_events_are_the_family_of_their_code(code: str, family: type) -> None:
    error = error_from_event({"type": "error", "error": {"code": code, "message": "m"}}, HEADERS)
    assert isinstance(error, RealtimeError) and isinstance(error, family)
    assert error.code == error.error_code == code
    assert error.request_id == "req_HANDSHAKE"  # no request_id in the frame: the handshake's
    assert error.status == 0


def test_an_error_event_raises_and_leaves_the_session_open() -> None:
    machine = protocol()
    frame = {
        "type": "error",
        "error": {"type": "invalid_request_error", "code": "unknown_parameter", "message": "no",
                  "param": "session.x"},
        "request_id": "req_FRAME",
    }  # fmt: skip
    with pytest.raises(BadRequestError) as caught:
        machine.receive(text(frame))
    error = caught.value
    assert isinstance(error, RealtimeError)
    assert (error.param, error.request_id, error.reconnect) == ("session.x", "req_FRAME", False)
    assert machine.is_open


def test_a_close_after_an_error_event_is_its_end_and_iteration_stops() -> None:
    machine = protocol()
    with pytest.raises(RealtimeError) as first:
        machine.receive(text({"type": "error", "error": {"code": "idle_timeout", "message": "m"}}))
    assert first.value.reconnect
    with pytest.raises(SessionClosedError) as closed:
        machine.receive(CloseMessage(1008, "idle"))
    assert (closed.value.close_code, closed.value.close_reason) == (1008, "idle")
    assert machine.state is SessionState.CLOSED


@pytest.mark.parametrize(
    ("code", "family", "name"),
    [
        (1011, RealtimeServerError, "server_error"),
        (4402, PaymentRequiredError, "quota_exceeded"),
        (1008, PermissionDeniedError, "policy_violation"),
        (4001, RealtimeError, "upstream_close"),
        (1002, BadRequestError, "protocol_error"),
    ],
)
def test_a_failure_close_without_an_error_event_raises_its_code(
    code: int, family: type, name: str
) -> None:
    machine = protocol()
    with pytest.raises(RealtimeError) as caught:
        machine.receive(CloseMessage(code, "why"))
    assert isinstance(caught.value, family)
    assert (caught.value.code, caught.value.close_code) == (name, code)
    assert "why" in caught.value.message
    with pytest.raises(SessionClosedError):
        machine.encode({"type": "x"})


def test_clean_closes_are_not_errors() -> None:
    assert error_from_close(1000, "") is None
    assert error_from_close(1005, "") is None
    machine = protocol()
    machine.begin_close()
    with pytest.raises(SessionClosedError):  # our own close, answered with anything
        machine.receive(CloseMessage(1011, ""))


def test_speech_to_text_error_frames_are_errors() -> None:
    machine = protocol(SessionKind.TRANSCRIPTION)
    with pytest.raises(RealtimeError) as caught:
        machine.receive(text({"message_type": "input_error", "error": "bad audio"}))
    assert (caught.value.code, caught.value.message) == ("input_error", "bad audio")
    message = machine.receive(text({"message_type": "committed_transcript", "text": "hi"}))
    assert (message.type, message.transcript) == ("committed_transcript", "hi")


def test_interruptions_carry_the_session_id() -> None:
    machine = protocol()
    error = machine.interrupted(StreamInterruptedError("gone"))
    assert error.request_id == "req_HANDSHAKE"
    assert not machine.is_open


# -- the wait bounds --------------------------------------------------------------------------


def test_waits_are_bounded_by_the_gateway_limits_and_moved_by_sends() -> None:
    clock = Clock()
    machine = protocol(clock=clock, read_timeout=600.0, limits=SessionLimits(60.0, 1800.0, 10.0))
    started = clock.now
    assert machine.wait_time(started) == 70.0  # idle limit plus grace, not the 600 s read
    clock.now += 50
    machine.sent()  # another task sent a frame: the gateway's idle clock restarts
    clock.now += 25
    assert machine.quiet(started) is None  # 75 s waited, but the bound moved to 50 + 70
    assert machine.wait_time(started) == 45.0
    clock.now += 45
    stall = machine.quiet(started)
    assert isinstance(stall, StreamTimeoutError)
    assert stall.request_id == "req_HANDSHAKE"
    assert machine.state is SessionState.CLOSED


def test_the_read_timeout_and_the_session_cap_bound_waits_too() -> None:
    clock = Clock()
    machine = protocol(clock=clock, read_timeout=5.0, limits=SessionLimits(None, 30.0, 1.0))
    assert machine.wait_time(clock.now) == 5.0
    clock.now += 28
    assert machine.wait_time(clock.now) == 3.0
    assert machine.time_left == 2.0
    unbounded = protocol(limits=SessionLimits(None, None))
    assert unbounded.wait_time(0.0) is None and unbounded.quiet(0.0) is None


# -- pacing -------------------------------------------------------------------------------------


def test_pacing_keeps_audio_within_its_lead_of_real_time() -> None:
    clock = Clock()
    pacer = AudioPacer(48_000, max_lead=0.5, clock=clock)
    waits = [pacer.delay(24_000) for _ in range(4)]  # 4 x 0.5 s at once
    assert waits == [0.0, 0.0, 0.5, 1.0]
    clock.now += 10  # the caller fell behind: that slack is not banked
    assert pacer.delay(24_000) == 0.0
    assert pacer.delay(24_000) == 0.0
    assert pacer.delay(24_000) == 0.5


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 100_000), st.floats(0, 2)), max_size=30))
def test_after_every_wait_the_audio_sent_is_at_most_the_lead_ahead(
    chunks: List[Any],
) -> None:
    clock = Clock()
    start = clock.now
    pacer = AudioPacer(16_000, max_lead=1.0, clock=clock)
    for size, gap in chunks:
        clock.now += gap
        before = pacer.sent_seconds
        clock.now += pacer.delay(size)  # the session sleeps, then sends
        assert before - (clock.now - start) <= 1.0 + 1e-9 or before <= 1.0 + 1e-9


def test_no_pacing_without_a_rate_or_a_lead() -> None:
    assert AudioPacer(None, max_lead=1.0, clock=Clock()).delay(10**9) == 0.0
    assert AudioPacer(48_000, max_lead=None, clock=Clock()).delay(10**9) == 0.0
    assert byte_rate("mp3_44100_128") is None and byte_rate(None) is None
    assert (
        realtime_input_rate(
            {"audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}}}, None
        )
        == 32_000
    )
    assert realtime_input_rate({"audio": {"input": {"format": {"type": "opus"}}}}, 1) is None


def test_a_session_update_changes_the_pacing_rate() -> None:
    machine = protocol(input_rate=48_000, max_audio_lead=1.0)
    machine.encode(
        {
            "type": "session.update",
            "session": {"audio": {"input": {"format": {"type": "audio/pcmu"}}}},
        }
    )
    assert machine.pacer.bytes_per_second == 8_000


# -- handshake refusals and messages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "family", "code"),
    [(401, AuthenticationError, "unauthorized"), (403, PermissionDeniedError, "forbidden"),
     (429, RateLimitError, "rate_limit_exceeded"), (503, ServerError, "upstream_error"),
     (426, BadRequestError, "upgrade_required")],
)  # fmt: skip
def test_refused_handshakes_are_typed_by_status(status: int, family: type, code: str) -> None:
    error = handshake_refused(status, {"x-request-id": "req_R", "retry-after": "3"}, b"")
    assert isinstance(error, family)
    assert (error.status, error.error_code, error.request_id) == (status, code, "req_R")


def test_a_refusal_body_gives_the_gateway_s_own_code() -> None:
    body = b'{"error": {"code": "feature_not_enabled", "message": "No realtime."}}'
    error = handshake_refused(403, {}, body)
    assert (error.error_code, error.message) == ("feature_not_enabled", "No realtime.")


@given(
    st.dictionaries(
        st.sampled_from(
            ["type", "delta", "audio", "transcript", "text", "message_type", "isFinal", "error"]
        ),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    )
)
@settings(max_examples=200, deadline=None)
def test_any_json_object_decodes_or_raises_only_sdk_errors(event: Dict[str, Any]) -> None:
    machine = protocol()
    try:
        message = machine.receive(text(event))
    except MeshAPIError:
        return
    assert isinstance(message, RealtimeMessage)
    assert isinstance(message.parsed, RealtimeServerEvent)
    repr(message)


def test_message_repr_shows_no_audio_bytes() -> None:
    message = RealtimeMessage.from_event("{}", {"type": "response.output_audio.delta",
                                                "delta": base64.b64encode(b"secret").decode()})  # fmt: skip
    assert "secret" not in repr(message) and "6 bytes" in repr(message)


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789", min_size=12, max_size=40))
def test_a_token_never_shows_in_a_plan_or_its_errors(body: str) -> None:
    token = "rsk_" + body
    texts = []
    plan = prepare_session(REALTIME, config(token=token), fields={"model": "m"})
    texts += [repr(plan), repr(plan.request), plan.request.url, str(plan.request.headers)]
    for bad in ({"extra_query": {"token": token}}, {"extra_headers": {"X": token + "\n"}}):
        try:
            prepare_session(REALTIME, config(token=token), fields={"model": "m"}, options=bad)
        except MeshAPIError as error:
            texts += [str(error), repr(error)]
    machine = plan.protocol({}, Clock())
    for frame in ({"type": "error", "error": {"code": "invalid_api_key"}}, {"x": 1}):
        try:
            machine.receive(text(frame))
        except MeshAPIError as error:
            texts += [str(error), repr(error)]
    assert all(token not in t for t in texts)
