"""Model compare (``docs/gateway/api.md`` §2): a whole comparison, or its events. The SSE
``event:`` name of each event is kept in the event's ``event`` field."""

from __future__ import annotations

from ..endpoint import DATA, JSON, SSE, Endpoint
from ..models.compare import CompareParams, CompareResponse, CompareStreamEvent

__all__ = ["COMPARE_CREATE", "COMPARE_STREAM"]

COMPARE_CREATE: Endpoint[CompareParams, CompareResponse] = Endpoint(
    "POST", "/v1/chat/compare", DATA, JSON(CompareResponse), CompareParams
)
"""``POST /v1/chat/compare``, called by ``compare.create``."""
COMPARE_STREAM: Endpoint[CompareParams, CompareStreamEvent] = Endpoint(
    "POST",
    "/v1/chat/compare",
    DATA,
    params=CompareParams,
    stream=SSE(CompareStreamEvent, event_field="event"),
)
"""``POST /v1/chat/compare`` as a stream, called by ``compare.stream``."""
