"""WebSocket sessions: what ``client.realtime.connect(...)`` and its siblings return.

A session is three things: a connection the transport opened
(:mod:`meshapi_core.websocket`), the core's :class:`~meshapi_core.realtime.protocol.
SessionProtocol` that decides everything, and these few lines that move messages between
them. ``send`` encodes an event through the protocol and sends it; ``receive`` waits for the
next message within the bound the protocol gives and lets the protocol read it (an error
event raises its typed error; the end of the session raises
:class:`~meshapi_core.realtime.errors.SessionClosedError`); iterating a session receives
until it ends. Audio is paced: ``send_audio`` sleeps first when the audio already sent runs
too far ahead of real time (``max_audio_lead``).

Sending and receiving may run at once in two tasks (or, blocking, two threads): one sends
audio while the other reads the replies. One receiver at a time. A send that fails because
the connection ended raises :class:`~meshapi_core.errors.StreamInterruptedError` and leaves
the session as it is: what the gateway sent before it closed (an error event, the close
frame) is still there to receive, and says why.

A session is open once ``connect`` returns (blocking client) or once it is awaited (async
client, the vendor SDK's shape); use it as a context manager, which closes it on the way out,
or call ``close()``::

    async with client.realtime.connect(model="openai/gpt-realtime") as session:
        await session.send_audio(pcm)
        async for message in session:
            ...

This module is the source of ``meshapi/_sync/sessions.py``.
"""

from __future__ import annotations

from types import TracebackType
from typing import (
    Any,
    AsyncIterator,
    Dict,
    Generator,
    Generic,
    Mapping,
    Optional,
    Type,
    TypeVar,
    Union,
)

from meshapi_core.errors import InvalidArgumentError, MeshAPIError, StreamInterruptedError
from meshapi_core.models.realtime import RealtimeSessionConfig
from meshapi_core.realtime.endpoints import SessionPlan
from meshapi_core.realtime.errors import SessionClosedError
from meshapi_core.realtime.messages import RealtimeMessage
from meshapi_core.realtime.protocol import SessionProtocol
from meshapi_core.websocket import AsyncWebSocketConnection

from .engine import AsyncEngine

__all__ = ["AsyncRealtimeSession", "AsyncSpeechStreamSession", "AsyncTranscriptionSession"]
# async-only: begin
__all__ += ["AsyncSessionConnect"]
# async-only: end

S = TypeVar("S", bound="_AsyncSession")


class _AsyncSession:
    """What the three sessions share: the connection, the protocol, send/receive/close."""

    def __init__(
        self, engine: AsyncEngine, plan: SessionPlan, connection: AsyncWebSocketConnection
    ) -> None:
        self._engine = engine
        self._connection = connection
        self._protocol: SessionProtocol = plan.protocol(connection.headers, engine.runtime.clock)

    @classmethod
    async def open(cls: Type[S], engine: AsyncEngine, plan: SessionPlan) -> S:
        """Do the handshake and return the open session (``connect`` calls this)."""
        connect = getattr(engine.transport, "connect_websocket", None)
        if connect is None:
            raise InvalidArgumentError(
                f"This client's transport ({type(engine.transport).__name__}) cannot open "
                "WebSocket sessions; use the httpx or aiohttp transport",
                param="transport",
            )
        session = cls(engine, plan, await connect(plan.request))
        try:
            for event in session._protocol.opening_events():
                await session.send(event)
        except BaseException:
            await session.close()
            raise
        return session

    # -- facts ------------------------------------------------------------------------------

    @property
    def request_id(self) -> Optional[str]:
        """The session's ``x-request-id``, from the handshake."""
        return self._protocol.request_id

    @property
    def headers(self) -> Dict[str, str]:
        """The handshake response's headers (lower-case names)."""
        return self._protocol.headers

    @property
    def closed(self) -> bool:
        """Whether the session is over (closed by either side, or lost)."""
        return not self._protocol.is_open

    @property
    def close_code(self) -> Optional[int]:
        """The close frame's code, once the gateway sent one."""
        return self._protocol.close_code

    @property
    def protocol(self) -> SessionProtocol:
        """The core's machine for this session (state, limits, pacing)."""
        return self._protocol

    # -- sending ----------------------------------------------------------------------------

    async def send(self, event: Union[Mapping[str, Any], Any]) -> None:
        """Send one client event: a dict (or request model) sent as a JSON text frame.

        Raises :class:`~meshapi_core.errors.InvalidArgumentError` for an event the gateway
        would refuse, before sending, and :class:`SessionClosedError` once the session is
        over.
        """
        text = self._protocol.encode(event)
        try:
            await self._connection.send_text(text)
        except StreamInterruptedError as error:
            # What the gateway sent before the connection ended (its error event, its
            # close frame) is still to be received: the receiving side says why.
            if error.request_id is None:
                error.request_id = self._protocol.request_id
            raise error from None
        self._protocol.sent()

    async def _send_audio(self, audio: bytes, commit: bool = False) -> None:
        event = self._protocol.audio_event(audio, commit=commit)
        wait = self._protocol.pace(len(audio))
        if wait > 0:
            await self._engine.transport.sleep(wait)
        await self.send(event)

    # -- receiving --------------------------------------------------------------------------

    async def receive(self) -> RealtimeMessage:
        """The next message from the gateway.

        Raises the typed :class:`~meshapi_core.realtime.errors.RealtimeError` for an error
        event (the session stays open unless the gateway closes it),
        :class:`SessionClosedError` once the session is over,
        :class:`~meshapi_core.errors.StreamInterruptedError` if the connection is lost, and
        :class:`~meshapi_core.errors.StreamTimeoutError` if it stalls.
        """
        protocol = self._protocol
        if not protocol.is_open:
            raise protocol.closed_error()
        started = self._engine.runtime.clock()
        while True:
            try:
                message = await self._connection.receive(protocol.wait_time(started))
            except StreamInterruptedError as error:
                await self._connection.aclose(1011, "", 0.0)
                raise protocol.interrupted(error) from None
            except MeshAPIError:  # a message over the bound: the transport closed with 1009
                protocol.closed()
                await self._connection.aclose(1009, "", 0.0)
                raise
            if message is None:
                stall = protocol.quiet(started)
                if stall is None:
                    continue
                await self._connection.aclose(1011, "stalled", 0.0)
                raise stall
            try:
                return protocol.receive(message)
            except MeshAPIError:
                if not protocol.is_open:
                    await self._connection.aclose()
                raise

    async def _messages(self) -> AsyncIterator[RealtimeMessage]:
        while True:
            try:
                message = await self.receive()
            except SessionClosedError:
                return
            yield message

    def __aiter__(self) -> AsyncIterator[RealtimeMessage]:
        """Receive until the session ends; an error raises (see :meth:`receive`)."""
        return self._messages()

    # -- closing ----------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the session (a normal close, 1000) and its connection; idempotent."""
        self._protocol.begin_close()
        try:
            await self._connection.aclose()
        finally:
            self._protocol.closed()

    # async-only: begin
    async def aclose(self) -> None:
        """The same as :meth:`close` (the name async streams use)."""
        await self.close()

    # async-only: end
    async def __aenter__(self: S) -> S:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = self._protocol.state.value
        return f"<{type(self).__name__} {state} request_id={self.request_id!r}>"


