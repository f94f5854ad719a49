"""``client.chat.completions``: chat completions, whole or streamed."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Union

from typing_extensions import Unpack

from meshapi_core.endpoints import CHAT_COMPLETIONS, CHAT_COMPLETIONS_STREAM
from meshapi_core.models.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionParams

from .._engine import AsyncEngine, SyncEngine
from .._streams import AsyncStream, Stream
from ._options import RequestOptions, call_options

__all__ = ["AsyncChat", "AsyncCompletions", "Chat", "Completions"]

Params = Union[ChatCompletionParams, Mapping[str, Any]]


def _body(params: Params, *, stream: bool) -> Union[Dict[str, Any], bytes]:
    """The request body: ``params`` as JSON, with ``stream`` set by the method, not the user."""
    if not isinstance(params, ChatCompletionParams):
        if not isinstance(params, Mapping):
            raise TypeError(
                f"params must be a ChatCompletionParams (or a dict of its fields), "
                f"not {type(params).__name__}"
            )
        params = ChatCompletionParams.model_validate(params)
    if params.extra_body:
        body = params.to_json_dict()
        body.pop("stream", None)
        if stream:
            body["stream"] = True
        return body
    encoded = params.to_json_bytes()  # never holds "stream": the field is excluded
    return encoded[:-1] + b',"stream":true}' if stream else encoded


class Completions:
    """Chat completions for :class:`~meshapi.MeshAPI` (``POST /v1/chat/completions``)."""

    def __init__(self, engine: SyncEngine) -> None:
        self._engine = engine

    def create(self, params: Params, **options: Unpack[RequestOptions]) -> ChatCompletion:
        """Run a chat completion and return the whole reply.

        Retried on 429, 502, 503, 504 and connection failures, with one ``Idempotency-Key``
        for every attempt.

        >>> resp = client.chat.completions.create(ChatCompletionParams(   # doctest: +SKIP
        ...     model="openai/gpt-4o-mini",
        ...     messages=[ChatMessage(role="user", content="What is 2+2?")]))
        >>> resp.choices[0].message.content                               # doctest: +SKIP
        '4'
        """
        opts = call_options(options)
        call = self._engine.prepare(CHAT_COMPLETIONS, opts, json_body=_body(params, stream=False))
        return self._engine.run(call)

    def stream(
        self, params: Params, **options: Unpack[RequestOptions]
    ) -> Stream[ChatCompletionChunk]:
        """Stream a chat completion chunk by chunk; never retried.

        The request is sent on first iteration (or on entering ``with``).

        >>> for chunk in client.chat.completions.stream(params):   # doctest: +SKIP
        ...     if chunk.choices:
        ...         print(chunk.choices[0].delta.content, end="", flush=True)
        """
        opts = call_options(options)
        body = _body(params, stream=True)
        call = self._engine.prepare(CHAT_COMPLETIONS_STREAM, opts, json_body=body)
        return Stream(self._engine, CHAT_COMPLETIONS_STREAM, call)


class AsyncCompletions:
    """Chat completions for :class:`~meshapi.AsyncMeshAPI` (``POST /v1/chat/completions``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(self, params: Params, **options: Unpack[RequestOptions]) -> ChatCompletion:
        """Run a chat completion and return the whole reply (see :meth:`Completions.create`)."""
        opts = call_options(options)
        call = self._engine.prepare(CHAT_COMPLETIONS, opts, json_body=_body(params, stream=False))
        return await self._engine.run(call)

    def stream(
        self, params: Params, **options: Unpack[RequestOptions]
    ) -> AsyncStream[ChatCompletionChunk]:
        """Stream a chat completion; use with ``async for`` (no ``await``) or ``async with``."""
        opts = call_options(options)
        body = _body(params, stream=True)
        call = self._engine.prepare(CHAT_COMPLETIONS_STREAM, opts, json_body=body)
        return AsyncStream(self._engine, CHAT_COMPLETIONS_STREAM, call)


class Chat:
    """``client.chat``: the chat area of the API."""

    def __init__(self, engine: SyncEngine) -> None:
        self.completions = Completions(engine)


class AsyncChat:
    """``client.chat`` of an async client."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.completions = AsyncCompletions(engine)
