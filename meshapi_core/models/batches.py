"""Batches: many chat completions run later, at batch prices (``docs/gateway/api.md`` §12).

A batch is created with its requests inline (no file upload), all for one model. It moves
through ``validating``, ``in_progress`` and ``finalizing`` to a terminal status
(``completed``, ``failed``, ``cancelled`` or ``expired``). Once completed, newer gateways put
the results inline (``results``, in no particular order: match them on ``custom_id``); older
ones pointed at ``output_file_id`` instead. One request failing is data
(``results[].error``, ``errors_detail``, ``request_counts.failed``), not an HTTP error.

The names meshapi 0.1.11 uses are aliases of the same classes: ``CreateBatchParams``,
``BatchRequestItem`` and ``BatchObject``; ``BatchListResponse`` is that name already.
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, List, Literal, Optional, Union

from pydantic import Field

from .base import RequestModel, ResponseModel
from .chat import ChatCompletion
from .pages import CursorPage

__all__ = [
    "Batch",
    "BatchCreateParams",
    "BatchListParams",
    "BatchListResponse",
    "BatchObject",
    "BatchRequest",
    "BatchRequestCounts",
    "BatchRequestItem",
    "BatchResult",
    "BatchResultResponse",
    "BatchStatus",
    "CreateBatchParams",
]

BatchStatus = Literal[
    "validating", "in_progress", "finalizing", "completed", "failed", "cancelled", "expired"
]
"""The statuses a batch goes through (the gateway may add others; they arrive as strings)."""

BATCH_TERMINAL_STATUSES: FrozenSet[str] = frozenset({"completed", "failed", "cancelled", "expired"})
"""The statuses a batch never leaves."""
BATCH_RUNNING_STATUSES: FrozenSet[str] = frozenset({"validating", "in_progress", "finalizing"})
"""The statuses of a batch still on its way (``batches.wait`` looks again); with the terminal
ones, every status ``docs/gateway/api.md`` §12 documents."""


class BatchRequest(RequestModel):
    """One request of a batch: its ``body`` is what you would send to ``url`` (by default
    ``POST /v1/chat/completions``), and ``custom_id`` finds its result again.

    >>> BatchRequest(custom_id="q1", body={"model": "openai/gpt-5-nano",
    ...              "messages": [{"role": "user", "content": "2+2?"}]}).to_json_dict()["custom_id"]
    'q1'
    """

    custom_id: str = Field(min_length=1)
    """Your id for the request, to find its result again (results come in no particular order)."""
    body: Dict[str, Any]
    """The request's JSON body, as you would send it to ``url``: ``{model, messages, ...}``."""
    method: Optional[str] = None
    """The HTTP method of the request (the gateway's default: ``POST``)."""
    url: Optional[str] = None
    """The endpoint of the request (the gateway's default: ``/v1/chat/completions``)."""


class BatchCreateParams(RequestModel):
    """The body of ``POST /v1/batches``: at least one request, every one for the same model.

    The gateway refuses a new batch with ``429 batch_limit_exceeded`` while you have 10 that
    are not finished, and with ``501 not_implemented`` for a model whose provider has no
    batch API.
    """

    requests: List[BatchRequest] = Field(min_length=1)
    """The requests, at least one, all for the same model."""
    completion_window: Optional[str] = None
    """How long the batch may take (the gateway's default and only value: ``"24h"``)."""
    metadata: Optional[Dict[str, Any]] = None
    """Your own data, kept with the batch."""


class BatchListParams(RequestModel):
    """The query of ``GET /v1/batches``: a page of ``limit`` batches after batch ``after``."""

    after: Optional[str] = None
    """The id of the last batch of the previous page: this page starts after it."""
    limit: Optional[int] = Field(default=None, ge=1)
    """The most batches on one page (at least 1)."""


