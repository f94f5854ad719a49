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
    """``audio/pcm`` (24 kHz), or ``audio/pcmu`` or ``audio/pcma`` (8 kHz)."""
    rate: Optional[int] = None
    """The sample rate in Hz, e.g. ``24000`` for ``audio/pcm``."""


class RealtimeAudioInput(RequestModel):
    """How input audio is read: its format; turn detection, transcription and noise reduction
    are OpenAI GA fields *[OpenAI GA]*."""

    format: Optional[RealtimeAudioFormat] = None
    """The format of the audio you send."""
    transcription: Optional[Dict[str, Any]] = None
    """How to transcribe your audio, e.g. ``{"model": ...}`` *[OpenAI GA]*."""
    turn_detection: Optional[Dict[str, Any]] = None
    """How the server decides you have finished speaking *[OpenAI GA]*."""
    noise_reduction: Optional[Dict[str, Any]] = None
    """Noise reduction of your audio *[OpenAI GA]*."""


class RealtimeAudioOutput(RequestModel):
    """How output audio is made: its format and voice (``speed`` *[OpenAI GA]*)."""

    format: Optional[RealtimeAudioFormat] = None
    """The format of the audio the model speaks."""
    voice: Optional[str] = None
    """The voice the model speaks with, e.g. ``alloy``."""
    speed: Optional[float] = None
    """How fast the model speaks *[OpenAI GA]*."""


class RealtimeAudioConfig(RequestModel):
    """The ``audio`` object of a GA session: ``input`` and ``output``."""

    input: Optional[RealtimeAudioInput] = None
    """How your audio is read."""
    output: Optional[RealtimeAudioOutput] = None
    """How the model's audio is made."""


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
    """What the model answers with: ``["audio"]`` or ``["text"]``."""
    instructions: Optional[str] = None
    """The system instructions of the session."""
    audio: Optional[RealtimeAudioConfig] = None
    """The audio formats, voice and input handling."""
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
    """The server's id of this event."""


class RealtimeSessionInfo(ResponseModel):
    """The session as the server describes it (``session.created``/``session.updated``)."""

    id: Optional[str] = None
    """The session's id."""
    object: Optional[str] = None
    """The kind of object, as the server names it."""
    type: Optional[str] = None
    """``realtime``."""
    model: Optional[str] = None
    """The model of the session."""
    output_modalities: Optional[List[str]] = None
    """What the model answers with."""
    instructions: Optional[str] = None
    """The system instructions in force."""
    audio: Optional[Dict[str, Any]] = None
    """The audio configuration in force."""
    expires_at: Optional[int] = None
    """When the session expires (Unix seconds) *[OpenAI GA]*."""


class RealtimeSessionEvent(RealtimeServerEvent):
    """``session.created`` (right after the handshake) and ``session.updated``."""

    session: Optional[RealtimeSessionInfo] = None
    """The session as it now is."""


class RealtimeErrorDetail(ResponseModel):
    """The ``error`` object of an error event."""

    type: Optional[str] = None
    """The kind of error."""
    code: Optional[str] = None
    """The error code, e.g. ``idle_timeout`` (``docs/gateway/errors.md`` §6)."""
    message: Optional[str] = None
    """Text for people."""
    param: Optional[str] = None
    """The parameter at fault, if one is."""
    event_id: Optional[str] = None
    """The client event that caused it *[OpenAI GA]*."""


class RealtimeErrorEvent(RealtimeServerEvent):
    """``error``: ``{"type": "error", "error": {"code", "message", "param"?}, "request_id"}``
    (``docs/gateway/errors.md`` §6). The session raises it as a
    :class:`~meshapi_core.realtime.errors.RealtimeError`."""

    error: Optional[RealtimeErrorDetail] = None
    """What went wrong."""
    request_id: Optional[str] = None
    """The gateway's id of the session's request."""


class RealtimeResponseInfo(ResponseModel):
    """A response as ``response.created``/``response.done`` describe it."""

    id: Optional[str] = None
    """The response's id."""
    object: Optional[str] = None
    """The kind of object, as the server names it."""
    status: Optional[str] = None
    """Where the response stands, e.g. ``in_progress`` or ``completed``."""
    status_details: Optional[Dict[str, Any]] = None
    """Why it ended as it did, e.g. the reason it is incomplete."""
    output: Optional[List[Dict[str, Any]]] = None
    """The items the response produced."""
    usage: Optional[Dict[str, Any]] = None
    """Token counts of the response."""
    output_modalities: Optional[List[str]] = None
    """What the response holds: audio or text."""


class RealtimeResponseEvent(RealtimeServerEvent):
    """``response.created`` and ``response.done``."""

    response: Optional[RealtimeResponseInfo] = None
    """The response."""


