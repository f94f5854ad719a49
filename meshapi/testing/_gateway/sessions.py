"""The emulated WebSocket sessions, without I/O: client messages in, steps out.

Each session is a generator of steps (:mod:`~meshapi.testing._gateway.wsplan`): it yields
server frames, yields :class:`~meshapi.testing._gateway.wsplan.AwaitInput` when it needs the
client's next message, and finds that message in its inbox when resumed. The frames are the
ones ``docs/gateway/streaming.md`` §7 shows (realtime speech-to-speech, streaming TTS with
ElevenLabs' variant, realtime STT in ElevenLabs Scribe's style); ``docs/realtime.md`` says
what the emulator answers. Its "audio" is built so that tests can check it end to end: a
reply's audio is its text as UTF-16-LE samples, one delta per word, and input audio that
reads back as printable UTF-16-LE text is its own transcript (else ``"[N ms of audio]"``).
A response is sent whole before the next client frame is read. Idle, duration and
concurrency limits end a session with an error event and a close code (1008, 4402).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import deque
from typing import Any, Deque, Dict, Iterator, List, Optional

from .ids import IdFactory
from .plan import Write, dumps
from .wsplan import (
    AwaitInput,
    ClientBinary,
    ClientClosed,
    ClientInput,
    ClientText,
    CloseSession,
    LimitReached,
    SessionStep,
)

DEFAULT_REPLY = "Hello from the realtime emulator."

_AWAIT = AwaitInput()
_BETA_KEYS = (
    "modalities", "voice", "input_audio_format", "output_audio_format",
    "input_audio_transcription", "turn_detection",
)  # fmt: skip


def audio_for(text: str) -> bytes:
    """The emulator's synthetic audio for ``text``: its UTF-16-LE bytes (16-bit samples)."""
    return text.encode("utf-16-le")


def _audio_b64(text: str) -> str:
    return base64.b64encode(audio_for(text)).decode("ascii")


def transcript_of(audio: bytes, bytes_per_second: int = 48_000) -> str:
    """What the emulator hears in ``audio``: UTF-16-LE text if it is printable, else its
    length in milliseconds."""
    if audio and len(audio) % 2 == 0:
        try:
            text = audio.decode("utf-16-le")
        except UnicodeDecodeError:
            text = ""
        if text and text.isprintable():
            return text
    return f"[{len(audio) * 1000 // max(1, bytes_per_second)} ms of audio]"


def _b64(value: Any) -> Optional[bytes]:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


