"""``client.responses``: the Responses API (``POST /v1/responses``, ``GET /v1/responses``,
``GET /v1/responses/{response_id}``)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Literal, Optional, Type, TypeVar, Union, overload

from meshapi_core.endpoints.responses import (
    RESPONSES_CREATE,
    RESPONSES_GET,
    RESPONSES_LIST,
    RESPONSES_STREAM,
)
from meshapi_core.models.parsed import ParsedResponse
from meshapi_core.models.responses import (
    ResponsesListItem,
    ResponsesListParams,
    ResponsesParams,
    ResponsesResponse,
    ResponsesStreamEvent,
)

from ..pages import AsyncPaginator
from ..resource import AsyncResource
from ..streams import AsyncStream

if TYPE_CHECKING:
    from pydantic import BaseModel
    from typing_extensions import Unpack

    from meshapi.types import (
        RequestOptions,
        ResponsesArgs,
        ResponsesListArgs,
        ResponsesListParamsDict,
        ResponsesParamsDict,
    )

__all__ = ["AsyncResponses"]

Params = Union[ResponsesParams, "ResponsesParamsDict"]
M = TypeVar("M", bound="BaseModel")


class AsyncResponses(AsyncResource):
    """Responses: ``create`` a reply (or a background job), ``stream`` its events, ``list``
    background jobs and ``get`` one."""

    # The params (a ResponsesParams or a dict) next to the call's options, or the fields as
    # keywords; each with stream= left out or False, True, or a bool known at run time.
    @overload
    async def create(
        self,
        params: Params,
        *,
        stream: Optional[Literal[False]] = None,
        **options: Unpack[RequestOptions],
    ) -> ResponsesResponse: ...

    @overload
    async def create(
        self, params: Params, *, stream: Literal[True], **options: Unpack[RequestOptions]
    ) -> AsyncStream[ResponsesStreamEvent, ResponsesResponse]: ...

    @overload
    async def create(
        self, params: Params, *, stream: bool, **options: Unpack[RequestOptions]
    ) -> Union[ResponsesResponse, AsyncStream[ResponsesStreamEvent, ResponsesResponse]]: ...

    @overload
    async def create(
        self, *, stream: Optional[Literal[False]] = None, **kwargs: Unpack[ResponsesArgs]
    ) -> ResponsesResponse: ...

    @overload
    async def create(
        self, *, stream: Literal[True], **kwargs: Unpack[ResponsesArgs]
    ) -> AsyncStream[ResponsesStreamEvent, ResponsesResponse]: ...

    @overload
    async def create(
        self, *, stream: bool, **kwargs: Unpack[ResponsesArgs]
    ) -> Union[ResponsesResponse, AsyncStream[ResponsesStreamEvent, ResponsesResponse]]: ...

    async def create(
        self,
        params: Optional[Params] = None,
        *,
        stream: Optional[bool] = None,
        **kwargs: Any,
    ) -> Union[ResponsesResponse, AsyncStream[ResponsesStreamEvent, ResponsesResponse]]:
        """Create a response and return it whole (a queued job with ``background=True``, or
        when a ``web_search_preview`` tool makes the gateway run it in the background). With
        ``stream=True`` (openai-python's way) it returns what :meth:`stream` returns, the same
        stream object.

        >>> resp = await client.responses.create(              # doctest: +SKIP
        ...     model="openai/gpt-4o-mini", input="What is 2+2?")
        >>> resp.output_text                                     # doctest: +SKIP
        '2 + 2 = 4.'
        """
        if stream:  # what stream() returns
            return self._stream(RESPONSES_STREAM, params, kwargs)
        return await self._request(RESPONSES_CREATE, params, kwargs)

    @overload
    async def parse(
        self, params: Params, /, *, text_format: Type[M], **options: Unpack[RequestOptions]
    ) -> ParsedResponse[M]: ...

    @overload
    async def parse(
        self, params: Params, /, *, text_format: None = None, **options: Unpack[RequestOptions]
    ) -> ParsedResponse[None]: ...

    @overload
    async def parse(
        self, /, *, text_format: Type[M], **kwargs: Unpack[ResponsesArgs]
    ) -> ParsedResponse[M]: ...

    @overload
    async def parse(
        self, /, *, text_format: None = None, **kwargs: Unpack[ResponsesArgs]
    ) -> ParsedResponse[None]: ...

    async def parse(
        self,
        params: Optional[Params] = None,
        /,
        *,
        text_format: Optional[Type[Any]] = None,
        **kwargs: Any,
    ) -> ParsedResponse[Any]:
        """Create a response whose output must follow ``text_format``, a pydantic model, and
        return it parsed: ``output_parsed`` is an instance of the model (``None`` without
        output text). The model is sent as a strict JSON Schema in ``text.format`` (other
        ``text`` settings you pass are kept); output that does not fit it raises
        ``ResponseDecodeError``.

        >>> resp = await client.responses.parse(                        # doctest: +SKIP
        ...     model="openai/gpt-4o-mini", input="What is 2+2?", text_format=Answer)
        >>> resp.output_parsed                                          # doctest: +SKIP
        Answer(value=4)
        """
        from meshapi_core.structured import parse_response, text_format_for

        if text_format is not None:
            fmt = text_format_for(text_format)
            if isinstance(params, ResponsesParams):
                params = params.model_copy(update={"text": {**(params.text or {}), "format": fmt}})
            elif params is not None:
                params = {**params, "text": {**(params.get("text") or {}), "format": fmt}}
            else:
                kwargs = {**kwargs, "text": {**(kwargs.get("text") or {}), "format": fmt}}
        then = functools.partial(parse_response, text_format=text_format)
        return await self._request(RESPONSES_CREATE, params, kwargs, then=then)

    @overload
    def stream(
        self, params: Params, **options: Unpack[RequestOptions]
    ) -> AsyncStream[ResponsesStreamEvent, ResponsesResponse]: ...
    @overload
    def stream(
        self, **kwargs: Unpack[ResponsesArgs]
    ) -> AsyncStream[ResponsesStreamEvent, ResponsesResponse]: ...
    def stream(
        self, params: Optional[Params] = None, **kwargs: Any
    ) -> AsyncStream[ResponsesStreamEvent, ResponsesResponse]:
        """Stream a response as ``response.*`` events, typed by ``type``; the stream ends on
        ``response.completed``, ``response.failed`` or ``response.incomplete``. Never retried.
        ``stream.text()`` gives the output text as it comes, ``await stream.final()`` the
        terminal event's response.

        >>> async for event in client.responses.stream(model="auto", input="Hi"):  # doctest: +SKIP
        ...     if event.type == "response.output_text.delta":
        ...         print(event.delta, end="")
        """
        return self._stream(RESPONSES_STREAM, params, kwargs)

    def list(
        self,
        params: Union[ResponsesListParams, ResponsesListParamsDict, None] = None,
        **kwargs: Unpack[ResponsesListArgs],
    ) -> AsyncPaginator[ResponsesListItem]:
        """Your background jobs, newest first, page by page (``after``, ``limit``).

        The first page has ``.data``, ``.has_more``, ``.first_id`` and ``.last_id``;
        iterating walks every job of every page, each page fetched when needed.

        >>> for job in client.responses.list(limit=20):   # doctest: +SKIP
        ...     print(job.id, job.status)
        """
        return self._list(RESPONSES_LIST, params, kwargs)

    async def get(self, response_id: str, **options: Unpack[RequestOptions]) -> ResponsesResponse:
        """One response by id; polls a background job (``status``, and ``output`` once
        ``completed``). Raises ``NotFoundError`` for an unknown id."""
        return await self._request(RESPONSES_GET, kwargs=options, path={"response_id": response_id})
