"""The client a transport makes for itself, and the short road its requests take.

A transport given no client makes one: ``follow_redirects=False``, httpx's defaults
otherwise. Such a client has no auth, no event hooks, and a cookie jar nobody reads (the
gateway authenticates every request by its token). ``client.send`` still runs the machinery
those would need on every request: it merges the client's default headers into the
request's, parses the URL again, walks the auth and redirect generators, and hands every
response to the cookie jar, which rebuilds it as a ``urllib`` request to look for
``Set-Cookie``. On a small reply that is a tenth of the client's CPU.

So when nothing in the environment routes requests elsewhere (no ``HTTP_PROXY``,
``HTTPS_PROXY`` or ``ALL_PROXY``), the transport builds the client around an
:class:`httpx.HTTPTransport` of its own (as httpx itself would: same TLS settings, same
limits) and gives each request to that transport directly, through httpx's public transport
API (``handle_request`` / ``handle_async_request``): a :class:`Direct`. Its TLS is what
``httpx.Client(verify=...)`` would have for the same setting: the same SSL context, handed to
``httpx.HTTPTransport(verify=...)`` exactly as the client hands it on. The request on the
wire is the same (the client's default headers are added to each request that lacks them).
With proxies in the environment, and always for a client the caller handed over, requests go
through ``client.send`` with everything the client was configured with.

The async transport's own client also gets a pool of its own (``_pool.py``): httpcore's
re-examines every connection whenever a request starts or ends, which at 50 requests in
flight costs more CPU than everything else the request does; the SDK's takes an idle
connection off a stack. Its limits are :data:`ASYNC_LIMITS`. (With a proxy in the environment
the client is httpx's own, pool included.)

Either way a URL without a query (an endpoint's path: few and repeated) is parsed once and
kept (:func:`url_of`, at most :data:`URL_CACHE_SIZE`), as is each timeout's httpx form.
"""

from __future__ import annotations

import ssl
from functools import lru_cache
from typing import Dict, Optional, Tuple, Union
from urllib.request import getproxies

import httpx

from meshapi_core.decoding import ACCEPT_ENCODING
from meshapi_core.http import Request, Timeout

__all__ = [
    "ASYNC_LIMITS",
    "URL_CACHE_SIZE",
    "Direct",
    "new_async_client",
    "new_client",
    "timeout_of",
    "url_of",
]

URL_CACHE_SIZE = 256
"""How many parsed URLs are kept (least recently used dropped first)."""

_Pairs = Tuple[Tuple[str, str], ...]


ASYNC_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100)
"""The async client's pool: up to 100 connections at once (httpx's and aiohttp's default), a
request past them waiting up to the ``pool`` timeout; every one of them kept when idle (httpx
keeps 20: at more than 20 requests in flight it would close and reopen connections all the
time), each for 5 s after its last response (httpx's keep-alive expiry)."""


@lru_cache(maxsize=URL_CACHE_SIZE)
def _parsed(url: str) -> httpx.URL:
    return httpx.URL(url)


def url_of(request: Request) -> Union[str, httpx.URL]:
    """The request's URL, parsed once for every request to it when it has no query (a
    query carries cursors and signatures: new with each call, so not kept)."""
    url = request.url
    return url if "?" in url else _parsed(url)


@lru_cache(maxsize=64)
def timeout_of(timeout: Timeout) -> httpx.Timeout:
    """httpx's per-phase timeouts for the core's (``total`` is the transport's own)."""
    return httpx.Timeout(
        connect=timeout.connect, read=timeout.read, write=timeout.write, pool=timeout.pool
    )


@lru_cache(maxsize=64)
def _timeout_extension(timeout: Timeout) -> Dict[str, Optional[float]]:
    return timeout_of(timeout).as_dict()


def _proxied() -> bool:
    """Whether the environment names a proxy httpx would send requests through."""
    proxies = getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


class Direct:
    """Sends requests straight to a client's own :class:`httpx.HTTPTransport` (or async
    one); see the module docs. ``defaults`` are the client's default headers, added to a
    request that does not set them."""

    __slots__ = ("_defaults", "transport")

    def __init__(
        self,
        transport: Union[httpx.HTTPTransport, httpx.AsyncHTTPTransport],
        defaults: _Pairs,
    ) -> None:
        self.transport = transport
        self._defaults = defaults

    @staticmethod
    def defaults_of(client: Union[httpx.Client, httpx.AsyncClient]) -> _Pairs:
        """A client's default headers, with the encodings the SDK decodes itself."""
        pairs = tuple(
            (name.lower(), value)
            for name, value in client.headers.multi_items()
            if name.lower() != "accept-encoding"
        )
        return (*pairs, ("accept-encoding", ACCEPT_ENCODING))

    def request(self, request: Request, content: object) -> httpx.Request:
        """httpx's request for ``request``, with the body ``content`` (see ``body_content``)."""
        headers = request.headers
        names = {name for name, _ in headers}  # the core's header names are lower-case
        headers += tuple(pair for pair in self._defaults if pair[0] not in names)
        return httpx.Request(
            request.method,
            url_of(request),
            headers=headers,
            content=content,  # type: ignore[arg-type]
            extensions={"timeout": _timeout_extension(request.timeout)},
        )

    def send(self, request: httpx.Request) -> httpx.Response:
        """Send on the blocking transport; the response's body is not read yet."""
        assert isinstance(self.transport, httpx.HTTPTransport)
        response = self.transport.handle_request(request)
        response.request = request
        return response

    async def send_async(self, request: httpx.Request) -> httpx.Response:
        """Send on the async transport; the response's body is not read yet."""
        assert isinstance(self.transport, httpx.AsyncHTTPTransport)
        response = await self.transport.handle_async_request(request)
        response.request = request
        return response


def new_client(
    ssl_context: Optional[ssl.SSLContext] = None,
) -> Tuple[httpx.Client, Optional[Direct]]:
    """A blocking client for a transport to own (trusting what ``ssl_context`` trusts;
    httpx's default context if ``None``), and its :class:`Direct` unless the environment
    names a proxy. Either way its TLS is what ``httpx.Client(verify=ssl_context)`` has."""
    verify: Union[ssl.SSLContext, bool] = True if ssl_context is None else ssl_context
    if _proxied():
        return httpx.Client(follow_redirects=False, verify=verify), None
    transport = httpx.HTTPTransport(verify=verify)
    client = httpx.Client(follow_redirects=False, transport=transport)
    return client, Direct(transport, Direct.defaults_of(client))


def new_async_client(
    ssl_context: Optional[ssl.SSLContext] = None,
) -> Tuple[httpx.AsyncClient, Optional[Direct]]:
    """:func:`new_client` for the async transport: its :class:`Direct` sends through a
    :class:`~meshapi_httpx._pool.AsyncStackPool` of :data:`ASYNC_LIMITS`."""
    verify: Union[ssl.SSLContext, bool] = True if ssl_context is None else ssl_context
    if _proxied():
        return httpx.AsyncClient(follow_redirects=False, verify=verify), None
    from ._pool import AsyncStackPool

    transport = httpx.AsyncHTTPTransport(verify=verify, limits=ASYNC_LIMITS)
    if not transport._pool._http2:  # one request per connection: HTTP/1.1's, not HTTP/2's
        transport._pool = AsyncStackPool(transport._pool)  # type: ignore[assignment]
    client = httpx.AsyncClient(follow_redirects=False, transport=transport)
    return client, Direct(transport, Direct.defaults_of(client))
