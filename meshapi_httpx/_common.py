"""What the sync and async httpx transports share: request building and error mapping."""

from __future__ import annotations

from typing import Dict, Union

import httpx

from meshapi_core.errors import (
    APIConnectionError,
    APITimeoutError,
    StreamInterruptedError,
    StreamTimeoutError,
)
from meshapi_core.http import Request

_AnyClient = Union[httpx.Client, httpx.AsyncClient]


def to_httpx(client: _AnyClient, request: Request) -> httpx.Request:
    """The httpx request for a core request, with its per-phase timeouts."""
    t = request.timeout
    return client.build_request(
        request.method,
        request.url,
        headers=request.headers,
        content=request.body,
        timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
    )


def headers_of(response: httpx.Response) -> Dict[str, str]:
    """Response headers as a dict with lower-case names; repeated headers joined by ", "."""
    headers: Dict[str, str] = {}
    for name, value in response.headers.multi_items():
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def connection_error(exc: httpx.HTTPError, *, response_started: bool) -> APIConnectionError:
    """The SDK error for an httpx failure while sending or reading a whole response."""
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"Timed out talking to the gateway ({_describe(exc)})",
            response_started=response_started,
        )
    when = "reading the response" if response_started else "before any response"
    return APIConnectionError(
        f"Connection to the gateway failed {when} ({_describe(exc)})",
        response_started=response_started,
    )


def stream_error(exc: httpx.HTTPError) -> StreamInterruptedError:
    """The SDK error for an httpx failure in the middle of a streamed body."""
    if isinstance(exc, httpx.TimeoutException):
        return StreamTimeoutError(f"The stream timed out waiting for data ({_describe(exc)})")
    return StreamInterruptedError(f"The stream's connection broke ({_describe(exc)})")
