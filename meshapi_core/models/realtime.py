"""The three WebSocket sessions: what opens them, what the client sends, what comes back.

Realtime speech-to-speech (``docs/gateway/api.md`` §15, ``docs/gateway/streaming.md`` §7.1)
passes OpenAI's Realtime GA events through verbatim: the server events below are the ones the
gateway's docs name, plus their OpenAI GA siblings that a conversation meets (marked
*[OpenAI GA]*: documented by OpenAI, not by the gateway). Every field is optional and unknown
fields are kept, so a new event or field never breaks a session. Beta event names
(``response.audio.delta``...) are mapped to their GA names before decoding
(:data:`meshapi_core.realtime.messages.BETA_EVENT_NAMES`).

The two audio sockets (``docs/gateway/api.md`` §6.7, ``docs/gateway/streaming.md`` §7.2 and
§7.3) proxy ElevenLabs-style protocols whose frame keys the gateway's docs did not capture.
What is modelled here beyond their words is marked *[inferred]*: the query parameters,
ElevenLabs' ``text``/``audio``/``isFinal`` keys, and Scribe's
``message_type``/``audio_base_64``/``commit`` keys.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Dict, List, Literal, Optional

from pydantic import Field

from .base import RequestModel, ResponseModel

__all__ = [
    "RealtimeAudioConfig",
    "RealtimeAudioFormat",
    "RealtimeAudioInput",
    "RealtimeAudioOutput",
    "RealtimeConnectParams",
    "RealtimeConversationItemEvent",
    "RealtimeErrorDetail",
    "RealtimeErrorEvent",
    "RealtimeInputAudioBufferEvent",
    "RealtimeInputTranscriptionEvent",
    "RealtimeOutputAudioDeltaEvent",
    "RealtimeOutputTextEvent",
    "RealtimeResponseEvent",
    "RealtimeResponseInfo",
    "RealtimeServerEvent",
    "RealtimeSessionConfig",
    "RealtimeSessionEvent",
    "RealtimeSessionInfo",
    "SpeechStreamAudioEvent",
    "SpeechStreamParams",
    "TranscriptEvent",
    "TranscriptionSessionParams",
]


# -- opening a session -------------------------------------------------------------------------


class RealtimeConnectParams(RequestModel):
    """The query of ``wss://.../v1/realtime``: the realtime model (required)."""

    model: str = Field(min_length=1)
    """A realtime-capable model id, e.g. ``openai/gpt-realtime``."""


class SpeechStreamParams(RequestModel):
    """The query of ``/v1/audio/speech/stream/{voice_id}`` *[inferred]*: the gateway's docs
    give the output formats, not the parameter names."""

    model: Optional[str] = None
    """The TTS model; its family decides the frame protocol (ElevenLabs or standard)."""
    output_format: Optional[
        Literal[
            "mp3_22050_32", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128",
            "mp3_44100_192", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_44100", "ulaw_8000",
        ]
    ] = None  # fmt: skip
    """The audio encoding of the replies (the list of ``docs/gateway/api.md`` §6.7)."""
    language_code: Optional[str] = None
    """BCP-47 language, for models that take one *[inferred]*."""


class TranscriptionSessionParams(RequestModel):
    """The query of ``/v1/audio/transcriptions/realtime`` *[inferred names]*."""

    model: Optional[str] = None
    """The STT model, e.g. ``elevenlabs/scribe_v2_realtime``."""
    audio_format: Optional[
        Literal[
            "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_44100", "pcm_48000",
            "ulaw_8000",
        ]
    ] = None  # fmt: skip
    """The encoding of the audio you send (the list of ``docs/gateway/api.md`` §6.7; PCM is
    16-bit mono)."""
    language_code: Optional[str] = None
    """The spoken language, if known."""


# -- the session configuration (session.update) ------------------------------------------------


class RealtimeAudioFormat(RequestModel):
    """An audio format: ``{"type": "audio/pcm", "rate": 24000}`` (also ``audio/pcmu``,
    ``audio/pcma`` at 8 kHz)."""

    type: str
    rate: Optional[int] = None


