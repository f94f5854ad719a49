"""WebSocket sessions on the httpx transports: :mod:`meshapi_wsproto`, with httpx's TLS.

httpx has no WebSocket client, so a session opens a connection of its own (outside the
client's pool, without its proxy) and frames it with wsproto, as every transport does (see
:mod:`meshapi_wsproto`). ``wss://`` uses the SSL context httpx itself would
(``httpx.create_ssl_context()``: certifi's roots, ``SSL_CERT_FILE``/``SSL_CERT_DIR``
honoured), so REST calls and sessions trust the same servers.
"""

from __future__ import annotations

import ssl
from typing import Optional

import httpx

__all__ = ["ssl_context"]

_SSL_CONTEXT: Optional[ssl.SSLContext] = None


def ssl_context() -> ssl.SSLContext:
    """The SSL context of ``wss://`` sessions: the one httpx makes for its own requests."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        _SSL_CONTEXT = httpx.create_ssl_context()
    return _SSL_CONTEXT
