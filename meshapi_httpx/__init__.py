"""httpx transports for the MeshAPI SDK: :class:`HttpxTransport` (blocking) and
:class:`AsyncHttpxTransport` (asyncio and trio).

They move bytes and map httpx's exceptions to the SDK's own; everything else (URLs, headers,
retries, decoding) is the core's. ``MeshAPI`` and ``AsyncMeshAPI`` use them by default::

    import httpx
    from meshapi import MeshAPI
    from meshapi_httpx import HttpxTransport

    client = MeshAPI(token="rsk_...", transport=HttpxTransport(httpx.Client(http2=False)))

The async transport loads on first use (it brings ``asyncio`` and its own connection pool), so
a blocking client never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List

from ._sync import HttpxStreamResponse, HttpxTransport

if TYPE_CHECKING:
    from ._async import AsyncHttpxStreamResponse, AsyncHttpxTransport

__all__ = [
    "AsyncHttpxStreamResponse",
    "AsyncHttpxTransport",
    "HttpxStreamResponse",
    "HttpxTransport",
]

_ASYNC = ("AsyncHttpxStreamResponse", "AsyncHttpxTransport")


def __getattr__(name: str) -> Any:
    if name not in _ASYNC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import _async

    value = getattr(_async, name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return __all__