class RealtimeAudioInput(RequestModel):
    """How input audio is read: its format; turn detection, transcription and noise reduction
    are OpenAI GA fields *[OpenAI GA]*."""

    format: Optional[RealtimeAudioFormat] = None
    transcription: Optional[Dict[str, Any]] = None
    turn_detection: Optional[Dict[str, Any]] = None
    noise_reduction: Optional[Dict[str, Any]] = None


class RealtimeAudioOutput(RequestModel):
    """How output audio is made: its format and voice (``speed`` *[OpenAI GA]*)."""

    format: Optional[RealtimeAudioFormat] = None
    voice: Optional[str] = None
    speed: Optional[float] = None


class RealtimeAudioConfig(RequestModel):
    """The ``audio`` object of a GA session: ``input`` and ``output``."""

    input: Optional[RealtimeAudioInput] = None
    output: Optional[RealtimeAudioOutput] = None


class RealtimeSessionConfig(RequestModel):
    """The GA ``session`` object of ``session.update`` (the beta shape, with ``modalities``,
    ``voice`` or ``input_audio_format`` at this level, is refused by the gateway, so it is
    refused here before sending).

    >>> RealtimeSessionConfig(output_modalities=["text"], instructions="Be brief.").to_json_dict()
    {'output_modalities': ['text'], 'instructions': 'Be brief.', 'type': 'realtime'}
    """

    type: Literal["realtime"] = "realtime"
    """Always ``realtime`` for a speech-to-speech session (sent even when not set)."""
    output_modalities: Optional[List[Literal["text", "audio"]]] = None
    instructions: Optional[str] = None
    audio: Optional[RealtimeAudioConfig] = None
    tools: Optional[List[Dict[str, Any]]] = None
    """Function tools *[OpenAI GA]*."""
    tool_choice: Optional[Any] = None
    """``auto``, ``none``, ``required`` or a function *[OpenAI GA]*."""
    max_output_tokens: Optional[Any] = None
    """An int or ``"inf"`` *[OpenAI GA]*."""

    def to_json_dict(self) -> Dict[str, Any]:
        """The object to send: the fields set, plus ``extra_body``, and always ``type``."""
        body = super().to_json_dict()
        body.setdefault("type", "realtime")
        return body


# -- what the server sends: realtime ------------------------------------------------------------


def _b64(value: Optional[str]) -> bytes:
    if not value:
        return b""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return b""


class RealtimeServerEvent(ResponseModel):
    """Any event the server sends; the base of the typed ones and the model of those this
    release does not know (their fields are kept)."""

    type: Optional[str] = None
    """The GA event name."""
    event_id: Optional[str] = None


class RealtimeSessionInfo(ResponseModel):
    """The session as the server describes it (``session.created``/``session.updated``)."""

    id: Optional[str] = None
    object: Optional[str] = None
    type: Optional[str] = None
    model: Optional[str] = None
    output_modalities: Optional[List[str]] = None
    instructions: Optional[str] = None
    audio: Optional[Dict[str, Any]] = None
    expires_at: Optional[int] = None
    """*[OpenAI GA]*"""


class RealtimeSessionEvent(RealtimeServerEvent):
    """``session.created`` (right after the handshake) and ``session.updated``."""

    session: Optional[RealtimeSessionInfo] = None


class RealtimeErrorDetail(ResponseModel):
    """The ``error`` object of an error event."""

    type: Optional[str] = None
    code: Optional[str] = None
    message: Optional[str] = None
    param: Optional[str] = None
    event_id: Optional[str] = None
    """The client event that caused it *[OpenAI GA]*."""


class RealtimeErrorEvent(RealtimeServerEvent):
    """``error``: ``{"type": "error", "error": {"code", "message", "param"?}, "request_id"}``
    (``docs/gateway/errors.md`` §6). The session raises it as a
    :class:`~meshapi_core.realtime.errors.RealtimeError`."""

    error: Optional[RealtimeErrorDetail] = None
    request_id: Optional[str] = None


