"""``client.chat.completions``: chat completions, whole or streamed
(``POST /v1/chat/completions``)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Literal, Optional, Union, overload

from meshapi_core.endpoints.chat import CHAT_COMPLETIONS, CHAT_COMPLETIONS_STREAM
from meshapi_core.models.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionParams

from ..resource import AsyncResource
from ..streams import AsyncStream

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import ChatCompletionArgs, ChatCompletionParamsDict

__all__ = ["AsyncChat", "AsyncCompletions"]

Params = Union[ChatCompletionParams, "ChatCompletionParamsDict", None]


class AsyncCompletions(AsyncResource):
    """Chat completions: ``create`` for the whole reply, ``stream`` for its chunks."""

    @overload
    async def create(
        self,
        params: Params = None,
        /,
        *,
        stream: Optional[Literal[False]] = None,
        **kwargs: Unpack[ChatCompletionArgs],
    ) -> ChatCompletion: ...

    @overload
    async def create(
        self,
        params: Params = None,
        /,
        *,
        stream: Literal[True],
        **kwargs: Unpack[ChatCompletionArgs],
    ) -> AsyncStream[ChatCompletionChunk, ChatCompletion]: ...

    @overload
    async def create(
        self, params: Params = None, /, *, stream: bool, **kwargs: Unpack[ChatCompletionArgs]
    ) -> Union[ChatCompletion, AsyncStream[ChatCompletionChunk, ChatCompletion]]: ...

    async def create(
        self,
        params: Params = None,
        /,
        *,
        stream: Optional[bool] = None,
        **kwargs: Unpack[ChatCompletionArgs],
    ) -> Union[ChatCompletion, AsyncStream[ChatCompletionChunk, ChatCompletion]]:
        """Run a chat completion and return the whole reply.

        Takes a :class:`~meshapi.types.ChatCompletionParams`, a dict of its fields, or its
        fields as keywords. Retried on 429, 502, 503, 504 and connection failures, with one
        ``Idempotency-Key`` for every attempt. With ``stream=True`` (openai-python's way) it
        returns what :meth:`stream` returns, the same stream object.

        >>> resp = await client.chat.completions.create(   # doctest: +SKIP
        ...     model="openai/gpt-4o-mini",
        ...     messages=[{"role": "user", "content": "What is 2+2?"}])
        >>> resp.choices[0].message.content                 # doctest: +SKIP
        '4'
        """
        if stream:
            return self.stream(params, **kwargs)
        return await self._request(CHAT_COMPLETIONS, params, kwargs)

    def stream(
        self, params: Params = None, /, **kwargs: Unpack[ChatCompletionArgs]
    ) -> AsyncStream[ChatCompletionChunk, ChatCompletion]:
        """Stream a chat completion chunk by chunk; never retried.

        The request is sent on first iteration (or on entering ``async with stream:``).
        ``stream.text()`` gives only the text; ``await stream.final()`` the whole
        :class:`~meshapi.types.ChatCompletion` the chunks spell.

        >>> async for chunk in client.chat.completions.stream(params):   # doctest: +SKIP
        ...     if chunk.choices:
        ...         print(chunk.choices[0].delta.content, end="", flush=True)
        """
        return self._stream(CHAT_COMPLETIONS_STREAM, params, kwargs)


class AsyncChat(AsyncResource):
    """``client.chat``: the chat area of the API."""

    @cached_property
    def completions(self) -> AsyncCompletions:
        """Chat completions."""
        return AsyncCompletions(self._engine)
