"""Anthropic-shaped messages (``docs/gateway/api.md`` §16): a whole message, or its events,
ending on ``message_stop``."""

from __future__ import annotations

from functools import partial

from ..accumulate import MessageAccumulator
from ..endpoint import DATA, JSON, SSE, Endpoint, Tagged
from ..models.messages import (
    MESSAGES_EVENT_MODELS,
    MESSAGES_TERMINAL_EVENTS,
    MessagesParams,
    MessagesResponse,
    MessagesStreamEvent,
)

__all__ = ["MESSAGES_CREATE", "MESSAGES_STREAM"]

MESSAGES_CREATE: Endpoint[MessagesParams, MessagesResponse] = Endpoint(
    "POST", "/v1/messages", DATA, JSON(MessagesResponse), MessagesParams
)
"""``POST /v1/messages``, called by ``messages.create``."""
MESSAGES_STREAM: Endpoint[MessagesParams, MessagesStreamEvent] = Endpoint(
    "POST",
    "/v1/messages",
    DATA,
    params=MessagesParams,
    stream=SSE(
        Tagged(MESSAGES_EVENT_MODELS, MessagesStreamEvent),
        terminal=MESSAGES_TERMINAL_EVENTS,
        accumulator=partial(MessageAccumulator, MessagesResponse),
    ),
)
"""``POST /v1/messages`` as a stream, called by ``messages.stream``."""
