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
    """How steady the voice stays from one sentence to the next (ElevenLabs)."""
    similarity_boost: Optional[float] = None
    """How closely the voice keeps to the original speaker (ElevenLabs)."""
    style: Optional[float] = None
    """How much of the speaker's style is exaggerated (ElevenLabs)."""
    use_speaker_boost: Optional[bool] = None
    """Boost the likeness to the original speaker (ElevenLabs)."""
    speed: Optional[float] = None
    """How fast the voice speaks (ElevenLabs)."""


class PronunciationDictionaryLocator(RequestModel):
    """An ElevenLabs pronunciation dictionary, by id and version."""

    pronunciation_dictionary_id: str
    """The dictionary's id."""
    version_id: str
    """The dictionary version to use."""


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
    """The text to speak (required)."""
    model: Optional[str] = None
    """The TTS model (the gateway's default: ``sarvam/bulbul:v3``); it decides the provider."""
    voice: Optional[str] = None
    """The voice id; required for ElevenLabs, and it must match the model's brand."""
    speaker: Optional[str] = None
    """The Sarvam speaker (the gateway's default: ``anushka``)."""
    chunked: Optional[bool] = Field(default=None, alias="stream")
    """Send the audio as it is synthesised (sent as ``stream``; the gateway's default: true)."""
    response_format: Optional[str] = None
    """The audio encoding, e.g. ``mp3_44100_128``, ``pcm_22050``, ``wav_44100`` (``wav_*`` only with
    ``chunked=False``)."""
    language_code: Optional[str] = None
    """The language, BCP-47 (Sarvam expects a region, e.g. ``en-IN``)."""
    voice_settings: Optional[VoiceSettings] = None
    """Stability, similarity, style, speaker boost and speed (ElevenLabs)."""
    pronunciation_dictionary_locators: Optional[List[PronunciationDictionaryLocator]] = None
    """Pronunciation dictionaries to apply, by id and version (ElevenLabs)."""
    seed: Optional[int] = None
    """A seed, for repeatable audio (ElevenLabs)."""
    previous_text: Optional[str] = None
    """The text spoken before this one, for continuity (ElevenLabs)."""
    next_text: Optional[str] = None
    """The text spoken after this one, for continuity (ElevenLabs)."""
    previous_request_ids: Optional[List[str]] = None
    """Ids of the requests that spoke the text before this one, for continuity (ElevenLabs)."""
    next_request_ids: Optional[List[str]] = None
    """Ids of the requests that speak the text after this one, for continuity (ElevenLabs)."""
    apply_text_normalization: Optional[Literal["auto", "on", "off"]] = None
    """Spell out numbers and abbreviations: ``auto``, ``on`` or ``off`` (ElevenLabs)."""
    apply_language_text_normalization: Optional[bool] = None
    """Normalise the text by the rules of its language (ElevenLabs)."""
    use_pvc_as_ivc: Optional[bool] = None
    """Use a professional voice clone as an instant one (ElevenLabs)."""
    enable_logging: Optional[bool] = None
    """Whether the provider may log the request (ElevenLabs)."""
    optimize_streaming_latency: Optional[int] = Field(default=None, ge=0, le=4)
    """Trade quality for a faster first byte: 0 to 4 (ElevenLabs)."""
    target_language_code: Optional[str] = None
    """The language to speak (Sarvam; the gateway's default: ``hi-IN``)."""
    pitch: Optional[float] = None
    """The voice's pitch (Sarvam)."""
    pace: Optional[float] = None
    """How fast the voice speaks (Sarvam)."""
    loudness: Optional[float] = None
    """How loud the voice is (Sarvam)."""
    speech_sample_rate: Optional[int] = None
    """The sample rate of the audio, in Hz (Sarvam)."""
    enable_preprocessing: Optional[bool] = None
    """Normalise the text before speaking it (Sarvam)."""


class TranscriptionParams(RequestModel):
    """The form fields of ``POST /v1/audio/transcriptions``; ``model`` is required. The audio
    is the method's ``file`` argument, which may be left out when ``source_url`` or
    ``cloud_storage_url`` names it.

    Lists are sent as repeated fields (``keyterms``), booleans as ``true``/``false``.
    """

    model: str
    """The STT model (required), e.g. ``elevenlabs/scribe_v2`` or ``sarvam/saaras:v3``."""
    response_format: Optional[str] = None
    """``json`` (the default, ``{text}``) or ``verbose_json`` (with per-word ``words``)."""
    language_code: Optional[str] = None
    """The spoken language, if known."""
    diarize: Optional[bool] = None
    """Tell the speakers apart."""
    num_speakers: Optional[int] = Field(default=None, ge=1, le=32)
    """How many speakers there are: 1 to 32."""
    timestamps_granularity: Optional[Literal["word", "character"]] = None
    """Timestamps per ``word`` or per ``character``."""
    tag_audio_events: Optional[bool] = None
    """Mark sounds such as laughter in the transcript."""
    diarization_threshold: Optional[float] = Field(default=None, ge=0.1, le=0.4)
    """How readily a new speaker is assumed: 0.1 to 0.4."""
    additional_formats: Optional[str] = None
    """A JSON-encoded string (ElevenLabs)."""
    file_format: Optional[str] = None
    """The format of the audio file, when it cannot be told from the file."""
    cloud_storage_url: Optional[str] = None
    """A cloud-storage URL of the audio, instead of a file."""
    source_url: Optional[str] = None
    """A URL of the audio, instead of a file."""
    webhook: Optional[bool] = None
    """Answer at once and deliver the transcript to a webhook."""
    webhook_id: Optional[str] = None
    """The webhook that receives the transcript."""
    webhook_metadata: Optional[str] = None
    """Data passed back with the webhook call."""
    temperature: Optional[float] = Field(default=None, ge=0, le=2)
    """Sampling temperature: 0 to 2."""
    seed: Optional[int] = Field(default=None, ge=0, le=2147483647)
    """A seed, for repeatable results: 0 to 2147483647."""
    use_multi_channel: Optional[bool] = None
    """Transcribe each channel of the audio separately."""
    entity_detection: Optional[str] = None
    """Which entities to detect in the transcript."""
    no_verbatim: Optional[bool] = None
    """Leave out filler words and false starts."""
    detect_speaker_roles: Optional[bool] = None
    """Name the speakers' roles."""
    entity_redaction: Optional[str] = None
    """Which entities to redact from the transcript."""
    entity_redaction_mode: Optional[str] = None
    """How redacted entities are replaced."""
    keyterms: Optional[List[str]] = None
    """Words and phrases the audio is likely to contain, to help recognise them."""
    with_timestamps: Optional[bool] = None
    """Include timestamps in the transcript."""
    debug_mode: Optional[bool] = None
    """Ask the provider for debugging output."""