class BatchRequestCounts(ResponseModel):
    """How many requests a batch holds, and how many have completed or failed."""

    total: Optional[int] = None
    """How many requests the batch holds."""
    completed: Optional[int] = None
    """How many have completed."""
    failed: Optional[int] = None
    """How many have failed."""


class BatchResultResponse(ResponseModel):
    """The HTTP answer one request of a batch got: its status and JSON body."""

    status_code: Optional[int] = None
    """The HTTP status the request got."""
    body: Optional[Dict[str, Any]] = None
    """Its JSON body: a chat completion, for the default endpoint."""

    def chat_completion(self) -> ChatCompletion:
        """The body as a :class:`~meshapi_core.models.chat.ChatCompletion` (for requests to
        ``/v1/chat/completions``, the default).

        >>> BatchResultResponse(status_code=200, body={"id": "c1", "choices": []}
        ...                     ).chat_completion().id
        'c1'
        """
        return ChatCompletion.model_validate(self.body or {})


class BatchResult(ResponseModel):
    """The outcome of one request of a completed batch: a ``response``, or an ``error``."""

    custom_id: Optional[str] = None
    """The ``custom_id`` of the request this result answers."""
    response: Optional[BatchResultResponse] = None
    """The answer the request got, when it got one."""
    error: Union[Dict[str, Any], str, None] = None
    """Why the request failed, when it did."""


class Batch(ResponseModel):
    """A batch, as ``/v1/batches`` reports it. Times are Unix seconds.

    >>> batch = Batch(id="batch_1", status="in_progress")
    >>> batch.done, batch.results is None
    (False, True)
    """

    id: str
    """The batch's id, for ``get``, ``cancel`` and ``wait``."""
    object: Optional[str] = None
    """The kind of object, as the gateway names it."""
    endpoint: Optional[str] = None
    """The endpoint the requests go to."""
    status: Optional[str] = None
    """One of :data:`BatchStatus` (kept as a string, so a status added later still reads)."""
    model: Optional[str] = None
    """The one model every request is for."""
    provider: Optional[str] = None
    """The provider that runs the batch."""
    created_at: Optional[int] = None
    """When the batch was created (Unix seconds)."""
    completed_at: Optional[int] = None
    """When it completed (Unix seconds)."""
    expires_at: Optional[int] = None
    """When it expires if it has not finished (Unix seconds)."""
    completion_window: Optional[str] = None
    """How long it may take, e.g. ``24h``."""
    usage_synced: Optional[bool] = None
    """Whether the gateway has recorded its usage (billed when a terminal status is first seen)."""
    request_counts: Optional[BatchRequestCounts] = None
    """How many requests it holds, and how many have completed or failed."""
    metadata: Optional[Dict[str, Any]] = None
    """The data given when it was created."""
    results: Optional[List[BatchResult]] = None
    """Inline results, once completed (newer gateways; order not guaranteed)."""
    errors_detail: Optional[List[Dict[str, Any]]] = None
    """What went wrong, for the requests that failed."""
    input_file_id: Optional[str] = None
    """The file of the requests, for a batch made from a file (older gateways)."""
    output_file_id: Optional[str] = None
    """Where older gateways put the results (JSONL), instead of ``results``."""
    error_file_id: Optional[str] = None
    """Where older gateways put the failed requests (JSONL)."""

    @property
    def done(self) -> bool:
        """Whether the batch has reached a terminal status (it will not change again)."""
        return self.status in BATCH_TERMINAL_STATUSES


class BatchListResponse(CursorPage[Batch]):
    """A page of ``GET /v1/batches``: ``data``, ``has_more``, ``first_id``, ``last_id``."""


BatchObject = Batch
"""The name meshapi 0.1.11 gives :class:`Batch`."""
BatchRequestItem = BatchRequest
"""The name meshapi 0.1.11 gives :class:`BatchRequest`."""
CreateBatchParams = BatchCreateParams
"""The name meshapi 0.1.11 gives :class:`BatchCreateParams`."""