class AsyncRealtimeSession(_AsyncSession):
    """A realtime speech-to-speech session (``/v1/realtime``): OpenAI Realtime GA events.

    ``send`` takes any client event; the helpers below build the common ones. Messages are
    :class:`~meshapi_core.realtime.messages.RealtimeMessage`: ``msg.type`` (GA name),
    ``msg.audio`` (decoded output audio), ``msg.delta`` (text), ``msg.event`` (the JSON).
    """

    async def send_audio(self, audio: bytes) -> None:
        """Append raw audio (PCM16, 24 kHz mono by default) to the input buffer: sent
        base64-encoded as ``input_audio_buffer.append``, paced to real time."""
        await self._send_audio(audio)

    async def update_session(
        self, session: Union[RealtimeSessionConfig, Mapping[str, Any]]
    ) -> None:
        """Send ``session.update`` with the GA session object (``type`` defaults to
        ``realtime``; beta keys such as ``modalities`` are refused before sending)."""
        await self.send({"type": "session.update", "session": session})

    async def commit_audio(self) -> None:
        """Commit the input buffer as a user turn (``input_audio_buffer.commit``)."""
        await self.send({"type": "input_audio_buffer.commit"})

    async def clear_audio(self) -> None:
        """Drop the uncommitted input audio (``input_audio_buffer.clear``)."""
        await self.send({"type": "input_audio_buffer.clear"})

    async def create_response(self, response: Optional[Mapping[str, Any]] = None) -> None:
        """Ask for a response (``response.create``, with optional ``response`` settings)."""
        await self.send({"type": "response.create", **({"response": response} if response else {})})

    async def cancel_response(self) -> None:
        """Stop the response in progress (``response.cancel``)."""
        await self.send({"type": "response.cancel"})

    @property
    def session(self) -> Optional[Dict[str, Any]]:
        """The session object of the last ``session.created``/``session.updated``."""
        return self._protocol.session

    @property
    def response_in_progress(self) -> bool:
        """Whether a response is being generated (``response.created`` without its
        ``response.done`` yet)."""
        return self._protocol.response_in_progress


class AsyncSpeechStreamSession(_AsyncSession):
    """Incremental text-to-speech (``/v1/audio/speech/stream/{voice_id}``): send text as it
    comes, receive audio (``msg.audio``) as it is synthesised."""

    async def send_text(self, text: str) -> None:
        """Send text to synthesise (``input_text_buffer.append``, or ElevenLabs'
        ``sendText``)."""
        await self.send(self._protocol.text_event(text))

    async def commit(self) -> None:
        """Say the text so far is complete, so the rest of its audio comes
        (``input_text_buffer.commit``, or ElevenLabs' ``closeConnection``)."""
        await self.send(self._protocol.commit_event())


class AsyncTranscriptionSession(_AsyncSession):
    """Realtime speech-to-text (``/v1/audio/transcriptions/realtime``): send audio, receive
    partial and committed transcripts (``msg.transcript``)."""

    async def send_audio(self, audio: bytes, *, commit: bool = False) -> None:
        """Send raw audio in the session's ``audio_format`` (an ``input_audio_chunk``);
        ``commit=True`` asks for the final transcript of what was sent."""
        await self._send_audio(audio, commit)

    async def commit(self) -> None:
        """Ask for the final transcript of the audio sent so far."""
        await self._send_audio(b"", True)


# async-only: begin
class AsyncSessionConnect(Generic[S]):
    """What an async ``connect`` returns: ``await`` it for the open session, or use it as
    ``async with`` to have the session closed on the way out (the vendor SDK's shape)."""

    def __init__(self, session_class: Type[S], engine: AsyncEngine, plan: SessionPlan) -> None:
        self._session_class = session_class
        self._engine = engine
        self._plan = plan
        self._session: Optional[S] = None

    async def _open(self) -> S:
        return await self._session_class.open(self._engine, self._plan)

    def __await__(self) -> Generator[Any, None, S]:
        return self._open().__await__()

    async def __aenter__(self) -> S:
        self._session = await self._open()
        return self._session

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        if self._session is not None:
            await self._session.close()


# async-only: end
