"""Which proxy a connection goes through: the environment's proxy settings, read as httpx
reads them.

httpx honours ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` (any case) by
default; the SDK's other connections (realtime sessions on every transport, REST calls on the
aiohttp session the SDK makes) follow the same rules through :class:`ProxyRules`, so one
environment routes every connection of a client the same way:

- ``HTTPS_PROXY`` serves ``https://`` and ``wss://`` URLs, ``HTTP_PROXY`` serves ``http://``
  and ``ws://``, ``ALL_PROXY`` either when the scheme's own is unset; a proxy written without
  a scheme is ``http://``;
- ``NO_PROXY`` is a comma-separated list: ``*`` (no proxy at all), a host name (itself and
  every name under it: ``example.com`` covers ``api.example.com``), a name with a leading dot
  (only the names under it), an IP address or ``localhost`` (exactly), any of these with
  ``:port`` (that port only), or a URL prefix with a scheme (``https://example.com``).

Pure: the caller reads the environment (``urllib.request.getproxies()``, whose form
:meth:`ProxyRules.of` takes) and hands it over.

>>> rules = ProxyRules.of({"https": "http://proxy.internal:3128", "no": "localhost,.corp"})
>>> rules.route("https://api.meshapi.ai/v1/models")
ProxyRoute('http://proxy.internal:3128')
>>> rules.route("https://gateway.corp/v1") is None
True
"""

from __future__ import annotations

import base64
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Mapping, Optional, Pattern, Tuple
from urllib.parse import unquote, urlsplit

__all__ = ["NO_PROXIES", "ProxyRoute", "ProxyRules"]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# The proxy setting that serves each scheme (a WebSocket URL goes where its HTTP twin goes).
_SERVED_BY = {"http": "http", "ws": "http", "https": "https", "wss": "https"}


@dataclass(frozen=True)
class ProxyRoute:
    """A proxy to connect through: ``scheme`` (``http`` or ``https``: how to talk to the
    proxy itself), ``host`` and ``port``, and the ``Proxy-Authorization`` value built from
    credentials in its URL (never shown in a repr)."""

    scheme: str
    host: str
    port: int
    authorization: Optional[str] = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The proxy's URL, without its credentials."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def __repr__(self) -> str:
        return f"ProxyRoute({self.url!r})"


@dataclass(frozen=True)
class _Bypass:
    """One ``NO_PROXY`` entry."""

    scheme: Optional[str]
    host: Pattern[str]
    port: Optional[int]

    def matches(self, scheme: str, host: str, port: int) -> bool:
        if self.scheme is not None and self.scheme != scheme:
            return False
        if self.port is not None and self.port != port:
            return False
        return self.host.match(host) is not None


def _route_of(value: str) -> Optional[ProxyRoute]:
    """The route a proxy setting names (``host:port`` alone means ``http://``)."""
    value = value.strip()
    if not value:
        return None
    if "://" not in value:
        value = f"http://{value}"
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    host = parts.hostname
    if not host:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    authorization = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
    return ProxyRoute(scheme, host, port or _DEFAULT_PORTS.get(scheme, 80), authorization)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _bypass_of(entry: str) -> Optional[_Bypass]:
    """One ``NO_PROXY`` entry, read as httpx reads it (see the module docs)."""
    scheme: Optional[str] = None
    text = entry
    if "://" in text:
        scheme, _, text = text.partition("://")
        scheme = None if scheme.lower() == "all" else scheme.lower()
    text = text.split("/", 1)[0]
    port: Optional[int] = None
    if _is_ip(text):  # a bare address, IPv6 ones included (their colons are no port)
        host = text.strip("[]")
    else:
        host, colon, digits = text.rpartition(":")
        if not colon or not digits.isdigit():
            host = text
        else:
            port = int(digits)
        host = host.strip("[]")
    host = host.lower()
    if not host:
        return None
    if _is_ip(host) or host == "localhost" or scheme is not None:
        pattern = re.compile(re.escape(host) + r"\Z")
    elif host.startswith("*."):
        pattern = re.compile(r".+\." + re.escape(host[2:]) + r"\Z")
    elif host.startswith("."):
        pattern = re.compile(r".+" + re.escape(host) + r"\Z")
    else:
        pattern = re.compile(r"(.+\.)?" + re.escape(host.lstrip("*")) + r"\Z")
    return _Bypass(scheme, pattern, port)


@dataclass(frozen=True)
class ProxyRules:
    """The proxies of an environment and the hosts they skip; :meth:`route` applies them."""

    proxies: Mapping[str, ProxyRoute] = field(default_factory=dict)
    bypass: Tuple[_Bypass, ...] = ()

    @classmethod
    def of(cls, settings: Mapping[str, str]) -> ProxyRules:
        """Rules from ``urllib.request.getproxies()``'s form: ``{"https": url, "http": url,
        "all": url, "no": "host,host"}`` (other keys are ignored)."""
        entries = [e.strip() for e in str(settings.get("no") or "").split(",")]
        if "*" in entries:
            return NO_PROXIES
        proxies = {}
        for scheme in ("http", "https", "all"):
            route = _route_of(str(settings.get(scheme) or ""))
            if route is not None:
                proxies[scheme] = route
        if not proxies:
            return NO_PROXIES
        bypass = tuple(b for b in map(_bypass_of, filter(None, entries)) if b is not None)
        return cls(proxies, bypass)

    def __bool__(self) -> bool:
        return bool(self.proxies)

    def route(self, url: str) -> Optional[ProxyRoute]:
        """The proxy for a connection to ``url`` (``http``, ``https``, ``ws``, ``wss``), or
        ``None`` to connect directly."""
        if not self.proxies:
            return None
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        served_by = _SERVED_BY.get(scheme)
        if served_by is None:
            return None
        route = self.proxies.get(served_by) or self.proxies.get("all")
        if route is None:
            return None
        host = (parts.hostname or "").lower()
        try:
            port = parts.port or _DEFAULT_PORTS[scheme]
        except ValueError:
            return route
        bypass_scheme = served_by  # a NO_PROXY URL names http:// or https://
        for entry in self.bypass:
            if entry.matches(bypass_scheme, host, port):
                return None
        return route


NO_PROXIES = ProxyRules()
"""Rules that send every connection directly."""
