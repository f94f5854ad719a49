"""Audio: speech, transcription, translation and voices (``docs/gateway/api.md`` §6).

Speech (``POST /v1/audio/speech``) answers raw audio bytes, not JSON; transcription and
translation take a multipart form with the audio file. The file itself is an argument of the
method (``audio.transcribe(file, params)``), not a field of these models.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional

from pydantic import Field

from .base import RequestModel, ResponseModel

__all__ = [
    "AudioTranslationsParams",
    "ListVoicesParams",
    "PronunciationDictionaryLocator",
    "SpeechParams",
    "TranscriptionParams",
    "TranscriptionResponse",
    "TranscriptionTranslateParams",
    "Voice",
    "VoiceSettings",
    "VoicesResponse",
]


class VoiceSettings(RequestModel):
    """ElevenLabs voice settings."""

    stability: Optional[float] = None
    similarity_boost: Optional[float] = None
    style: Optional[float] = None
    use_speaker_boost: Optional[bool] = None
    speed: Optional[float] = None


class PronunciationDictionaryLocator(RequestModel):
    """An ElevenLabs pronunciation dictionary, by id and version."""

    pronunciation_dictionary_id: str
    version_id: str


class SpeechParams(RequestModel):
    """``POST /v1/audio/speech``: ``input`` is required; the model defaults to the gateway's
    (``sarvam/bulbul:v3``).

    ``chunked`` is the wire's ``stream`` field (default true at the gateway: the audio is
    sent as it is synthesised). It is named apart from the SDK's own streaming, which is a
    matter of how the reply is read (``audio.synthesize`` returns the bytes,
    ``audio.synthesize_stream`` hands them over as they arrive); ``SpeechParams(stream=False)``
    still works. ``wav_*`` formats need ``chunked=False``.

    >>> SpeechParams(input="Hello", response_format="wav_44100", stream=False).to_json_dict()
    {'input': 'Hello', 'stream': False, 'response_format': 'wav_44100'}
    """

    input: str
    model: Optional[str] = None
    voice: Optional[str] = None
    speaker: Optional[str] = None
    chunked: Optional[bool] = Field(default=None, alias="stream")
    response_format: Optional[str] = None
    language_code: Optional[str] = None
    voice_settings: Optional[VoiceSettings] = None
    pronunciation_dictionary_locators: Optional[List[PronunciationDictionaryLocator]] = None
    seed: Optional[int] = None
    previous_text: Optional[str] = None
    next_text: Optional[str] = None
    previous_request_ids: Optional[List[str]] = None
    next_request_ids: Optional[List[str]] = None
    apply_text_normalization: Optional[Literal["auto", "on", "off"]] = None
    apply_language_text_normalization: Optional[bool] = None
    use_pvc_as_ivc: Optional[bool] = None
    enable_logging: Optional[bool] = None
    optimize_streaming_latency: Optional[int] = Field(default=None, ge=0, le=4)
    target_language_code: Optional[str] = None
    pitch: Optional[float] = None
    pace: Optional[float] = None
    loudness: Optional[float] = None
    speech_sample_rate: Optional[int] = None
    enable_preprocessing: Optional[bool] = None


class TranscriptionParams(RequestModel):
    """The form fields of ``POST /v1/audio/transcriptions``; ``model`` is required. The audio
    is the method's ``file`` argument, which may be left out when ``source_url`` or
    ``cloud_storage_url`` names it.

    Lists are sent as repeated fields (``keyterms``), booleans as ``true``/``false``.
    """

    model: str
    response_format: Optional[str] = None
    """``json`` (the default, ``{text}``) or ``verbose_json`` (with per-word ``words``)."""
    language_code: Optional[str] = None
    diarize: Optional[bool] = None
    num_speakers: Optional[int] = Field(default=None, ge=1, le=32)
    timestamps_granularity: Optional[Literal["word", "character"]] = None
    tag_audio_events: Optional[bool] = None
    diarization_threshold: Optional[float] = Field(default=None, ge=0.1, le=0.4)
    additional_formats: Optional[str] = None
    """A JSON-encoded string (ElevenLabs)."""
    file_format: Optional[str] = None
    cloud_storage_url: Optional[str] = None
    source_url: Optional[str] = None
    webhook: Optional[bool] = None
    webhook_id: Optional[str] = None
    webhook_metadata: Optional[str] = None
    temperature: Optional[float] = Field(default=None, ge=0, le=2)
    seed: Optional[int] = Field(default=None, ge=0, le=2147483647)
    use_multi_channel: Optional[bool] = None
    entity_detection: Optional[str] = None
    no_verbatim: Optional[bool] = None
    detect_speaker_roles: Optional[bool] = None
    entity_redaction: Optional[str] = None
    entity_redaction_mode: Optional[str] = None
    keyterms: Optional[List[str]] = None
    with_timestamps: Optional[bool] = None
    debug_mode: Optional[bool] = None


class TranscriptionTranslateParams(RequestModel):
    """The form fields of the legacy ``POST /v1/audio/transcriptions/translate`` (Sarvam by
    default); prefer :class:`AudioTranslationsParams`."""

    model: Optional[str] = None
    prompt: Optional[str] = None


class AudioTranslationsParams(RequestModel):
    """The form fields of ``POST /v1/audio/translations`` (speech to English, OpenAI's
    shape); ``model`` is required. ``response_format="text"`` gets a plain-text reply, which
    the SDK returns as a :class:`TranscriptionResponse` all the same."""

    model: str
    prompt: Optional[str] = None
    response_format: Optional[str] = None
    """``json`` (the default), ``verbose_json``, or ``text`` (a plain-text reply)."""
    temperature: Optional[float] = Field(default=None, ge=0, le=2)


class TranscriptionResponse(ResponseModel):
    """A transcription or translation: ``text``, plus whatever the provider adds
    (``words`` for ``verbose_json``; other fields are kept in ``model_extra``)."""

    text: Optional[str] = None
    words: Optional[List[Dict[str, Any]]] = None


class ListVoicesParams(RequestModel):
    """Query of ``GET /v1/audio/voices``. Two generations of filters exist: the newer
    catalog's ``brand``, ``model`` and ``search``, and the older ElevenLabs-style paging
    (``next_page_token``, ``page_size``...). Send whichever the gateway serves."""

    brand: Optional[str] = None
    model: Optional[str] = None
    search: Optional[str] = None
    next_page_token: Optional[str] = None
    page_size: Optional[int] = None
    sort: Optional[str] = None
    sort_direction: Optional[str] = None
    voice_type: Optional[str] = None
    category: Optional[str] = None
    include_total_count: Optional[bool] = None
    voice_ids: Optional[List[str]] = None


class Voice(ResponseModel):
    """A voice of the catalog."""

    voice_id: Optional[str] = None
    name: Optional[str] = None
    category: Optional[str] = None
    description: Optional[str] = None
    preview_url: Optional[str] = None
    labels: Dict[str, Any] = Field(default_factory=dict)


class VoicesResponse(ResponseModel):
    """``GET /v1/audio/voices``: ``voices``, with the newer catalog's ``count`` and
    ``truncated`` or the older paging's ``has_more``, ``total_count``, ``next_page_token``."""

    voices: List[Voice] = Field(default_factory=list)
    count: Optional[int] = None
    truncated: Optional[bool] = None
    has_more: Optional[bool] = None
    total_count: Optional[int] = None
    next_page_token: Optional[str] = None
