"""``client.messages``: Anthropic-shaped messages for any catalog model
(``POST /v1/messages``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Optional, Union, overload

from meshapi_core.endpoints.messages import MESSAGES_CREATE, MESSAGES_STREAM
from meshapi_core.models.messages import MessagesParams, MessagesResponse, MessagesStreamEvent

from ..resource import AsyncResource
from ..streams import AsyncStream

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import MessagesArgs, MessagesParamsDict, RequestOptions

__all__ = ["AsyncMessages"]

Params = Union[MessagesParams, "MessagesParamsDict"]


class AsyncMessages(AsyncResource):
    """Anthropic's Messages API: ``create`` for the whole message, ``stream`` for its
    events."""

    # The params (a MessagesParams or a dict) next to the call's options, or the fields as
    # keywords; each with stream= left out or False, True, or a bool known at run time.
    @overload
    async def create(
        self,
        params: Params,
        /,
        *,
        stream: Optional[Literal[False]] = None,
        **options: Unpack[RequestOptions],
    ) -> MessagesResponse: ...

    @overload
    async def create(
        self, params: Params, /, *, stream: Literal[True], **options: Unpack[RequestOptions]
    ) -> AsyncStream[MessagesStreamEvent, MessagesResponse]: ...

    @overload
    async def create(
        self, params: Params, /, *, stream: bool, **options: Unpack[RequestOptions]
    ) -> Union[MessagesResponse, AsyncStream[MessagesStreamEvent, MessagesResponse]]: ...

    @overload
    async def create(
        self, /, *, stream: Optional[Literal[False]] = None, **kwargs: Unpack[MessagesArgs]
    ) -> MessagesResponse: ...

    @overload
    async def create(
        self, /, *, stream: Literal[True], **kwargs: Unpack[MessagesArgs]
    ) -> AsyncStream[MessagesStreamEvent, MessagesResponse]: ...

    @overload
    async def create(
        self, /, *, stream: bool, **kwargs: Unpack[MessagesArgs]
    ) -> Union[MessagesResponse, AsyncStream[MessagesStreamEvent, MessagesResponse]]: ...

    async def create(
        self,
        params: Optional[Params] = None,
        /,
        *,
        stream: Optional[bool] = None,
        **kwargs: Any,
    ) -> Union[MessagesResponse, AsyncStream[MessagesStreamEvent, MessagesResponse]]:
        """Send ``messages`` and return the whole reply. With ``stream=True`` (the Anthropic
        SDK's way) it returns what :meth:`stream` returns, the same stream object.

        >>> msg = await client.messages.create(                       # doctest: +SKIP
        ...     model="anthropic/claude-haiku-4.5", max_tokens=256,
        ...     messages=[{"role": "user", "content": "What is 2+2?"}])
        >>> msg.text, msg.stop_reason                                  # doctest: +SKIP
        ('2 + 2 = 4.', 'end_turn')
        """
        if stream:  # what stream() returns
            return self._stream(MESSAGES_STREAM, params, kwargs)
        return await self._request(MESSAGES_CREATE, params, kwargs)

    @overload
    def stream(
        self, params: Params, /, **options: Unpack[RequestOptions]
    ) -> AsyncStream[MessagesStreamEvent, MessagesResponse]: ...
    @overload
    def stream(
        self, /, **kwargs: Unpack[MessagesArgs]
    ) -> AsyncStream[MessagesStreamEvent, MessagesResponse]: ...
    def stream(
        self, params: Optional[Params] = None, /, **kwargs: Any
    ) -> AsyncStream[MessagesStreamEvent, MessagesResponse]:
        """Stream the reply as Anthropic events, ending on ``message_stop``; an ``error``
        event raises the typed error (``overloaded_error`` is a ``ServerError``). Never
        retried. ``stream.text()`` gives the text deltas, ``await stream.final()`` (or
        ``get_final_message()``) the whole message the events build.

        >>> async for ev in client.messages.stream(params):   # doctest: +SKIP
        ...     if ev.type == "content_block_delta" and ev.delta.type == "text_delta":
        ...         print(ev.delta.text, end="")
        """
        return self._stream(MESSAGES_STREAM, params, kwargs)
