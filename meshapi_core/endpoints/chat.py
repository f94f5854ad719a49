"""Chat completions (``docs/gateway/api.md`` §1): one path, a whole reply or a stream; both
take stored memories (``memories=``, sent as ``x-mem-id``, ``api.md`` §0.2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..endpoint import DATA, JSON, MEMORIES, SSE, Endpoint
from ..models.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionParams

if TYPE_CHECKING:
    from ..accumulate import ChatCompletionAccumulator

__all__ = ["CHAT_COMPLETIONS", "CHAT_COMPLETIONS_STREAM"]


def _accumulator() -> ChatCompletionAccumulator:
    """A :class:`~meshapi_core.accumulate.ChatCompletionAccumulator` (its module loads with
    the first stream, not with the first ``create``)."""
    from ..accumulate import ChatCompletionAccumulator

    return ChatCompletionAccumulator()


CHAT_COMPLETIONS: Endpoint[ChatCompletionParams, ChatCompletion] = Endpoint(
    "POST",
    "/v1/chat/completions",
    DATA,
    JSON(ChatCompletion),
    ChatCompletionParams,
    options=MEMORIES,
)
"""``POST /v1/chat/completions``, called by ``chat.completions.create``."""
CHAT_COMPLETIONS_STREAM: Endpoint[ChatCompletionParams, ChatCompletionChunk] = Endpoint(
    "POST",
    "/v1/chat/completions",
    DATA,
    params=ChatCompletionParams,
    stream=SSE(ChatCompletionChunk, accumulator=_accumulator),
    options=MEMORIES,
)
"""``POST /v1/chat/completions`` as a stream, called by ``chat.completions.stream``."""
