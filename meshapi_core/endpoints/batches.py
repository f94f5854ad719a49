"""Batches (``docs/gateway/api.md`` §12): data-plane keys only. The list is OpenAI's cursor page
(``after`` + ``limit``, ``has_more`` / ``last_id``); cancel answers the batch."""

from __future__ import annotations

from ..endpoint import DATA, JSON, CursorPaging, Endpoint
from ..models.batches import (
    BATCH_RUNNING_STATUSES,
    BATCH_TERMINAL_STATUSES,
    Batch,
    BatchCreateParams,
    BatchListParams,
    BatchListResponse,
)
from ..polling import Waiter

__all__ = ["BATCHES_CANCEL", "BATCHES_CREATE", "BATCHES_GET", "BATCHES_LIST", "BATCHES_WAIT"]

BATCHES_CREATE: Endpoint[BatchCreateParams, Batch] = Endpoint(
    "POST", "/v1/batches", DATA, JSON(Batch), BatchCreateParams
)
"""``POST /v1/batches``, called by ``batches.create``."""
BATCHES_LIST: Endpoint[BatchListParams, BatchListResponse] = Endpoint(
    "GET",
    "/v1/batches",
    DATA,
    JSON(BatchListResponse),
    BatchListParams,
    paging=CursorPaging(),
)
"""``GET /v1/batches``, called by ``batches.list``."""
BATCHES_GET: Endpoint[None, Batch] = Endpoint("GET", "/v1/batches/{batch_id}", DATA, JSON(Batch))
"""``GET /v1/batches/{batch_id}``, called by ``batches.get``."""
BATCHES_CANCEL: Endpoint[None, Batch] = Endpoint(
    "POST", "/v1/batches/{batch_id}/cancel", DATA, JSON(Batch)
)
"""``POST /v1/batches/{batch_id}/cancel``, called by ``batches.cancel``."""

BATCHES_WAIT: Waiter[Batch] = Waiter(
    BATCHES_GET,
    name=lambda batch: f"Batch {batch.id}",
    running=BATCH_RUNNING_STATUSES,
    finished=BATCH_TERMINAL_STATUSES,
)
"""``batches.wait``: look at a batch until its status is terminal; a status the gateway does
not document (§12) ends the wait at once."""
