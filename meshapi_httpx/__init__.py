"""httpx transports for the MeshAPI SDK: :class:`HttpxTransport` (blocking) and
:class:`AsyncHttpxTransport` (asyncio and trio).

They move bytes and map httpx's exceptions to the SDK's own; everything else (URLs, headers,
retries, decoding) is the core's. ``MeshAPI`` and ``AsyncMeshAPI`` use them by default::

    import httpx
    from meshapi import MeshAPI
    from meshapi_httpx import HttpxTransport

    client = MeshAPI(token="rsk_...", transport=HttpxTransport(httpx.Client(http2=False)))
"""

from ._async import AsyncHttpxStreamResponse, AsyncHttpxTransport
from ._sync import HttpxStreamResponse, HttpxTransport

__all__ = [
    "AsyncHttpxStreamResponse",
    "AsyncHttpxTransport",
    "HttpxStreamResponse",
    "HttpxTransport",
]
