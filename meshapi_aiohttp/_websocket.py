"""WebSocket sessions on the aiohttp transport: :mod:`meshapi_wsproto`, with aiohttp's TLS.

aiohttp's own WebSocket client (``session.ws_connect``) is not used, because its public API
cannot make it safe for the SDK: it follows a redirected handshake, sending the credential's
subprotocol to wherever the ``Location`` points; it takes its connection from the session's
pool, so open sessions (long-lived by nature) starve the REST calls sharing it; and it
accepts frames RFC 6455 forbids a server to send (masked frames, close codes 1006 or 5000).
A session opens a connection of its own instead (outside the session's pool, through the
environment's proxy rather than the session's), framed by wsproto, as on the httpx
transports: one behaviour on every transport.

``wss://`` uses the transport's ``ssl_context`` (the client's ``verify`` setting: a client
always passes one), else the context aiohttp makes when a session is given none
(``ssl.create_default_context()``: the system's roots, ``http/1.1`` offered by ALPN).
"""

from __future__ import annotations

import ssl
from typing import Optional

__all__ = ["ssl_context"]

_SSL_CONTEXT: Optional[ssl.SSLContext] = None


def ssl_context() -> ssl.SSLContext:
    """The SSL context of ``wss://`` sessions: aiohttp's default one."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        context = ssl.create_default_context()
        context.set_alpn_protocols(["http/1.1"])
        _SSL_CONTEXT = context
    return _SSL_CONTEXT
