"""WebSocket sessions on the httpx transports: :mod:`meshapi_wsproto`, with the transport's
TLS and the environment's proxy.

httpx has no WebSocket client, so a session opens a connection of its own (outside the
client's pool) and frames it with wsproto, as every transport does (see
:mod:`meshapi_wsproto`). ``wss://`` uses the SSL context the transport's own client was
built with (the ``ssl_context`` it was given, else the one httpx makes,
``httpx.create_ssl_context()``: certifi's roots, ``SSL_CERT_FILE``/``SSL_CERT_DIR``
honoured), so REST calls and sessions trust the same servers. Given a client of yours and no
``ssl_context``, sessions use httpx's default context. The proxy is the environment's, read
when the transport is made, by httpx's rules (:mod:`meshapi_core.proxies`).
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Dict, Optional, Union
from urllib.request import getproxies

import httpx

if TYPE_CHECKING:
    from meshapi_core.proxies import ProxyRoute, ProxyRules

__all__ = ["TLS", "ssl_context"]

_SSL_CONTEXT: Optional[ssl.SSLContext] = None


def ssl_context() -> ssl.SSLContext:
    """httpx's default SSL context, made once: the one for sessions of a transport given a
    client of yours and no ``ssl_context``."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        _SSL_CONTEXT = httpx.create_ssl_context()
    return _SSL_CONTEXT


class TLS:
    """A transport's SSL context and proxy rules, shared by its client and its sessions.
    The environment's proxy settings are read when it is made, and read into rules by the
    first session."""

    __slots__ = ("_proxies", "context")

    def __init__(self, context: Optional[ssl.SSLContext], *, made_here: bool) -> None:
        if context is None and made_here:
            context = httpx.create_ssl_context()  # what httpx.Client() would make
        self.context = context
        self._proxies: Union[Dict[str, str], ProxyRules] = getproxies()

    def for_websocket(self) -> ssl.SSLContext:
        """The SSL context of a ``wss://`` session."""
        return self.context if self.context is not None else ssl_context()

    def proxy(self, url: str) -> Optional[ProxyRoute]:
        """The proxy for a session to ``url``, if the environment names one for it."""
        rules = self._proxies
        if isinstance(rules, dict):
            from meshapi_core.proxies import ProxyRules

            rules = self._proxies = ProxyRules.of(rules)
        return rules.route(url)