class RealtimeResponseInfo(ResponseModel):
    """A response as ``response.created``/``response.done`` describe it."""

    id: Optional[str] = None
    object: Optional[str] = None
    status: Optional[str] = None
    status_details: Optional[Dict[str, Any]] = None
    output: Optional[List[Dict[str, Any]]] = None
    usage: Optional[Dict[str, Any]] = None
    output_modalities: Optional[List[str]] = None


class RealtimeResponseEvent(RealtimeServerEvent):
    """``response.created`` and ``response.done``."""

    response: Optional[RealtimeResponseInfo] = None


class _ResponsePart(RealtimeServerEvent):
    response_id: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    content_index: Optional[int] = None


class RealtimeOutputTextEvent(_ResponsePart):
    """``response.output_text.delta``/``.done`` and ``response.output_audio_transcript.delta``
    /``.done``: ``delta`` while streaming; ``text`` or ``transcript`` when done."""

    delta: Optional[str] = None
    text: Optional[str] = None
    transcript: Optional[str] = None


class RealtimeOutputAudioDeltaEvent(_ResponsePart):
    """``response.output_audio.delta`` (beta ``response.audio.delta``): ``delta`` is base64
    audio in the session's output format."""

    delta: Optional[str] = None

    def audio(self) -> bytes:
        """The decoded audio (empty if ``delta`` is not valid base64)."""
        return _b64(self.delta)


class RealtimeInputAudioBufferEvent(RealtimeServerEvent):
    """``input_audio_buffer.committed``/``.cleared``/``.speech_started``/``.speech_stopped``."""

    item_id: Optional[str] = None
    previous_item_id: Optional[str] = None
    audio_start_ms: Optional[int] = None
    audio_end_ms: Optional[int] = None


class RealtimeInputTranscriptionEvent(RealtimeServerEvent):
    """``conversation.item.input_audio_transcription.delta``/``.completed``/``.failed``
    *[OpenAI GA]*: the transcript of committed input audio."""

    item_id: Optional[str] = None
    content_index: Optional[int] = None
    delta: Optional[str] = None
    transcript: Optional[str] = None
    error: Optional[Dict[str, Any]] = None


class RealtimeConversationItemEvent(RealtimeServerEvent):
    """``conversation.item.added``/``.done`` (beta ``conversation.item.created``) and
    ``response.output_item.added``/``.done`` *[OpenAI GA]*."""

    item: Optional[Dict[str, Any]] = None
    previous_item_id: Optional[str] = None
    response_id: Optional[str] = None
    output_index: Optional[int] = None


# -- what the server sends: the audio sockets ----------------------------------------------------


class SpeechStreamAudioEvent(RealtimeServerEvent):
    """A TTS-stream reply carrying audio: ``conversation.item.audio_output.delta`` (standard
    models; ``delta`` is base64) or ElevenLabs' ``AudioOutput`` *[inferred keys]*: ``audio``
    (base64), ``isFinal``, ``normalizedAlignment``, ``alignment``."""

    delta: Optional[str] = None
    item_id: Optional[str] = None
    audio_base64: Optional[str] = Field(default=None, alias="audio")
    is_final: Optional[bool] = Field(default=None, alias="isFinal")
    normalized_alignment: Optional[Dict[str, Any]] = Field(
        default=None, alias="normalizedAlignment"
    )
    alignment: Optional[Dict[str, Any]] = None

    def audio(self) -> bytes:
        """The decoded audio of this frame."""
        return _b64(self.delta or self.audio_base64)


class TranscriptEvent(RealtimeServerEvent):
    """A realtime-STT reply *[inferred: ElevenLabs Scribe v2 realtime]*: ``message_type``
    ``session_started``, ``partial_transcript``, ``committed_transcript``,
    ``committed_transcript_with_timestamps``; ``text`` is the transcript so far."""

    message_type: Optional[str] = None
    text: Optional[str] = None
    session_id: Optional[str] = None
    language_code: Optional[str] = None
    words: Optional[List[Dict[str, Any]]] = None
