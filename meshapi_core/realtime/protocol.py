"""The session machine: one WebSocket session's protocol, without I/O.

Theory of operation. A :class:`SessionProtocol` is to a WebSocket session what h11's
``Connection`` is to HTTP: the session object of the facade asks it what to send and tells it
what arrived, and it decides everything else::

    session (facade)                       SessionProtocol
    ----------------                       ---------------
    text = protocol.encode(event)      ->  checks the event and the state, JSON text out
    wait = protocol.pace(len(audio))   ->  seconds to sleep first (audio pacing)
    connection.send_text(text); protocol.sent()
    wait = protocol.wait_time(started) ->  how long the next receive may wait
    message = connection.receive(wait)
    protocol.receive(message)          ->  RealtimeMessage, or raises the typed error
    protocol.quiet(started)            ->  (when receive timed out) a stall, or go on waiting

State. A session is ``OPEN`` once the handshake is done, ``CLOSING`` once the caller closes
it, ``CLOSED`` once either side's close frame, or the connection's loss, ends it. On top of
that it follows the realtime conversation: :attr:`SessionProtocol.created` (``session.created``
came), :attr:`~SessionProtocol.updated` (``session.updated`` came), and
:attr:`~SessionProtocol.response_in_progress` (between ``response.created`` and
``response.done``). Sending on a session that is not open raises
:class:`~meshapi_core.realtime.errors.SessionClosedError` before anything is sent.

Errors. An error event raises the :class:`~meshapi_core.realtime.errors.RealtimeError` it
reports, and the session stays open (OpenAI reports a bad client event that way and goes on;
the gateway's own errors are followed by the close). A close frame right after an error event
is that error's end (:class:`~meshapi_core.realtime.errors.SessionClosedError`); a close frame
with a failure code and no error event raises the error its code means; a clean close (1000)
ends the session. A text frame that is not a JSON object raises
:class:`~meshapi_core.errors.ResponseDecodeError` for that frame only.

Waiting. A session may be quiet for a long time (nobody speaks), so no fixed read timeout
fits. Instead the gateway's own limits (``docs/gateway/api.md`` §15) bound every wait: it
closes a session after ``idle_timeout`` (60 s) without a client frame and after
``max_duration`` (30 min) whatever happens, so once either has passed, plus ``grace`` (10 s)
for its close frame to arrive, silence means a stalled connection:
:class:`~meshapi_core.errors.StreamTimeoutError`. The client's ``timeout.read`` bounds each
wait too (600 s by default, so the limits above decide). A frame sent meanwhile (from
another task) moves the idle bound: a receive that ran out re-asks
:meth:`SessionProtocol.quiet`, which only then calls it a stall.

Back-pressure. Nothing here buffers: the facade reads one message when the caller asks for
one, so what the SDK holds is at most one socket read and one partly received message
(``max_event_size``). A consumer slower than the gateway leaves frames in the kernel's socket
buffer and TCP slows the gateway; nothing is dropped and memory does not grow. Audio sent
faster than real time is paced (:mod:`meshapi_core.realtime.pacing`).
"""

from __future__ import annotations

import base64
import enum
import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional

from ..errors import (
    InvalidArgumentError,
    ResponseDecodeError,
    StreamInterruptedError,
    StreamTimeoutError,
)
from ..models.base import RequestModel
from ..websocket import BinaryMessage, CloseMessage, TextMessage, WebSocketMessage
from .errors import SessionClosedError, error_from_close, error_from_event
from .messages import RealtimeMessage
from .pacing import MAX_AUDIO_CHUNK, AudioPacer, realtime_input_rate

__all__ = ["SessionKind", "SessionLimits", "SessionProtocol", "SessionState"]


class SessionKind(enum.Enum):
    """The three WebSocket sessions of the gateway."""

    REALTIME = "realtime"
    """Speech-to-speech (``/v1/realtime``): OpenAI Realtime GA events."""
    SPEECH = "speech"
    """Incremental text-to-speech (``/v1/audio/speech/stream/{voice_id}``)."""
    TRANSCRIPTION = "transcription"
    """Realtime speech-to-text (``/v1/audio/transcriptions/realtime``)."""


class SessionState(enum.Enum):
    """Where a session is in its life."""

    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


