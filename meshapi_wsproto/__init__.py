"""WebSocket sessions for every transport the SDK ships: wsproto over a connection of their own.

Neither httpx nor aiohttp gives the SDK the WebSocket client it needs. httpx has none, and
aiohttp's follows redirects with the handshake's headers (the credential is one of them),
takes its connections from the session's pool (so open sessions starve the REST calls), and
accepts frames RFC 6455 forbids a server to send (masked frames, close codes such as 1006 or
5000), none of which its public API can change. So every transport opens a session the same
way, with this package:

- a connection of the session's own, outside any HTTP client's pool and its limits, closed
  when the session closes; through the proxy the transport passes (the environment's
  ``HTTPS_PROXY`` for ``wss://``, by :mod:`meshapi_core.proxies`), by a ``CONNECT`` tunnel
  that carries the TLS end to end, so the proxy never sees the credential;
- the handshake written and read by wsproto: any answer but ``101 Switching Protocols`` is
  the typed error :func:`~meshapi_core.websocket.handshake_refused` makes from its status,
  headers and body (a redirect is never followed: nothing is sent anywhere else);
- frames parsed by wsproto: a frame a server may not send ends the session with
  :class:`~meshapi_core.errors.StreamInterruptedError`, after a close frame saying why;
- TLS with the context the transport passes (the client's ``verify`` setting), so REST
  calls and sessions trust the same servers; a certificate that fails verification is a
  :class:`~meshapi_core.errors.CertificateVerificationError` naming the host and the reason.

:mod:`._protocol` is the protocol (Sans-IO); :mod:`._sync` drives it over a blocking socket,
:mod:`._async` over an anyio stream (asyncio and trio). A transport's ``connect_websocket``
is one call to :func:`connect_websocket` or :func:`aconnect_websocket`, and a transport of
yours can make it too::

    import ssl

    from meshapi_wsproto import aconnect_websocket

    class MyTransport:
        ...
        async def connect_websocket(self, request):
            return await aconnect_websocket(request, ssl.create_default_context, proxy=None)
"""

from ._async import AsyncWsprotoWebSocket
from ._async import connect_websocket as aconnect_websocket
from ._protocol import TLSContext
from ._sync import WsprotoWebSocket, connect_websocket

__all__ = [
    "AsyncWsprotoWebSocket",
    "TLSContext",
    "WsprotoWebSocket",
    "aconnect_websocket",
    "connect_websocket",
]