class _ResponsePart(RealtimeServerEvent):
    response_id: Optional[str] = None
    """The response this belongs to."""
    item_id: Optional[str] = None
    """The output item this belongs to."""
    output_index: Optional[int] = None
    """The item's position in the response's output."""
    content_index: Optional[int] = None
    """The content part's position in the item."""


class RealtimeOutputTextEvent(_ResponsePart):
    """``response.output_text.delta``/``.done`` and ``response.output_audio_transcript.delta``
    /``.done``: ``delta`` while streaming; ``text`` or ``transcript`` when done."""

    delta: Optional[str] = None
    """The text this event adds, while streaming."""
    text: Optional[str] = None
    """The whole text, when done."""
    transcript: Optional[str] = None
    """The whole transcript of the spoken answer, when done."""


class RealtimeOutputAudioDeltaEvent(_ResponsePart):
    """``response.output_audio.delta`` (beta ``response.audio.delta``): ``delta`` is base64
    audio in the session's output format."""

    delta: Optional[str] = None
    """A piece of audio, base64, in the session's output format."""

    def audio(self) -> bytes:
        """The decoded audio (empty if ``delta`` is not valid base64)."""
        return _b64(self.delta)


class RealtimeInputAudioBufferEvent(RealtimeServerEvent):
    """``input_audio_buffer.committed``/``.cleared``/``.speech_started``/``.speech_stopped``."""

    item_id: Optional[str] = None
    """The conversation item the audio becomes."""
    previous_item_id: Optional[str] = None
    """The item it follows."""
    audio_start_ms: Optional[int] = None
    """Where speech started in the buffer, in milliseconds."""
    audio_end_ms: Optional[int] = None
    """Where speech stopped in the buffer, in milliseconds."""


class RealtimeInputTranscriptionEvent(RealtimeServerEvent):
    """``conversation.item.input_audio_transcription.delta``/``.completed``/``.failed``
    *[OpenAI GA]*: the transcript of committed input audio."""

    item_id: Optional[str] = None
    """The conversation item of the audio."""
    content_index: Optional[int] = None
    """The content part's position in the item."""
    delta: Optional[str] = None
    """The text this event adds, while transcribing."""
    transcript: Optional[str] = None
    """The whole transcript, when completed."""
    error: Optional[Dict[str, Any]] = None
    """Why the transcription failed."""


class RealtimeConversationItemEvent(RealtimeServerEvent):
    """``conversation.item.added``/``.done`` (beta ``conversation.item.created``) and
    ``response.output_item.added``/``.done`` *[OpenAI GA]*."""

    item: Optional[Dict[str, Any]] = None
    """The item: a message, a function call or its output."""
    previous_item_id: Optional[str] = None
    """The item it follows in the conversation."""
    response_id: Optional[str] = None
    """The response that produced it, for an output item."""
    output_index: Optional[int] = None
    """Its position in the response's output."""


# -- what the server sends: the audio sockets ----------------------------------------------------


class SpeechStreamAudioEvent(RealtimeServerEvent):
    """A TTS-stream reply carrying audio: ``conversation.item.audio_output.delta`` (standard
    models; ``delta`` is base64) or ElevenLabs' ``AudioOutput`` *[inferred keys]*: ``audio``
    (base64), ``isFinal``, ``normalizedAlignment``, ``alignment``."""

    delta: Optional[str] = None
    """A piece of audio, base64 (standard models)."""
    item_id: Optional[str] = None
    """The item the audio belongs to (standard models)."""
    audio_base64: Optional[str] = Field(default=None, alias="audio")
    """A piece of audio, base64 (ElevenLabs; sent as ``audio``) *[inferred]*."""
    is_final: Optional[bool] = Field(default=None, alias="isFinal")
    """Whether this is the last audio (ElevenLabs; sent as ``isFinal``) *[inferred]*."""
    normalized_alignment: Optional[Dict[str, Any]] = Field(
        default=None, alias="normalizedAlignment"
    )
    """When each character of the normalised text is spoken (ElevenLabs) *[inferred]*."""
    alignment: Optional[Dict[str, Any]] = None
    """When each character of the text is spoken (ElevenLabs) *[inferred]*."""

    def audio(self) -> bytes:
        """The decoded audio of this frame."""
        return _b64(self.delta or self.audio_base64)


class TranscriptEvent(RealtimeServerEvent):
    """A realtime-STT reply *[inferred: ElevenLabs Scribe v2 realtime]*: ``message_type``
    ``session_started``, ``partial_transcript``, ``committed_transcript``,
    ``committed_transcript_with_timestamps``; ``text`` is the transcript so far."""

    message_type: Optional[str] = None
    """``session_started``, ``partial_transcript``, ``committed_transcript``... *[inferred]*."""
    text: Optional[str] = None
    """The transcript so far."""
    session_id: Optional[str] = None
    """The transcription session's id."""
    language_code: Optional[str] = None
    """The language detected."""
    words: Optional[List[Dict[str, Any]]] = None
    """Per word, its timing, with timestamps."""