class SessionSim:
    """The base of the emulated sessions: the inbox and the main loop."""

    def __init__(self, ids: IdFactory, request_id: str) -> None:
        self.inbox: Deque[ClientInput] = deque()
        self.ids = ids
        self.request_id = request_id
        self.closed = False

    def frame(self, event: Dict[str, Any]) -> Write:
        """One server frame."""
        return Write(dumps(event), event=True)

    def error(
        self,
        code: str,
        message: str,
        *,
        param: Optional[str] = None,
        kind: Optional[str] = "invalid_request_error",
    ) -> Write:
        """An error event (``docs/gateway/errors.md`` §6), with the session's request id;
        ``kind`` is OpenAI's ``error.type`` (the gateway's own errors have none)."""
        detail: Dict[str, Any] = {"code": code, "message": message, "param": param}
        if kind is not None:
            detail = {"type": kind, **detail}
        return self.frame(
            {
                "type": "error",
                "event_id": "event_" + self.ids.alnum(16),
                "error": detail,
                "request_id": self.request_id,
            }
        )

    def fatal(self, code: str, message: str, close: int) -> Iterator[SessionStep]:
        """An error event, then the close frame: how the gateway ends a session."""
        yield self.error(code, message, kind=None)
        yield CloseSession(close, message[:100])

    def opening(self) -> Iterator[SessionStep]:
        """Frames sent right after the handshake."""
        return iter(())

    def on_text(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        """The answer to one client JSON object."""
        return iter(())

    def on_malformed(self, text: str) -> Iterator[SessionStep]:
        """The answer to a text frame that is not a JSON object."""
        yield self.error("invalid_json", "The frame is not a JSON object.")

    def on_binary(self, data: bytes) -> Iterator[SessionStep]:
        """The answer to a binary frame."""
        yield self.error(
            "unsupported_frame", "Binary frames are not supported: send base64 inside JSON."
        )

    def steps(self, refuse: Optional[Dict[str, Any]] = None) -> Iterator[SessionStep]:
        """The session, as steps (see the module docs)."""
        if refuse is not None:
            yield from self.fatal(refuse["code"], refuse["message"], refuse["close"])
            return
        yield from self.opening()
        while not self.closed:
            yield _AWAIT
            item = self.inbox.popleft() if self.inbox else ClientClosed(1006)
            if isinstance(item, ClientClosed):
                return
            if isinstance(item, LimitReached):
                if item.code == "idle_timeout":
                    message = "No client frames for too long; the session is closed."
                else:
                    message = "The session reached its maximum duration."
                yield from self.fatal(item.code, message, 1008)
                return
            if isinstance(item, ClientBinary):
                yield from self.on_binary(item.data)
                continue
            assert isinstance(item, ClientText)
            try:
                event = json.loads(item.data)
            except ValueError:
                event = None
            if not isinstance(event, dict):
                yield from self.on_malformed(item.data)
                continue
            yield from self.on_text(event)


class RealtimeSim(SessionSim):
    """Realtime speech-to-speech (see the module docs)."""

    def __init__(self, ids: IdFactory, request_id: str, model: str, scripted: Any = None) -> None:
        super().__init__(ids, request_id)
        self.model = model
        self.scripted = scripted  # a callable giving the next scripted reply text, or None
        self.session: Dict[str, Any] = {
            "id": "sess_" + ids.alnum(20),
            "object": "realtime.session",
            "type": "realtime",
            "model": model,
            "output_modalities": ["audio"],
            "instructions": "",
            "audio": {
                "input": {"format": {"type": "audio/pcm", "rate": 24000}},
                "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "alloy"},
            },
        }
        self.buffer = bytearray()
        self.items: List[Dict[str, Any]] = []
        self.last_user_text: Optional[str] = None

    def _event(self, kind: str, **fields: Any) -> Write:
        return self.frame({"type": kind, "event_id": "event_" + self.ids.alnum(16), **fields})

    def opening(self) -> Iterator[SessionStep]:
        yield self._event("session.created", session=self.session)

    def _input_rate(self) -> int:
        fmt = self.session.get("audio", {}).get("input", {}).get("format", {})
        if fmt.get("type") in ("audio/pcmu", "audio/pcma"):
            return 8000
        rate = fmt.get("rate")
        return 2 * (rate if isinstance(rate, int) and rate > 0 else 24000)

    def on_text(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        kind = event.get("type")
        handler = {
            "session.update": self._update,
            "input_audio_buffer.append": self._append,
            "input_audio_buffer.commit": self._commit,
            "input_audio_buffer.clear": self._clear,
            "conversation.item.create": self._item,
            "response.create": self._respond,
            "response.cancel": self._cancel,
        }.get(kind if isinstance(kind, str) else "")
        if handler is None:
            yield self.error(
                "invalid_event", f"Unknown or missing event type: {kind!r}.", param="type"
            )
            return
        yield from handler(event)

    def _update(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        session = event.get("session")
        if not isinstance(session, dict):
            yield self.error("missing_required_parameter", "session is required.", param="session")
            return
        for key in _BETA_KEYS:
            if key in session:
                yield self.error(
                    "unknown_parameter",
                    f"Unknown parameter: 'session.{key}' (beta shape; use the GA session).",
                    param=f"session.{key}",
                )
                return
        if session.get("type") not in (None, "realtime"):
            yield self.error(
                "invalid_value", "session.type must be 'realtime'.", param="session.type"
            )
            return
        for key, value in session.items():
            current = self.session.get(key)
            if isinstance(value, dict) and isinstance(current, dict):
                value = {**current, **value}  # nested settings are merged, one level deep
            self.session[key] = value
        yield self._event("session.updated", session=self.session)

    def _append(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        audio = _b64(event.get("audio"))
        if audio is None:
            yield self.error("invalid_value", "audio must be base64-encoded.", param="audio")
            return
        self.buffer += audio

    def _commit(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        if not self.buffer:
            yield self.error("input_audio_buffer_commit_empty", "The input audio buffer is empty.")
            return
        item_id = "item_" + self.ids.alnum(16)
        previous = self.items[-1]["id"] if self.items else None
        transcript = transcript_of(bytes(self.buffer), self._input_rate())
        self.buffer.clear()
        item = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": None}],
        }
        self.items.append(item)
        self.last_user_text = transcript
        yield self._event(
            "input_audio_buffer.committed", item_id=item_id, previous_item_id=previous
        )
        yield self._event("conversation.item.added", item=item, previous_item_id=previous)
        yield self._event(
            "conversation.item.input_audio_transcription.completed",
            item_id=item_id,
            content_index=0,
            transcript=transcript,
        )

    def _clear(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        self.buffer.clear()
        yield self._event("input_audio_buffer.cleared")

    def _item(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        item = event.get("item")
        if not isinstance(item, dict):
            yield self.error("missing_required_parameter", "item is required.", param="item")
            return
        item = {"id": "item_" + self.ids.alnum(16), "object": "realtime.item", **item}
        for part in item.get("content") or ():
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                self.last_user_text = part["text"]
        previous = self.items[-1]["id"] if self.items else None
        self.items.append(item)
        yield self._event("conversation.item.added", item=item, previous_item_id=previous)

    def _reply_text(self) -> str:
        text = self.scripted() if self.scripted is not None else None
        if text:
            return str(text)
        if self.last_user_text:
            return f"You said: {self.last_user_text}"
        return DEFAULT_REPLY

    def _respond(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        given = event.get("response")
        options: Dict[str, Any] = given if isinstance(given, dict) else {}
        modalities = options.get("output_modalities") or self.session.get("output_modalities")
        modalities = [m for m in modalities or ["audio"] if m in ("text", "audio")] or ["audio"]
        response_id = "resp_" + self.ids.alnum(16)
        item_id = "item_" + self.ids.alnum(16)
        text = self._reply_text()
        words = text.split(" ")
        pieces = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
        where = {
            "response_id": response_id,
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
        }
        response: Dict[str, Any] = {
            "id": response_id,
            "object": "realtime.response",
            "status": "in_progress",
            "output": [],
            "output_modalities": modalities,
        }
        yield self._event("response.created", response=response)
        item: Dict[str, Any] = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        yield self._event(
            "response.output_item.added", response_id=response_id, output_index=0, item=item
        )
        text_kind = (
            "response.output_text" if "text" in modalities else "response.output_audio_transcript"
        )
        for piece in pieces:
            yield self._event(f"{text_kind}.delta", delta=piece, **where)
            if "audio" in modalities:
                yield self._event("response.output_audio.delta", delta=_audio_b64(piece), **where)
        if "audio" in modalities:
            yield self._event("response.output_audio.done", **where)
        done_field = "text" if "text" in modalities else "transcript"
        yield self._event(f"{text_kind}.done", **{done_field: text}, **where)
        content_type = "output_text" if "text" in modalities else "output_audio"
        item = {
            **item,
            "status": "completed",
            "content": [{"type": content_type, done_field: text}],
        }
        self.items.append(item)
        yield self._event(
            "response.output_item.done", response_id=response_id, output_index=0, item=item
        )
        output_tokens = len(words)
        input_tokens = sum(1 for _ in self.items)
        yield self._event(
            "response.done",
            response={
                **response,
                "status": "completed",
                "output": [item],
                "usage": {
                    "total_tokens": input_tokens + output_tokens,
                    "input_tokens": input_tokens,
                    "output_tokens": output_tokens,
                },
            },
        )

    def _cancel(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        yield self.error("response_cancel_not_active", "There is no active response.")


class SpeechStreamSim(SessionSim):
    """Incremental TTS (see the module docs)."""

    def __init__(self, ids: IdFactory, request_id: str, voice_id: str, model: str) -> None:
        super().__init__(ids, request_id)
        self.voice_id = voice_id
        self.elevenlabs = model.startswith("elevenlabs/")
        self.text = ""

    def on_text(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        if self.elevenlabs:
            yield from self._elevenlabs(event)
            return
        kind = event.get("type")
        if kind == "input_text_buffer.append":
            text = event.get("text")
            if not isinstance(text, str):
                yield self.error("invalid_value", "text must be a string.", param="text")
                return
            self.text += text
        elif kind == "input_text_buffer.commit":
            item_id = "item_" + self.ids.alnum(16)
            delta = {"type": "conversation.item.audio_output.delta", "item_id": item_id}
            for word in self.text.split():
                yield self.frame({**delta, "delta": _audio_b64(word)})
            yield self.frame({"type": "conversation.item.audio_output.done", "item_id": item_id})
            self.text = ""
        else:
            yield self.error("invalid_event", f"Unknown event type: {kind!r}.", param="type")

    def _elevenlabs(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        text = event.get("text")
        if not isinstance(text, str):
            yield self.error("invalid_value", "text must be a string.", param="text")
            return
        if text == "":
            yield self.frame({"isFinal": True})
            yield CloseSession(1000, "")
            self.closed = True
            return
        if not text.strip():  # initializeConnection (or a bare flush)
            return
        audio = _audio_b64(text)
        chars = list(text)
        yield self.frame(
            {
                "audio": audio,
                "isFinal": False,
                "normalizedAlignment": {
                    "chars": chars,
                    "charStartTimesMs": [10 * i for i in range(len(chars))],
                    "charDurationsMs": [10] * len(chars),
                },
            }
        )


class TranscriptionSim(SessionSim):
    """Realtime STT (see the module docs)."""

    def __init__(self, ids: IdFactory, request_id: str, model: str, audio_format: str) -> None:
        super().__init__(ids, request_id)
        self.model = model
        self.audio_format = audio_format
        kind, _, rest = audio_format.partition("_")
        rate = int(rest) if rest.isdigit() else 16000
        self.bytes_per_second = 2 * rate if kind == "pcm" else rate
        self.buffer = bytearray()

    def opening(self) -> Iterator[SessionStep]:
        yield self.frame(
            {
                "message_type": "session_started",
                "session_id": "sess_" + self.ids.alnum(20),
                "config": {"model_id": self.model, "audio_format": self.audio_format},
            }
        )

    def on_text(self, event: Dict[str, Any]) -> Iterator[SessionStep]:
        if event.get("message_type", event.get("type")) != "input_audio_chunk":
            return  # the gateway drops every other frame
        audio = _b64(event.get("audio_base_64"))
        if audio is None:
            yield self.frame(
                {"message_type": "input_error", "error": "audio_base_64 must be base64 audio."}
            )
            return
        self.buffer += audio
        text = transcript_of(bytes(self.buffer), self.bytes_per_second)
        if audio:
            yield self.frame({"message_type": "partial_transcript", "text": text})
        if event.get("commit") is True:
            yield self.frame({"message_type": "committed_transcript", "text": text})
            self.buffer.clear()
