"""``client.realtime``: the gateway's three WebSocket sessions.

- ``connect(model=...)``: realtime speech-to-speech (``/v1/realtime``), the vendor SDK's
  ``realtime.connect``;
- ``speech(voice_id, ...)``: incremental text-to-speech
  (``/v1/audio/speech/stream/{voice_id}``);
- ``transcription(...)``: realtime speech-to-text (``/v1/audio/transcriptions/realtime``).

The two audio sockets live here rather than under ``client.audio`` (the REST audio
endpoints' resource) so the WebSocket machinery stays in one place; ``client.audio`` can
expose them too by calling these methods.

A method of the async client returns a connector: ``await`` it for the open session, or use
it in an ``async with`` block. A method of the blocking client returns the open session; use
it in a ``with`` block. Sessions are
never retried (a new session would be a new, billed conversation).

This module is the source of ``meshapi/_sync/resources/realtime.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional

from meshapi_core.realtime.endpoints import (
    REALTIME,
    SPEECH_STREAM,
    TRANSCRIPTION,
    SessionEndpoint,
    SessionPlan,
    prepare_session,
)

from ..resource import AsyncResource
from ..sessions import AsyncRealtimeSession, AsyncSpeechStreamSession, AsyncTranscriptionSession

# async-only: begin
from ..sessions import AsyncSessionConnect as Connect

# async-only: end

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi_core.realtime.endpoints import SessionOptions

__all__ = ["AsyncRealtime"]


class AsyncRealtime(AsyncResource):
    """``client.realtime``: speech-to-speech, streaming text-to-speech, realtime STT."""

    _raw_responses = False  # WebSocket sessions: no HTTP response for with_raw_response

    def _plan(
        self,
        endpoint: SessionEndpoint[Any],
        fields: Mapping[str, Any],
        options: Mapping[str, Any],
        path: Optional[Mapping[str, Any]] = None,
    ) -> SessionPlan:
        given = {name: value for name, value in fields.items() if value is not None}
        return prepare_session(
            endpoint, self._engine.config, fields=given, path=path, options=options
        )

    # sync: def connect(self, *, model: str, **options: Unpack[SessionOptions]) -> RealtimeSession:
    def connect(
        self, *, model: str, **options: Unpack[SessionOptions]
    ) -> Connect[AsyncRealtimeSession]:
        """Open a realtime speech-to-speech session with ``model``.

        The token travels in ``Sec-WebSocket-Protocol``, never in the URL. The gateway sends
        ``session.created`` first; ``send``/``send_audio``/``update_session`` talk, iteration
        or ``receive`` listens.

        >>> async with client.realtime.connect(model="openai/gpt-realtime") as s:  # doctest: +SKIP
        ...     await s.update_session({"output_modalities": ["text"]})
        ...     await s.send({"type": "response.create"})
        ...     async for msg in s:
        ...         if msg.delta:
        ...             print(msg.delta, end="")
        ...         if msg.type == "response.done":
        ...             break
        """
        # sync: return RealtimeSession.open(self._engine, self._plan(REALTIME, {"model": model}, options))  # noqa: E501
        return Connect(
            AsyncRealtimeSession, self._engine, self._plan(REALTIME, {"model": model}, options)
        )

    # sync: def speech(self, voice_id: str, /, *, model: Optional[str] = None, output_format: Optional[str] = None, language_code: Optional[str] = None, **options: Unpack[SessionOptions]) -> SpeechStreamSession:  # noqa: E501
    def speech(
        self,
        voice_id: str,
        /,
        *,
        model: Optional[str] = None,
        output_format: Optional[str] = None,
        language_code: Optional[str] = None,
        **options: Unpack[SessionOptions],
    ) -> Connect[AsyncSpeechStreamSession]:
        """Open an incremental text-to-speech session with ``voice_id``.

        ``send_text`` as the text comes, ``commit`` at the end; the audio arrives as
        messages whose ``audio`` is set. ElevenLabs models (``elevenlabs/...``) speak their
        own frame protocol, which the session follows *[inferred keys]*.
        """
        fields = {"model": model, "output_format": output_format, "language_code": language_code}
        # sync: return SpeechStreamSession.open(self._engine, self._plan(SPEECH_STREAM, fields, options, {"voice_id": voice_id}))  # noqa: E501
        return Connect(
            AsyncSpeechStreamSession,
            self._engine,
            self._plan(SPEECH_STREAM, fields, options, {"voice_id": voice_id}),
        )

    # sync: def transcription(self, *, model: Optional[str] = None, audio_format: Optional[str] = None, language_code: Optional[str] = None, **options: Unpack[SessionOptions]) -> TranscriptionSession:  # noqa: E501
    def transcription(
        self,
        *,
        model: Optional[str] = None,
        audio_format: Optional[str] = None,
        language_code: Optional[str] = None,
        **options: Unpack[SessionOptions],
    ) -> Connect[AsyncTranscriptionSession]:
        """Open a realtime speech-to-text session.

        ``send_audio`` raw audio in ``audio_format`` (``pcm_16000``...), ``commit`` for the
        final transcript; messages carry partial and committed transcripts
        (``msg.transcript``).
        """
        fields = {"model": model, "audio_format": audio_format, "language_code": language_code}
        # sync: return TranscriptionSession.open(self._engine, self._plan(TRANSCRIPTION, fields, options))  # noqa: E501
        return Connect(
            AsyncTranscriptionSession, self._engine, self._plan(TRANSCRIPTION, fields, options)
        )
