"""The Responses API (``docs/gateway/api.md`` §3): create, stream, list background jobs, get."""

from __future__ import annotations

from functools import partial

from ..accumulate import ResponseAccumulator
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
"""``POST /v1/responses``, called by ``responses.create``."""
RESPONSES_STREAM: Endpoint[ResponsesParams, ResponsesStreamEvent] = Endpoint(
    "POST",
    "/v1/responses",
    DATA,
    params=ResponsesParams,
    stream=SSE(
        Tagged(RESPONSES_EVENT_MODELS, ResponsesStreamEvent),
        terminal=RESPONSES_TERMINAL_EVENTS,
        accumulator=partial(ResponseAccumulator, ResponsesResponse),
    ),
)
"""``POST /v1/responses`` as a stream, called by ``responses.stream``."""
RESPONSES_LIST: Endpoint[ResponsesListParams, ResponsesListResponse] = Endpoint(
    "GET",
    "/v1/responses",
    DATA,
    JSON(ResponsesListResponse),
    ResponsesListParams,
    paging=CursorPaging(),
)
"""``GET /v1/responses``, called by ``responses.list``."""
RESPONSES_GET: Endpoint[None, ResponsesResponse] = Endpoint(
    "GET", "/v1/responses/{response_id}", DATA, JSON(ResponsesResponse)
)
"""``GET /v1/responses/{response_id}``, called by ``responses.get``."""
