"""One received frame as the caller sees it: :class:`RealtimeMessage`.

The vendor SDK's ``RealtimeMessage`` has three fields, kept here with the meaning its Go twin
gives them: ``text`` is the frame's raw JSON text, ``event`` the parsed JSON object, and
``audio`` the decoded audio the frame carries (the gateway sends audio as base64 inside JSON,
never as binary frames; a binary frame, were one to come, is its ``audio`` as is). On top:

- ``type``: the event's GA name (beta names mapped, see :data:`BETA_EVENT_NAMES`; for the
  audio sockets the ``message_type``, or ``AudioOutput``/``FinalOutput`` for ElevenLabs'
  untyped frames *[inferred]*);
- ``delta``: the text of a text or transcript delta; ``transcript``: a whole transcript;
- ``parsed``: the event as a typed, lenient model (built on first access, so a session that
  only plays audio pays nothing for it).

``event`` keeps the frame exactly as sent, its beta ``type`` included.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Dict, Optional, Type

from ..models.realtime import (
    RealtimeConversationItemEvent,
    RealtimeErrorEvent,
    RealtimeInputAudioBufferEvent,
    RealtimeInputTranscriptionEvent,
    RealtimeOutputAudioDeltaEvent,
    RealtimeOutputTextEvent,
    RealtimeResponseEvent,
    RealtimeServerEvent,
    RealtimeSessionEvent,
    SpeechStreamAudioEvent,
    TranscriptEvent,
)

__all__ = ["AUDIO_DELTA_TYPES", "BETA_EVENT_NAMES", "RealtimeMessage", "event_type"]

BETA_EVENT_NAMES: Dict[str, str] = {
    "response.audio.delta": "response.output_audio.delta",
    "response.audio.done": "response.output_audio.done",
    "response.text.delta": "response.output_text.delta",
    "response.text.done": "response.output_text.done",
    "response.audio_transcript.delta": "response.output_audio_transcript.delta",
    "response.audio_transcript.done": "response.output_audio_transcript.done",
    "conversation.item.created": "conversation.item.added",
}
"""Beta event names and their GA names. The gateway's docs name the audio and text deltas; the rest
are their OpenAI siblings *[OpenAI GA]*."""

AUDIO_DELTA_TYPES = frozenset(
    {"response.output_audio.delta", "conversation.item.audio_output.delta"}
)
"""Events whose ``delta`` is base64 audio (realtime output; standard TTS-stream models)."""

_TEXT_DELTA_TYPES = frozenset(
    {
        "response.output_text.delta",
        "response.output_audio_transcript.delta",
        "conversation.item.input_audio_transcription.delta",
    }
)
_TRANSCRIPT_TYPES = frozenset({"partial_transcript", "committed_transcript"})

_MODELS: Dict[str, Type[RealtimeServerEvent]] = {
    "session.created": RealtimeSessionEvent,
    "session.updated": RealtimeSessionEvent,
    "error": RealtimeErrorEvent,
    "response.created": RealtimeResponseEvent,
    "response.done": RealtimeResponseEvent,
    "response.output_text.delta": RealtimeOutputTextEvent,
    "response.output_text.done": RealtimeOutputTextEvent,
    "response.output_audio_transcript.delta": RealtimeOutputTextEvent,
    "response.output_audio_transcript.done": RealtimeOutputTextEvent,
    "response.output_audio.delta": RealtimeOutputAudioDeltaEvent,
    "response.output_audio.done": RealtimeOutputTextEvent,
    "input_audio_buffer.committed": RealtimeInputAudioBufferEvent,
    "input_audio_buffer.cleared": RealtimeInputAudioBufferEvent,
    "input_audio_buffer.speech_started": RealtimeInputAudioBufferEvent,
    "input_audio_buffer.speech_stopped": RealtimeInputAudioBufferEvent,
    "conversation.item.input_audio_transcription.delta": RealtimeInputTranscriptionEvent,
    "conversation.item.input_audio_transcription.completed": RealtimeInputTranscriptionEvent,
    "conversation.item.input_audio_transcription.failed": RealtimeInputTranscriptionEvent,
    "conversation.item.added": RealtimeConversationItemEvent,
    "conversation.item.done": RealtimeConversationItemEvent,
    "response.output_item.added": RealtimeConversationItemEvent,
    "response.output_item.done": RealtimeConversationItemEvent,
    "conversation.item.audio_output.delta": SpeechStreamAudioEvent,
    "conversation.item.audio_output.done": SpeechStreamAudioEvent,
    "AudioOutput": SpeechStreamAudioEvent,
    "FinalOutput": SpeechStreamAudioEvent,
    "session_started": TranscriptEvent,
    "partial_transcript": TranscriptEvent,
    "committed_transcript": TranscriptEvent,
    "committed_transcript_with_timestamps": TranscriptEvent,
}


def event_type(event: Dict[str, Any]) -> str:
    """The GA name of ``event``'s type (``""`` if it has none).

    >>> event_type({"type": "response.audio.delta"})
    'response.output_audio.delta'
    >>> event_type({"message_type": "partial_transcript"})
    'partial_transcript'
    >>> event_type({"audio": "AAA=", "isFinal": False})
    'AudioOutput'
    """
    raw = event.get("type")
    if not isinstance(raw, str):
        raw = event.get("message_type")
    if isinstance(raw, str):
        return BETA_EVENT_NAMES.get(raw, raw)
    if isinstance(event.get("audio"), str):
        return "AudioOutput"
    if event.get("isFinal") is True:
        return "FinalOutput"
    return ""


def _b64decode(value: Any) -> Optional[bytes]:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


class RealtimeMessage:
    """One frame the server sent, decoded (see the module docs for each field).

    >>> msg = RealtimeMessage.from_event('{"type":"response.audio.delta","delta":"AAE="}',
    ...                                  {"type": "response.audio.delta", "delta": "AAE="})
    >>> msg.type, msg.audio, msg.event["type"]
    ('response.output_audio.delta', b'\\x00\\x01', 'response.audio.delta')
    """

    __slots__ = ("_parsed", "audio", "delta", "event", "text", "transcript", "type")

    def __init__(
        self,
        *,
        text: Optional[str] = None,
        audio: Optional[bytes] = None,
        event: Optional[Dict[str, Any]] = None,
        type: str = "",
        delta: Optional[str] = None,
        transcript: Optional[str] = None,
    ) -> None:
        self.text = text
        """The frame's raw text (``None`` for a binary frame)."""
        self.audio = audio
        """The audio this frame carries, decoded, or ``None``."""
        self.event = event
        """The frame's JSON object, as sent."""
        self.type = type
        """The event's GA type name (``""`` when it has none)."""
        self.delta = delta
        """The text of a text or transcript delta, or ``None``."""
        self.transcript = transcript
        """A whole transcript (input transcription, a finished audio transcript, a
        speech-to-text result), or ``None``."""
        self._parsed: Optional[RealtimeServerEvent] = None

    @classmethod
    def from_event(cls, text: str, event: Dict[str, Any]) -> RealtimeMessage:
        """The message for a text frame whose JSON object is ``event``."""
        kind = event_type(event)
        audio = None
        delta = None
        transcript = None
        if kind in AUDIO_DELTA_TYPES:
            audio = _b64decode(event.get("delta"))
        elif kind == "AudioOutput":
            audio = _b64decode(event.get("audio"))
        elif kind in _TEXT_DELTA_TYPES:
            value = event.get("delta")
            delta = value if isinstance(value, str) else None
        if transcript is None:
            value = event.get("transcript")
            if isinstance(value, str):
                transcript = value
            elif kind in _TRANSCRIPT_TYPES or kind.startswith("committed_transcript"):
                value = event.get("text")
                transcript = value if isinstance(value, str) else None
        return cls(
            text=text, audio=audio, event=event, type=kind, delta=delta, transcript=transcript
        )

    @classmethod
    def from_binary(cls, data: bytes) -> RealtimeMessage:
        """The message for a binary frame (the gateway documents none)."""
        return cls(audio=data, type="binary")

    @property
    def parsed(self) -> RealtimeServerEvent:
        """The event as its typed model (:class:`RealtimeServerEvent` for unknown types);
        a frame whose fields do not fit its model is kept whole in the base model."""
        if self._parsed is None:
            data = dict(self.event or {})
            data["type"] = self.type or None
            model = _MODELS.get(self.type, RealtimeServerEvent)
            try:
                self._parsed = model.model_validate(data)
            except ValueError:  # pydantic.ValidationError is a ValueError
                self._parsed = RealtimeServerEvent.model_construct(**data)
        return self._parsed

    def __repr__(self) -> str:
        if self.audio is not None:
            return f"RealtimeMessage(type={self.type!r}, audio=<{len(self.audio)} bytes>)"
        if self.delta is not None:
            return f"RealtimeMessage(type={self.type!r}, delta={self.delta!r})"
        return f"RealtimeMessage(type={self.type!r})"