@dataclass(frozen=True)
class SessionLimits:
    """The gateway's limits on a session, in seconds (``None``: none known).

    ``idle_timeout``: the gateway closes a session after this long without a client frame;
    ``max_duration``: it closes every session after this long; ``grace``: how long past
    either the SDK waits for that close before calling the connection stalled.
    """

    idle_timeout: Optional[float] = 60.0
    max_duration: Optional[float] = 1800.0
    grace: float = 10.0


# Session keys of the beta shape, which the gateway refuses (``docs/gateway/api.md`` §15),
# and their GA home.
_BETA_SESSION_KEYS = {
    "modalities": "output_modalities",
    "voice": "audio.output.voice",
    "input_audio_format": "audio.input.format",
    "output_audio_format": "audio.output.format",
    "input_audio_transcription": "audio.input.transcription",
    "turn_detection": "audio.input.turn_detection",
}


def _stt_sample_rate(audio_format: Optional[str]) -> Optional[int]:
    if audio_format and "_" in audio_format:
        rate = audio_format.split("_")[1]
        return int(rate) if rate.isdigit() else None
    return None


class SessionProtocol:
    """The protocol of one open session (see the module docs).

    ``headers`` are the handshake response's (lower-case names; ``x-request-id`` is the
    session's request id). ``clock`` is monotonic seconds. ``read_timeout`` bounds each wait
    for a message (``None``: only the limits do). ``input_rate`` is the byte rate of the audio
    the caller sends, for pacing (``None``: not paced); ``max_audio_lead`` how far ahead of
    real time it may get (``None``: no pacing).
    """

    def __init__(
        self,
        kind: SessionKind,
        *,
        headers: Mapping[str, str],
        clock: Callable[[], float],
        read_timeout: Optional[float] = None,
        limits: SessionLimits = SessionLimits(),
        input_rate: Optional[int] = None,
        max_audio_lead: Optional[float] = None,
        audio_format: Optional[str] = None,
        family: str = "standard",
    ) -> None:
        self.kind = kind
        self.headers: Dict[str, str] = dict(headers)
        self.limits = limits
        self.read_timeout = read_timeout
        self.state = SessionState.OPEN
        self.created = False
        self.updated = False
        self.response_in_progress = False
        self.session: Optional[Dict[str, Any]] = None
        self.close_code: Optional[int] = None
        self.close_reason = ""
        self._clock = clock
        self._opened_at = clock()
        self._last_sent = self._opened_at
        self._after_error = False
        self._audio_format = audio_format
        self.family = family
        self.pacer = AudioPacer(input_rate, max_lead=max_audio_lead, clock=clock)

    # -- facts --------------------------------------------------------------------------------

    @property
    def request_id(self) -> Optional[str]:
        """The session's ``x-request-id`` (from the handshake), if the gateway sent one."""
        return self.headers.get("x-request-id")

    @property
    def is_open(self) -> bool:
        """Whether the session can still send and receive."""
        return self.state is SessionState.OPEN

    @property
    def time_left(self) -> Optional[float]:
        """Seconds until the gateway's session cap (``max_duration``) ends the session."""
        cap = self.limits.max_duration
        return None if cap is None else max(0.0, self._opened_at + cap - self._clock())

    @property
    def idle_time_left(self) -> Optional[float]:
        """Seconds until the gateway's idle limit closes a session that sends nothing more."""
        idle = self.limits.idle_timeout
        return None if idle is None else max(0.0, self._last_sent + idle - self._clock())

    # -- sending ------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.state is not SessionState.OPEN:
            raise self.closed_error()

    def closed_error(self) -> SessionClosedError:
        """The error for using a session that is over."""
        why = f" with code {self.close_code}" if self.close_code is not None else ""
        return SessionClosedError(
            f"The session is closed{why}; open a new one",
            close_code=self.close_code,
            close_reason=self.close_reason,
            request_id=self.request_id,
        )

    def encode(self, event: Any) -> str:
        """The JSON text of a client event (a dict or a request model), checked.

        Raises :class:`~meshapi_core.errors.InvalidArgumentError` for an event that is not a
        JSON object with a string ``type`` (realtime), a beta-shaped ``session.update``, or a
        speech-to-text frame other than ``input_audio_chunk`` (the gateway drops those
        silently); :class:`SessionClosedError` when the session is not open.
        """
        self._check_open()
        if isinstance(event, RequestModel):
            event = event.to_json_dict()
        if not isinstance(event, Mapping):
            raise InvalidArgumentError(
                f"event must be a dict (a JSON object), not {type(event).__name__}",
                param="event",
            )
        event = dict(event)
        if self.kind is SessionKind.REALTIME:
            kind = event.get("type")
            if not isinstance(kind, str) or not kind:
                raise InvalidArgumentError(
                    "event needs a string 'type', e.g. 'session.update'", param="event.type"
                )
            if kind == "session.update":
                event["session"] = self._checked_session(event.get("session"))
        elif self.kind is SessionKind.TRANSCRIPTION:
            kind = event.get("message_type", event.get("type"))
            if kind != "input_audio_chunk":
                raise InvalidArgumentError(
                    "a speech-to-text session takes only 'input_audio_chunk' frames (the "
                    f"gateway drops any other), not {kind!r}: use send_audio()",
                    param="event",
                )
        try:
            return json.dumps(event, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(
                f"event is not JSON-serialisable: {exc}", param="event"
            ) from None

    def _checked_session(self, session: Any) -> Dict[str, Any]:
        if isinstance(session, RequestModel):
            session = session.to_json_dict()
        if not isinstance(session, Mapping):
            raise InvalidArgumentError(
                "session.update needs a 'session' object", param="event.session"
            )
        for key, home in _BETA_SESSION_KEYS.items():
            if key in session:
                raise InvalidArgumentError(
                    f"session.{key} is the beta Realtime shape, which the gateway refuses; "
                    f"use session.{home} (GA)",
                    param=f"session.{key}",
                )
        checked = dict(session)
        checked.setdefault("type", "realtime")
        self.pacer.set_rate(realtime_input_rate(checked, self.pacer.bytes_per_second))
        return checked

    def audio_event(self, audio: Any, *, commit: bool = False) -> Dict[str, Any]:
        """The client event that sends ``audio`` (raw bytes, base64-encoded here)."""
        if not isinstance(audio, (bytes, bytearray, memoryview)):
            raise InvalidArgumentError(
                f"audio must be bytes, not {type(audio).__name__}", param="audio"
            )
        data = bytes(audio)
        if len(data) > MAX_AUDIO_CHUNK:
            raise InvalidArgumentError(
                f"audio chunk of {len(data)} bytes is over the {MAX_AUDIO_CHUNK}-byte limit of "
                "one append; send it in smaller pieces",
                param="audio",
            )
        encoded = base64.b64encode(data).decode("ascii")
        if self.kind is SessionKind.REALTIME:
            return {"type": "input_audio_buffer.append", "audio": encoded}
        if self.kind is SessionKind.TRANSCRIPTION:
            frame: Dict[str, Any] = {
                "message_type": "input_audio_chunk",
                "audio_base_64": encoded,
                "commit": bool(commit),
            }
            rate = _stt_sample_rate(self._audio_format)
            if rate is not None:
                frame["sample_rate"] = rate
            return frame
        raise InvalidArgumentError(
            "a text-to-speech session takes text, not audio: use send_text()", param="audio"
        )

    def opening_events(self) -> List[Dict[str, Any]]:
        """Events the session sends as soon as it is open: ElevenLabs' TTS stream-input
        protocol starts with ``initializeConnection``, ``{"text": " "}`` *[inferred keys]*."""
        if self.kind is SessionKind.SPEECH and self.family == "elevenlabs":
            return [{"text": " "}]
        return []

    def text_event(self, text: Any) -> Dict[str, Any]:
        """The event that sends ``text`` to synthesise: ``input_text_buffer.append`` for
        standard models, ElevenLabs' ``sendText`` ``{"text": ...}`` *[inferred keys]*."""
        if self.kind is not SessionKind.SPEECH:
            raise InvalidArgumentError(
                "only a text-to-speech session takes text: use send() for events", param="text"
            )
        if not isinstance(text, str) or not text:
            raise InvalidArgumentError("text must be a non-empty string", param="text")
        if self.family == "elevenlabs":
            return {"text": text}
        return {"type": "input_text_buffer.append", "text": text}

    def commit_event(self) -> Dict[str, Any]:
        """The event that says the text so far is complete: ``input_text_buffer.commit``
        for standard models, ElevenLabs' ``closeConnection`` ``{"text": ""}`` *[inferred]*
        (after which the server sends the rest of the audio and closes)."""
        if self.kind is not SessionKind.SPEECH:
            raise InvalidArgumentError("only a text-to-speech session commits text")
        if self.family == "elevenlabs":
            return {"text": ""}
        return {"type": "input_text_buffer.commit"}

    def pace(self, size: int) -> float:
        """Seconds to wait before sending ``size`` bytes of audio (0.0: send now)."""
        return self.pacer.delay(size)

    def sent(self) -> None:
        """A client frame went out: the gateway's idle clock restarts."""
        self._last_sent = self._clock()

    # -- receiving ----------------------------------------------------------------------------

    def _deadline(self, started: float) -> Optional[float]:
        bounds = []
        if self.read_timeout is not None:
            bounds.append(started + self.read_timeout)
        limits = self.limits
        if limits.idle_timeout is not None:
            bounds.append(self._last_sent + limits.idle_timeout + limits.grace)
        if limits.max_duration is not None:
            bounds.append(self._opened_at + limits.max_duration + limits.grace)
        return min(bounds) if bounds else None

    def wait_time(self, started: float) -> Optional[float]:
        """How long a receive that began at ``started`` (clock time) may still wait."""
        deadline = self._deadline(started)
        return None if deadline is None else max(0.0, deadline - self._clock())

    def quiet(self, started: float) -> Optional[StreamTimeoutError]:
        """After a receive ran out of time: the stall error, or ``None`` to wait on (a frame
        sent meanwhile moved the idle bound)."""
        deadline = self._deadline(started)
        now = self._clock()
        if deadline is None or now < deadline:
            return None
        self.state = SessionState.CLOSED
        waited = now - started
        return StreamTimeoutError(
            f"No message from the gateway for {waited:.1f} s, past the read timeout or the "
            "gateway's own idle or session limit: the connection is stalled",
            request_id=self.request_id,
            headers=self.headers,
        )

    def receive(self, message: WebSocketMessage) -> RealtimeMessage:
        """What one received message means: a :class:`RealtimeMessage`, or the error it
        reports (raised)."""
        if isinstance(message, TextMessage):
            return self._text(message.data)
        if isinstance(message, BinaryMessage):
            self._after_error = False
            return RealtimeMessage.from_binary(message.data)
        return self._close(message)

    def _text(self, text: str) -> RealtimeMessage:
        try:
            event = json.loads(text)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            self._after_error = False
            raise ResponseDecodeError(
                f"The gateway sent a frame that is not a JSON object: {text[:120]!r}",
                error_code="parse_error",
                request_id=self.request_id,
                headers=self.headers,
            )
        message = RealtimeMessage.from_event(text, event)
        kind = message.type
        if kind == "error" or (kind.endswith("_error") and self.kind is not SessionKind.REALTIME):
            self._after_error = True
            if not isinstance(event.get("error"), dict):
                detail = event.get("error") or event.get("message")
                event = {
                    "error": {"code": kind, "message": detail if isinstance(detail, str) else ""},
                    "request_id": event.get("request_id"),
                }
            raise error_from_event(event, self.headers)
        self._after_error = False
        if kind in ("session.created", "session.updated"):
            session = event.get("session")
            self.session = session if isinstance(session, dict) else self.session
            if kind == "session.created":
                self.created = True
            else:
                self.updated = True
        elif kind == "response.created":
            self.response_in_progress = True
        elif kind == "response.done":
            self.response_in_progress = False
        return message

    def _close(self, message: CloseMessage) -> RealtimeMessage:
        self.close_code, self.close_reason = message.code, message.reason
        after_error, self._after_error = self._after_error, False
        was_closing = self.state is SessionState.CLOSING
        self.state = SessionState.CLOSED
        error = None if after_error or was_closing else error_from_close(
            message.code, message.reason, self.headers
        )  # fmt: skip
        if error is not None:
            raise error
        raise self.closed_error()

    def interrupted(self, error: StreamInterruptedError) -> StreamInterruptedError:
        """The connection broke: the session is over; ``error`` with the session's id."""
        self.state = SessionState.CLOSED
        if error.request_id is None:
            error.request_id = self.request_id
            error.headers = self.headers
        return error

    # -- closing ------------------------------------------------------------------------------

    def begin_close(self) -> bool:
        """The caller closes the session: whether a close handshake is still to be done."""
        if self.state is SessionState.OPEN:
            self.state = SessionState.CLOSING
            return True
        return False

    def closed(self) -> None:
        """The connection is closed."""
        self.state = SessionState.CLOSED
