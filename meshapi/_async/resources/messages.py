"""``client.messages``: Anthropic-shaped messages for any catalog model
(``POST /v1/messages``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Optional, Union, overload

from meshapi_core.endpoints.messages import MESSAGES_CREATE, MESSAGES_STREAM
from meshapi_core.models.messages import MessagesParams, MessagesResponse, MessagesStreamEvent

from ..resource import AsyncResource
from ..streams import AsyncStream

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import MessagesArgs, MessagesParamsDict

__all__ = ["AsyncMessages"]

Params = Union[MessagesParams, "MessagesParamsDict", None]


class AsyncMessages(AsyncResource):
    """Anthropic's Messages API: ``create`` for the whole message, ``stream`` for its
    events."""

    @overload
    async def create(
        self,
        params: Params = None,
        /,
        *,
        stream: Optional[Literal[False]] = None,
        **kwargs: Unpack[MessagesArgs],
    ) -> MessagesResponse: ...

    @overload
    async def create(
        self, params: Params = None, /, *, stream: Literal[True], **kwargs: Unpack[MessagesArgs]
    ) -> AsyncStream[MessagesStreamEvent, MessagesResponse]: ...

    @overload
    async def create(
        self, params: Params = None, /, *, stream: bool, **kwargs: Unpack[MessagesArgs]
    ) -> Union[MessagesResponse, AsyncStream[MessagesStreamEvent, MessagesResponse]]: ...

    async def create(
        self,
        params: Params = None,
        /,
        *,
        stream: Optional[bool] = None,
        **kwargs: Unpack[MessagesArgs],
    ) -> Union[MessagesResponse, AsyncStream[MessagesStreamEvent, MessagesResponse]]:
        """Send ``messages`` and return the whole reply. With ``stream=True`` (the Anthropic
        SDK's way) it returns what :meth:`stream` returns, the same stream object.

        >>> msg = await client.messages.create(                       # doctest: +SKIP
        ...     model="anthropic/claude-haiku-4.5", max_tokens=256,
        ...     messages=[{"role": "user", "content": "What is 2+2?"}])
        >>> msg.text, msg.stop_reason                                  # doctest: +SKIP
        ('2 + 2 = 4.', 'end_turn')
        """
        if stream:
            return self.stream(params, **kwargs)
        return await self._request(MESSAGES_CREATE, params, kwargs)

    def stream(
        self, params: Params = None, /, **kwargs: Unpack[MessagesArgs]
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
