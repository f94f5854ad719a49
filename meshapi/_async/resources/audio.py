"""``client.audio``: speech (raw audio bytes), transcriptions and translations (multipart
uploads), and voices (``/v1/audio/...``); also in openai-python's shape
(``audio.speech.create``, ``audio.transcriptions.create``, ``audio.translations.create``),
each a view of the method here that makes the same call."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.audio import (
    AUDIO_SPEECH,
    AUDIO_SPEECH_STREAM,
    AUDIO_TRANSCRIPTION_GET,
    AUDIO_TRANSCRIPTIONS,
    AUDIO_TRANSCRIPTIONS_TRANSLATE,
    AUDIO_TRANSLATIONS,
    AUDIO_VOICE_GET,
    AUDIO_VOICES,
)
from meshapi_core.models.audio import (
    AudioTranslationsParams,
    ListVoicesParams,
    SpeechParams,
    TranscriptionParams,
    TranscriptionResponse,
    TranscriptionTranslateParams,
    Voice,
    VoicesResponse,
)
from meshapi_core.uploads import file_field

from ..._files import BinaryResponseContent
from ..resource import AsyncResource
from ..streams import AsyncByteStream

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        AudioTranslationsArgs,
        AudioTranslationsParamsDict,
        ListVoicesArgs,
        ListVoicesParamsDict,
        RequestOptions,
        SpeechArgs,
        SpeechParamsDict,
        TranscriptionArgs,
        TranscriptionParamsDict,
        TranscriptionTranslateArgs,
        TranscriptionTranslateParamsDict,
    )
    from meshapi_core.uploads import FileInput

__all__ = ["AsyncAudio", "AsyncAudioSpeech", "AsyncAudioTranscriptions", "AsyncAudioTranslations"]

Speech = Union[SpeechParams, "SpeechParamsDict"]


class AsyncAudio(AsyncResource):
    """Speech, transcription, translation and voices.

    A file argument takes a path (``str`` or :class:`pathlib.Path`), bytes, an open binary
    file, or ``(filename, content[, content_type])``; the file name and content type are
    inferred (override them with ``filename=`` and ``content_type=``). Files are streamed
    from disk, never read whole. A call whose file is a one-shot stream (a pipe) is not
    retried; one from a path, bytes or a seekable file is, like any other POST.
    """

    @overload
    async def synthesize(self, params: Speech, **options: Unpack[RequestOptions]) -> bytes: ...
    @overload
    async def synthesize(self, **kwargs: Unpack[SpeechArgs]) -> bytes: ...
    async def synthesize(self, params: Optional[Speech] = None, **kwargs: Any) -> bytes:
        """Text to speech: the whole audio, as bytes (bounded by the client's
        ``max_response_size``). For long audio, :meth:`synthesize_stream` hands it over as
        it arrives, or writes it to a file.

        >>> audio = await client.audio.synthesize(input="Hello!", model="sarvam/bulbul:v2")
        ... # doctest: +SKIP
        """
        return await self._request(AUDIO_SPEECH, params, kwargs)

    @overload
    def synthesize_stream(
        self, params: Speech, /, **options: Unpack[RequestOptions]
    ) -> AsyncByteStream: ...
    @overload
    def synthesize_stream(self, /, **kwargs: Unpack[SpeechArgs]) -> AsyncByteStream: ...
    def synthesize_stream(
        self, params: Optional[Speech] = None, /, **kwargs: Any
    ) -> AsyncByteStream:
        """Text to speech, read as it is synthesised: iterate the chunks, or
        ``write_to(path)`` (which never leaves a cut file behind). Never retried.

        >>> await client.audio.synthesize_stream(input="A long story...").write_to(
        ...     "story.mp3")   # doctest: +SKIP
        """
        return self._byte_stream(AUDIO_SPEECH_STREAM, params, kwargs)

    @overload
    async def transcribe(
        self,
        file: Optional[FileInput],
        params: Union[TranscriptionParams, TranscriptionParamsDict],
        *,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionResponse: ...
    @overload
    async def transcribe(
        self,
        file: Optional[FileInput] = None,
        *,
        params: Union[TranscriptionParams, TranscriptionParamsDict],
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionResponse: ...
    @overload
    async def transcribe(
        self,
        file: Optional[FileInput] = None,
        *,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Unpack[TranscriptionArgs],
    ) -> TranscriptionResponse: ...
    async def transcribe(
        self,
        file: Optional[FileInput] = None,
        params: Optional[Union[TranscriptionParams, TranscriptionParamsDict]] = None,
        *,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Any,
    ) -> TranscriptionResponse:
        """Speech to text, from a file (left out when ``source_url`` or
        ``cloud_storage_url`` names the audio).

        >>> result = await client.audio.transcribe(   # doctest: +SKIP
        ...     "meeting.mp3", model="elevenlabs/scribe_v2", diarize=True)
        >>> result.text                                # doctest: +SKIP
        """
        files = file_field(file, filename, content_type)
        return await self._request(AUDIO_TRANSCRIPTIONS, params, kwargs, files=files)

    async def get_transcription(
        self, transcription_id: str, **options: Unpack[RequestOptions]
    ) -> TranscriptionResponse:
        """A transcription by id (for webhook or asynchronous transcriptions)."""
        return await self._request(
            AUDIO_TRANSCRIPTION_GET, kwargs=options, path={"transcription_id": transcription_id}
        )

    async def translate(
        self,
        file: Optional[FileInput] = None,
        params: Union[TranscriptionTranslateParams, TranscriptionTranslateParamsDict, None] = None,
        *,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Unpack[TranscriptionTranslateArgs],
    ) -> TranscriptionResponse:
        """Speech to English, through the legacy ``/v1/audio/transcriptions/translate``
        (Sarvam by default); prefer :meth:`audio_translate`."""
        files = file_field(file, filename, content_type)
        return await self._request(AUDIO_TRANSCRIPTIONS_TRANSLATE, params, kwargs, files=files)

    @overload
    async def audio_translate(
        self,
        file: Optional[FileInput],
        params: Union[AudioTranslationsParams, AudioTranslationsParamsDict],
        *,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionResponse: ...
    @overload
    async def audio_translate(
        self,
        file: Optional[FileInput] = None,
        *,
        params: Union[AudioTranslationsParams, AudioTranslationsParamsDict],
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionResponse: ...
    @overload
    async def audio_translate(
        self,
        file: Optional[FileInput] = None,
        *,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Unpack[AudioTranslationsArgs],
    ) -> TranscriptionResponse: ...
    async def audio_translate(
        self,
        file: Optional[FileInput] = None,
        params: Optional[Union[AudioTranslationsParams, AudioTranslationsParamsDict]] = None,
        *,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Any,
    ) -> TranscriptionResponse:
        """Speech to English (``POST /v1/audio/translations``, OpenAI's shape). With
        ``response_format="text"`` the gateway answers plain text, returned as the
        ``text`` of a :class:`~meshapi.types.TranscriptionResponse` all the same."""
        files = file_field(file, filename, content_type)
        return await self._request(AUDIO_TRANSLATIONS, params, kwargs, files=files)

    async def list_voices(
        self,
        params: Union[ListVoicesParams, ListVoicesParamsDict, None] = None,
        **kwargs: Unpack[ListVoicesArgs],
    ) -> VoicesResponse:
        """The voice catalog, filtered by ``brand``, ``model``, ``search`` (or the older
        paging parameters)."""
        return await self._request(AUDIO_VOICES, params, kwargs)

    async def get_voice(self, voice_id: str, **options: Unpack[RequestOptions]) -> Voice:
        """One voice by id; raises ``NotFoundError``."""
        return await self._request(AUDIO_VOICE_GET, kwargs=options, path={"voice_id": voice_id})

    @cached_property
    def speech(self) -> AsyncAudioSpeech:
        """Text to speech in openai-python's shape: ``audio.speech.create(...)``."""
        return AsyncAudioSpeech(self._engine)

    @cached_property
    def transcriptions(self) -> AsyncAudioTranscriptions:
        """Speech to text in openai-python's shape: ``audio.transcriptions.create(...)``."""
        return AsyncAudioTranscriptions(self._engine)

    @cached_property
    def translations(self) -> AsyncAudioTranslations:
        """Speech to English in openai-python's shape: ``audio.translations.create(...)``."""
        return AsyncAudioTranslations(self._engine)


class AsyncAudioSpeech(AsyncResource):
    """``client.audio.speech``: :meth:`AsyncAudio.synthesize` in openai-python's shape."""

    @overload
    async def create(
        self, params: Speech, /, **options: Unpack[RequestOptions]
    ) -> BinaryResponseContent: ...
    @overload
    async def create(self, /, **kwargs: Unpack[SpeechArgs]) -> BinaryResponseContent: ...
    async def create(
        self, params: Optional[Speech] = None, /, **kwargs: Any
    ) -> BinaryResponseContent:
        """Text to speech (the call :meth:`AsyncAudio.synthesize` makes), as a
        :class:`~meshapi.BinaryResponseContent`: ``.content``, ``.iter_bytes()``,
        ``.write_to_file(path)``. For long audio, ``with_streaming_response.create(...)``
        hands it over as it arrives (``stream_to_file``).

        >>> speech = await client.audio.speech.create(   # doctest: +SKIP
        ...     model="sarvam/bulbul:v3", voice="alloy", input="Hello!")
        >>> speech.write_to_file("hello.mp3")             # doctest: +SKIP
        """
        return await self._request(AUDIO_SPEECH, params, kwargs, then=BinaryResponseContent)


class AsyncAudioTranscriptions(AsyncResource):
    """``client.audio.transcriptions``: :meth:`AsyncAudio.transcribe` in openai-python's
    shape."""

    @overload
    async def create(
        self,
        params: Union[TranscriptionParams, TranscriptionParamsDict],
        /,
        *,
        file: Optional[FileInput] = None,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionResponse: ...
    @overload
    async def create(
        self,
        /,
        *,
        file: Optional[FileInput] = None,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Unpack[TranscriptionArgs],
    ) -> TranscriptionResponse: ...
    async def create(
        self,
        params: Optional[Union[TranscriptionParams, TranscriptionParamsDict]] = None,
        /,
        *,
        file: Optional[FileInput] = None,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Any,
    ) -> TranscriptionResponse:
        """Speech to text: :meth:`AsyncAudio.transcribe` with the file as ``file=``.

        >>> result = await client.audio.transcriptions.create(   # doctest: +SKIP
        ...     model="openai/whisper-1", file=open("meeting.mp3", "rb"))
        >>> result.text                                           # doctest: +SKIP
        """
        files = file_field(file, filename, content_type)
        return await self._request(AUDIO_TRANSCRIPTIONS, params, kwargs, files=files)


class AsyncAudioTranslations(AsyncResource):
    """``client.audio.translations``: :meth:`AsyncAudio.audio_translate` in openai-python's
    shape."""

    @overload
    async def create(
        self,
        params: Union[AudioTranslationsParams, AudioTranslationsParamsDict],
        /,
        *,
        file: Optional[FileInput] = None,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionResponse: ...
    @overload
    async def create(
        self,
        /,
        *,
        file: Optional[FileInput] = None,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Unpack[AudioTranslationsArgs],
    ) -> TranscriptionResponse: ...
    async def create(
        self,
        params: Optional[Union[AudioTranslationsParams, AudioTranslationsParamsDict]] = None,
        /,
        *,
        file: Optional[FileInput] = None,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Any,
    ) -> TranscriptionResponse:
        """Speech to English (``POST /v1/audio/translations``): :meth:`AsyncAudio.audio_translate`
        with the file as ``file=``."""
        files = file_field(file, filename, content_type)
        return await self._request(AUDIO_TRANSLATIONS, params, kwargs, files=files)
