"""``client.chat.completions``: chat completions, whole, streamed, or parsed into your
pydantic model (``POST /v1/chat/completions``)."""

from __future__ import annotations

import functools
from functools import cached_property
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Literal,
    Mapping,
    Optional,
    Type,
    TypeVar,
    Union,
    overload,
)

from meshapi_core.endpoints.chat import CHAT_COMPLETIONS, CHAT_COMPLETIONS_STREAM
from meshapi_core.models.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionParams,
    ResponseFormatJSONSchema,
)

from ..resource import AsyncResource

if TYPE_CHECKING:
    from pydantic import BaseModel
    from typing_extensions import Unpack

    from meshapi.types import (
        ChatCompletionArgs,
        ChatCompletionParamsDict,
        ChatCompletionParseArgs,
        RequestOptions,
    )
    from meshapi_core.models.parsed import ParsedChatCompletion  # loaded by parse()

    from ..streams import AsyncStream

__all__ = ["AsyncChat", "AsyncCompletions"]

Params = Union[ChatCompletionParams, "ChatCompletionParamsDict"]
M = TypeVar("M", bound="BaseModel")


class AsyncCompletions(AsyncResource):
    """Chat completions: ``create`` for the whole reply, ``stream`` for its chunks."""

    # The params (a ChatCompletionParams or a dict) next to the call's options, or the fields
    # as keywords; each with stream= left out or False, True, or a bool known at run time.
    @overload
    async def create(
        self,
        params: Params,
        *,
        stream: Optional[Literal[False]] = None,
        **options: Unpack[RequestOptions],
    ) -> ChatCompletion: ...

    @overload
    async def create(
        self, params: Params, *, stream: Literal[True], **options: Unpack[RequestOptions]
    ) -> AsyncStream[ChatCompletionChunk, ChatCompletion]: ...

    @overload
    async def create(
        self, params: Params, *, stream: bool, **options: Unpack[RequestOptions]
    ) -> Union[ChatCompletion, AsyncStream[ChatCompletionChunk, ChatCompletion]]: ...

    @overload
    async def create(
        self, *, stream: Optional[Literal[False]] = None, **kwargs: Unpack[ChatCompletionArgs]
    ) -> ChatCompletion: ...

    @overload
    async def create(
        self, *, stream: Literal[True], **kwargs: Unpack[ChatCompletionArgs]
    ) -> AsyncStream[ChatCompletionChunk, ChatCompletion]: ...

    @overload
    async def create(
        self, *, stream: bool, **kwargs: Unpack[ChatCompletionArgs]
    ) -> Union[ChatCompletion, AsyncStream[ChatCompletionChunk, ChatCompletion]]: ...

    async def create(
        self,
        params: Optional[Params] = None,
        *,
        stream: Optional[bool] = None,
        **kwargs: Any,
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
        if stream:  # what stream() returns
            return self._stream(CHAT_COMPLETIONS_STREAM, params, kwargs)
        return await self._request(CHAT_COMPLETIONS, params, kwargs)

    # A params object (or dict) with response_format is meshapi 0.1.12's call, which returns
    # the parsed value itself; the fields as keywords are openai-python's, the completion.
    @overload
    async def parse(
        self, params: Params, response_format: Type[M], **options: Unpack[RequestOptions]
    ) -> M: ...

    @overload
    async def parse(
        self,
        params: Params,
        response_format: Union[Mapping[str, Any], Type[Any]],
        **options: Unpack[RequestOptions],
    ) -> Any: ...

    @overload
    async def parse(
        self, params: Params, response_format: None = None, **options: Unpack[RequestOptions]
    ) -> ParsedChatCompletion[None]: ...

    @overload
    async def parse(
        self, *, response_format: Type[M], **kwargs: Unpack[ChatCompletionParseArgs]
    ) -> ParsedChatCompletion[M]: ...

    @overload
    async def parse(
        self, *, response_format: None = None, **kwargs: Unpack[ChatCompletionParseArgs]
    ) -> ParsedChatCompletion[None]: ...

    async def parse(
        self,
        params: Optional[Params] = None,
        response_format: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Run a chat completion whose reply must follow ``response_format``, a pydantic
        model, and return it parsed: ``choices[0].message.parsed`` is an instance of the
        model (``None`` if the model refused; ``message.refusal`` says why).

        The model is sent as a strict JSON Schema (``pydantic_response_format``). Tools made
        with ``pydantic_function_tool`` (and other strict function tools) have each call's
        arguments parsed too: ``tool_calls[i].function.parsed_arguments``. A reply cut at
        its token limit raises ``LengthFinishReasonError``; content that does not fit the
        model, ``ResponseDecodeError``. Retried like :meth:`create`.

        ``response_format`` may also be another type pydantic reads (a TypedDict, a
        dataclass), or a JSON Schema as a dict, sent as it is and read as plain JSON. Given a
        params object (or dict) and a ``response_format``, as meshapi 0.1.12 was called, it
        returns that ``message.parsed`` alone, and raises ``ResponseDecodeError`` when there
        is nothing to parse.

        >>> class Answer(BaseModel):                                       # doctest: +SKIP
        ...     value: int
        >>> resp = await client.chat.completions.parse(                    # doctest: +SKIP
        ...     model="openai/gpt-4o-mini", response_format=Answer,
        ...     messages=[{"role": "user", "content": "What is 2+2?"}])
        >>> resp.choices[0].message.parsed                                 # doctest: +SKIP
        Answer(value=4)
        >>> await client.chat.completions.parse(params, Answer)            # doctest: +SKIP
        Answer(value=4)
        """
        from meshapi_core.structured import (
            parse_chat_completion,
            parsed_value,
            response_format_for,
            schema_reader,
            tool_parsers,
        )

        tools = kwargs.get("tools")
        if params is not None:
            tools = params.get("tools") if isinstance(params, Mapping) else params.tools
        reader = None
        if response_format is not None:
            reader = schema_reader(response_format)
            fmt = response_format_for(response_format)
            if isinstance(params, ChatCompletionParams):
                chosen = ResponseFormatJSONSchema.model_validate(fmt)
                params = params.model_copy(update={"response_format": chosen})
            elif params is not None:
                params = {**params, "response_format": fmt}
            else:
                kwargs = {**kwargs, "response_format": fmt}
        then: Callable[[ChatCompletion], Any] = functools.partial(
            parse_chat_completion, response_format=reader, tools=tool_parsers(tools)
        )
        if params is not None and reader is not None:  # meshapi 0.1.12's call
            then = functools.partial(parsed_value, parse=then)
        return await self._request(CHAT_COMPLETIONS, params, kwargs, then=then)

    @overload
    def stream(
        self, params: Params, **options: Unpack[RequestOptions]
    ) -> AsyncStream[ChatCompletionChunk, ChatCompletion]: ...
    @overload
    def stream(
        self, **kwargs: Unpack[ChatCompletionArgs]
    ) -> AsyncStream[ChatCompletionChunk, ChatCompletion]: ...
    def stream(
        self, params: Optional[Params] = None, **kwargs: Any
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
