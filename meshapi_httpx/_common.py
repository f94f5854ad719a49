"""What the sync and async httpx transports share: request building and error mapping."""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, Union

import httpx

from meshapi_core.errors import (
    APIConnectionError,
    StreamInterruptedError,
    stream_failure,
    transport_failure,
)
from meshapi_core.http import Request, Timeout, header_dict

_AnyClient = Union[httpx.Client, httpx.AsyncClient]


@lru_cache(maxsize=64)
def _timeout(t: Timeout) -> httpx.Timeout:
    return httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool)


def to_httpx(client: _AnyClient, request: Request) -> httpx.Request:
    """The httpx request for a core request, with its per-phase timeouts."""
    return client.build_request(
        request.method,
        request.url,
        headers=request.headers,
        content=request.body,
        timeout=_timeout(request.timeout),
    )


def headers_of(response: httpx.Response) -> Dict[str, str]:
    """Response headers as a dict with lower-case names; repeated headers joined by ", "."""
    return header_dict(response.headers.multi_items())


def connection_error(exc: httpx.HTTPError, *, response_started: bool) -> APIConnectionError:
    """The SDK error for an httpx failure while sending or reading a whole response."""
    timeout = isinstance(exc, httpx.TimeoutException)
    return transport_failure(exc, timeout=timeout, response_started=response_started)


def stream_error(exc: httpx.HTTPError) -> StreamInterruptedError:
    """The SDK error for an httpx failure in the middle of a streamed body."""
    return stream_failure(exc, timeout=isinstance(exc, httpx.TimeoutException))
