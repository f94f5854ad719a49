"""The Responses API (``spec`` API section 3): create, stream, list background jobs, get."""

from __future__ import annotations

from ..endpoint import DATA, JSON, SSE, CursorPaging, Endpoint, Tagged
from ..models.responses import (
    RESPONSES_EVENT_MODELS,
    RESPONSES_TERMINAL_EVENTS,
    ResponsesListParams,
    ResponsesListResponse,
    ResponsesParams,
    ResponsesResponse,
    ResponsesStreamEvent,
)

__all__ = ["RESPONSES_CREATE", "RESPONSES_GET", "RESPONSES_LIST", "RESPONSES_STREAM"]

RESPONSES_CREATE: Endpoint[ResponsesParams, ResponsesResponse] = Endpoint(
    "POST", "/v1/responses", DATA, JSON(ResponsesResponse), ResponsesParams
)
RESPONSES_STREAM: Endpoint[ResponsesParams, ResponsesStreamEvent] = Endpoint(
    "POST",
    "/v1/responses",
    DATA,
    params=ResponsesParams,
    stream=SSE(
        Tagged(RESPONSES_EVENT_MODELS, ResponsesStreamEvent),
        terminal=RESPONSES_TERMINAL_EVENTS,
    ),
)
RESPONSES_LIST: Endpoint[ResponsesListParams, ResponsesListResponse] = Endpoint(
    "GET",
    "/v1/responses",
    DATA,
    JSON(ResponsesListResponse),
    ResponsesListParams,
    paging=CursorPaging(),
)
RESPONSES_GET: Endpoint[None, ResponsesResponse] = Endpoint(
    "GET", "/v1/responses/{response_id}", DATA, JSON(ResponsesResponse)
)
