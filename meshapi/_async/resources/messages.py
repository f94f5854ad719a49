"""``client.messages``: Anthropic-shaped messages for any catalog model
(``POST /v1/messages``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

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

    async def create(
        self, params: Params = None, /, **kwargs: Unpack[MessagesArgs]
    ) -> MessagesResponse:
        """Send ``messages`` and return the whole reply.

        >>> msg = await client.messages.create(                       # doctest: +SKIP
        ...     model="anthropic/claude-haiku-4.5", max_tokens=256,
        ...     messages=[{"role": "user", "content": "What is 2+2?"}])
        >>> msg.text, msg.stop_reason                                  # doctest: +SKIP
        ('2 + 2 = 4.', 'end_turn')
        """
        return await self._request(MESSAGES_CREATE, params, kwargs)

    def stream(
        self, params: Params = None, /, **kwargs: Unpack[MessagesArgs]
    ) -> AsyncStream[MessagesStreamEvent]:
        """Stream the reply as Anthropic events, ending on ``message_stop``; an ``error``
        event raises the typed error (``overloaded_error`` is a ``ServerError``). Never
        retried.

        >>> async for ev in client.messages.stream(params):   # doctest: +SKIP
        ...     if ev.type == "content_block_delta" and ev.delta.type == "text_delta":
        ...         print(ev.delta.text, end="")
        """
        return self._stream(MESSAGES_STREAM, params, kwargs)