class TranscriptionTranslateParams(RequestModel):
    """The form fields of the legacy ``POST /v1/audio/transcriptions/translate`` (Sarvam by
    default); prefer :class:`AudioTranslationsParams`."""

    model: Optional[str] = None
    """The model (Sarvam by default)."""
    prompt: Optional[str] = None
    """Text that guides the translation's style or vocabulary."""


class AudioTranslationsParams(RequestModel):
    """The form fields of ``POST /v1/audio/translations`` (speech to English, OpenAI's
    shape); ``model`` is required. ``response_format="text"`` gets a plain-text reply, which
    the SDK returns as a :class:`TranscriptionResponse` all the same."""

    model: str
    """The model (required); a provider without translation answers 422."""
    prompt: Optional[str] = None
    """Text that guides the translation's style or vocabulary."""
    response_format: Optional[str] = None
    """``json`` (the default), ``verbose_json``, or ``text`` (a plain-text reply)."""
    temperature: Optional[float] = Field(default=None, ge=0, le=2)
    """Sampling temperature: 0 to 2."""


class TranscriptionResponse(ResponseModel):
    """A transcription or translation: ``text``, plus whatever the provider adds
    (``words`` for ``verbose_json``; other fields are kept in ``model_extra``)."""

    text: Optional[str] = None
    """The transcript (or its English translation)."""
    words: Optional[List[Dict[str, Any]]] = None
    """One entry per word, with ``response_format="verbose_json"``."""


class ListVoicesParams(RequestModel):
    """Query of ``GET /v1/audio/voices``. Two generations of filters exist: the newer
    catalog's ``brand``, ``model`` and ``search``, and the older ElevenLabs-style paging
    (``next_page_token``, ``page_size``...). Send whichever the gateway serves."""

    brand: Optional[str] = None
    """Only voices of this brand, e.g. ``elevenlabs``, ``hexgrad``, ``canopylabs``, ``cartesia``
    (newer catalog)."""
    model: Optional[str] = None
    """Only voices of this model (newer catalog)."""
    search: Optional[str] = None
    """A case-insensitive substring of the voice's name or description."""
    next_page_token: Optional[str] = None
    """The ``next_page_token`` of the previous page (older, ElevenLabs-style paging)."""
    page_size: Optional[int] = None
    """The most voices on one page (older paging)."""
    sort: Optional[str] = None
    """The field to sort by (older paging)."""
    sort_direction: Optional[str] = None
    """``asc`` or ``desc`` (older paging)."""
    voice_type: Optional[str] = None
    """Only voices of this type (older paging)."""
    category: Optional[str] = None
    """Only voices of this category (older paging)."""
    include_total_count: Optional[bool] = None
    """Count every matching voice in ``total_count`` (older paging)."""
    voice_ids: Optional[List[str]] = None
    """Only these voices, by id (older paging)."""


class Voice(ResponseModel):
    """A voice of the catalog."""

    voice_id: Optional[str] = None
    """The id to pass as ``voice`` (or ``speaker``)."""
    name: Optional[str] = None
    """The voice's name."""
    category: Optional[str] = None
    """The voice's category, as the provider names it."""
    description: Optional[str] = None
    """A description of the voice."""
    preview_url: Optional[str] = None
    """A sample of the voice."""
    labels: Dict[str, Any] = Field(default_factory=dict)
    """Descriptive labels, as the provider gives them."""


class VoicesResponse(ResponseModel):
    """``GET /v1/audio/voices``: ``voices``, with the newer catalog's ``count`` and
    ``truncated`` or the older paging's ``has_more``, ``total_count``, ``next_page_token``."""

    voices: List[Voice] = Field(default_factory=list)
    """The voices of this page."""
    count: Optional[int] = None
    """How many voices are listed (newer catalog)."""
    truncated: Optional[bool] = None
    """Whether the list was cut short (newer catalog)."""
    has_more: Optional[bool] = None
    """Whether another page follows (older paging)."""
    total_count: Optional[int] = None
    """How many voices match, over every page (older paging)."""
    next_page_token: Optional[str] = None
    """The token of the next page (older paging)."""
