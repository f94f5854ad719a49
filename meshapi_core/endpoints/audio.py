"""Audio (``docs/gateway/api.md`` §6): speech as raw bytes, transcriptions and translations as
multipart forms, and the voice catalog."""

from __future__ import annotations

from ..endpoint import BYTES, DATA, JSON, ByteStream, Endpoint, Send
from ..http import Response
from ..models.audio import (
    AudioTranslationsParams,
    ListVoicesParams,
    SpeechParams,
    TranscriptionParams,
    TranscriptionResponse,
    TranscriptionTranslateParams,
    Voice,
    VoicesResponse,
)

__all__ = [
    "AUDIO_SPEECH",
    "AUDIO_SPEECH_STREAM",
    "AUDIO_TRANSCRIPTIONS",
    "AUDIO_TRANSCRIPTIONS_TRANSLATE",
    "AUDIO_TRANSCRIPTION_GET",
    "AUDIO_TRANSLATIONS",
    "AUDIO_VOICES",
    "AUDIO_VOICE_GET",
    "TextOrJSON",
]


class TextOrJSON(JSON[TranscriptionResponse]):
    """A transcription: JSON (``{"text": ...}``), or a ``text/plain`` body (what
    ``response_format="text"`` gets), read as a :class:`TranscriptionResponse` all the same.

    >>> TextOrJSON().decode(Response(200, {"content-type": "text/plain"}, b"Hello")).text
    'Hello'
    """

    accept = "application/json, text/plain;q=0.9"

    def __init__(self) -> None:
        super().__init__(TranscriptionResponse)

    def decode(self, response: Response) -> TranscriptionResponse:
        """The body as a :class:`TranscriptionResponse`."""
        if response.headers.get("content-type", "").startswith("text/plain"):
            return TranscriptionResponse(text=response.body.decode("utf-8", "replace"))
        return super().decode(response)


_TRANSCRIPTION = TextOrJSON()

AUDIO_SPEECH: Endpoint[SpeechParams, bytes] = Endpoint(
    "POST", "/v1/audio/speech", DATA, BYTES, SpeechParams
)
"""``POST /v1/audio/speech``, the whole body, called by ``audio.synthesize``."""
AUDIO_SPEECH_STREAM: Endpoint[SpeechParams, bytes] = Endpoint(
    "POST", "/v1/audio/speech", DATA, params=SpeechParams, stream=ByteStream()
)
"""``POST /v1/audio/speech`` read as it arrives, called by ``audio.synthesize_stream``."""
AUDIO_TRANSCRIPTIONS: Endpoint[TranscriptionParams, TranscriptionResponse] = Endpoint(
    "POST",
    "/v1/audio/transcriptions",
    DATA,
    _TRANSCRIPTION,
    TranscriptionParams,
    send=Send.MULTIPART,
)
"""``POST /v1/audio/transcriptions`` (a multipart form), called by ``audio.transcribe``."""
AUDIO_TRANSCRIPTION_GET: Endpoint[None, TranscriptionResponse] = Endpoint(
    "GET", "/v1/audio/transcriptions/{transcription_id}", DATA, JSON(TranscriptionResponse)
)
"""``GET /v1/audio/transcriptions/{transcription_id}``, called by ``audio.get_transcription``."""
AUDIO_TRANSCRIPTIONS_TRANSLATE: Endpoint[TranscriptionTranslateParams, TranscriptionResponse] = (
    Endpoint(
        "POST",
        "/v1/audio/transcriptions/translate",
        DATA,
        _TRANSCRIPTION,
        TranscriptionTranslateParams,
        send=Send.MULTIPART,
    )
)
"""``POST /v1/audio/transcriptions/translate`` (the legacy alias), called by ``audio.translate``."""
AUDIO_TRANSLATIONS: Endpoint[AudioTranslationsParams, TranscriptionResponse] = Endpoint(
    "POST",
    "/v1/audio/translations",
    DATA,
    _TRANSCRIPTION,
    AudioTranslationsParams,
    send=Send.MULTIPART,
)
"""``POST /v1/audio/translations`` (a multipart form), called by ``audio.audio_translate``."""
AUDIO_VOICES: Endpoint[ListVoicesParams, VoicesResponse] = Endpoint(
    "GET", "/v1/audio/voices", DATA, JSON(VoicesResponse), ListVoicesParams
)
"""``GET /v1/audio/voices``, called by ``audio.list_voices``."""
AUDIO_VOICE_GET: Endpoint[None, Voice] = Endpoint(
    "GET", "/v1/audio/voices/{voice_id}", DATA, JSON(Voice)
)
"""``GET /v1/audio/voices/{voice_id}``, called by ``audio.get_voice``."""
