"""What the gateway says about a reply in its response headers, typed: :class:`ResponseMeta`.

Every response of the gateway carries headers that neither its body nor its status tell:
which model and provider served, whether routing retried or fell back, whether the answer
came from the gateway's response cache, the API version that served it, and whether the
endpoint or version is being retired. ``docs/gateway/errors.md`` §4 lists them; this module
reads them once, into one immutable value, so that a program can branch on them:

- ``x-request-id`` -> ``request_id``: the gateway's id of this response;
- ``X-Mesh-Version`` (``Mesh-Version`` on older deployments, ``api.md`` §0) ->
  ``api_version``: the API version that served;
- ``X-Mesh-Routing-Model`` -> ``fallback_model`` (and ``model``): the substitute of a
  cross-model fallback, on any endpoint;
- ``x-resolved-model-id`` -> ``model``: the model the Auto Router chose (streams,
  ``streaming.md`` §2);
- ``X-Mesh-Served-Provider`` -> ``provider``: the provider that served (rarely disclosed);
- ``X-Mesh-Routing-Attempts`` -> ``routing_attempts``: the attempts the gateway made (1: no
  retry), not on streams;
- ``X-Mesh-Routing-Fallback`` -> ``routing_fallback``: ``True`` when a different provider
  served, not on streams;
- ``X-BYOK-Fallback-Triggered`` -> ``byok_fallback``: your provider key failed and the
  gateway's own credentials served (``control-plane.md`` §6);
- ``X-Cache`` -> ``cache_hit``: ``True`` on a response-cache hit (no ``MISS`` is sent);
- ``Deprecation``, ``Sunset``, ``Link`` -> ``deprecation``: the endpoint or API version is
  being retired (a :class:`DeprecationNotice`).

``fallback_from`` is not a header: it is the model the call asked for, when
``X-Mesh-Routing-Model`` names another one.

Parsing never raises. A field whose header is absent is ``None``; so is one whose value the
SDK cannot read as its type: not a number, out of its documented range, or a header sent
several times with different values (a transport joins repeats with ``", "``; repeats of one
value count as that value). Strings are bounded (:data:`MAX_TEXT`), so is every number, and
the parse of a ``Link`` header is linear in its length.

>>> meta = ResponseMeta.from_headers(
...     {"x-request-id": "req_1", "x-mesh-version": "2026-09", "x-mesh-routing-attempts": "2",
...      "x-mesh-routing-model": "anthropic/claude-haiku-4.5", "x-cache": "HIT"},
...     requested_model="openai/gpt-4o",
... )
>>> meta.routing_attempts, meta.model, meta.fallback_from, meta.cache_hit, meta.fell_back
(2, 'anthropic/claude-haiku-4.5', 'openai/gpt-4o', True, True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Dict, Mapping, Optional, Tuple

from .errors import _parse_http_date

__all__ = [
    "EMPTY_META",
    "MAX_ROUTING_ATTEMPTS",
    "MAX_TEXT",
    "DeprecationNotice",
    "ResponseMeta",
]

MAX_TEXT = 512
"""The longest header value read as a name (a model, a provider, a version, a request id) or
a link; a longer one reads as ``None``."""

MAX_ROUTING_ATTEMPTS = 1_000
"""The largest ``X-Mesh-Routing-Attempts`` read as a number (the gateway clamps its routing
budget far below this); a larger one reads as ``None``."""

_MAX_LINKS = 16_384  # characters of a Link header looked at; the rest is ignored
_MAX_DATE = 64  # characters of a date header; a longer one is not a date
_MAX_EPOCH = 253_402_300_799  # 9999-12-31T23:59:59Z: the last second a datetime holds

_EPOCH_START = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NAME = re.compile(r"[!-+\--~]{1,512}")  # MAX_TEXT printable ASCII, no space or comma
_DIGITS = re.compile(r"[0-9]{1,4}")
_EPOCH = re.compile(r"@(-?[0-9]{1,15})")  # RFC 9651 Date: an Integer of at most 15 digits
_LINK = re.compile(r"<([^<>]*)>([^<]*)")  # one link-value: <URI> then its parameters
_REL = re.compile(r"""(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)
_URI = re.compile(r"[!-~]{1,512}")  # MAX_TEXT characters
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def _single(value: Optional[str]) -> Optional[str]:
    """The one value of a header: ``value`` stripped, or, for a header sent several times
    (joined with ``", "``), the value every repeat has; ``None`` when they differ or the
    value is empty."""
    if value is None:
        return None
    if "," in value:
        parts = {part.strip() for part in value.split(",")}
        if len(parts) != 1:
            return None
        value = parts.pop()
    value = value.strip()
    return value or None


def _name(value: Optional[str]) -> Optional[str]:
    """A header read as a name: printable ASCII without spaces, at most ``MAX_TEXT``."""
    single = _single(value)
    if single is None or not _NAME.fullmatch(single):
        return None
    return single


def _flag(value: Optional[str]) -> Optional[bool]:
    """A header read as a boolean (``true``/``false``, ``1``/``0``, any case)."""
    single = _single(value)
    if single is None:
        return None
    lowered = single.lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else None


def _attempts(value: Optional[str]) -> Optional[int]:
    single = _single(value)
    if single is None or not _DIGITS.fullmatch(single):
        return None
    count = int(single)
    return count if 1 <= count <= MAX_ROUTING_ATTEMPTS else None


def _cache(value: Optional[str]) -> Optional[bool]:
    single = _single(value)
    if single is None:
        return None
    word = single.upper()
    return True if word == "HIT" else False if word == "MISS" else None


def _date(value: Optional[str]) -> Optional[datetime]:
    """A date header: RFC 9651's ``@<seconds>`` (``Deprecation``, RFC 9745) or an HTTP-date
    (``Sunset``, RFC 8594; ``Deprecation`` in its drafts), as an aware UTC datetime."""
    if value is None:
        return None
    text = value.strip()
    if len(text) > _MAX_DATE:
        return None
    epoch = _EPOCH.fullmatch(text)
    if epoch is not None:
        seconds: Optional[float] = int(epoch.group(1))
    else:
        seconds = _parse_http_date(text)
    if seconds is None or not 0 <= seconds <= _MAX_EPOCH:
        return None
    return _EPOCH_START + timedelta(seconds=seconds)  # arithmetic: no platform limits


def _links(value: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """The ``successor-version`` and ``deprecation`` (else ``sunset``) targets of a ``Link``
    header (RFC 8288), the first of each."""
    if not value:
        return None, None
    found: Dict[str, str] = {}
    for link in _LINK.finditer(value[:_MAX_LINKS]):
        uri = link.group(1).strip()
        if not _URI.fullmatch(uri):
            continue
        for rel in _REL.finditer(link.group(2)):
            for name in (rel.group(1) or rel.group(2) or "").lower().split():
                found.setdefault(name, uri)
    return found.get("successor-version"), found.get("deprecation") or found.get("sunset")


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


@dataclass(frozen=True)
class DeprecationNotice:
    """The gateway is retiring what answered: an endpoint, or the API version that served.

    ``since`` is when it was deprecated (``Deprecation``: RFC 9745's ``@<seconds>``, or an
    HTTP-date as its drafts had; ``None`` for ``Deprecation: true`` or a date the SDK cannot
    read), ``sunset`` when it stops working (``Sunset``, RFC 8594), ``successor`` the link to
    its replacement (``Link: <...>; rel="successor-version"``, RFC 5829) and ``info`` the link
    to read about it (``rel="deprecation"`` or ``rel="sunset"``). ``docs/gateway/errors.md``
    §4 and ``api.md`` §0 say the gateway signals retirement with these headers; ``Sunset``
    may come without ``Deprecation``.
    """

    since: Optional[datetime] = None
    sunset: Optional[datetime] = None
    successor: Optional[str] = None
    info: Optional[str] = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Optional[DeprecationNotice]:
        """The notice ``headers`` give, or ``None`` without ``Deprecation`` (other than
        ``false``) or ``Sunset``.

        >>> notice = DeprecationNotice.from_headers({
        ...     "deprecation": "@1788220800", "sunset": "Mon, 01 Mar 2027 00:00:00 GMT",
        ...     "link": '<https://example.com/v2>; rel="successor-version"'})
        >>> notice.describe("POST /v1/chat/completions")
        'POST /v1/chat/completions is deprecated since 2026-09-01 and will stop working on \
2027-03-01; its successor: https://example.com/v2'
        """
        deprecation = headers.get("deprecation")
        sunset = headers.get("sunset")
        if deprecation is not None and deprecation.strip().lower() == "false":
            deprecation = None
        if deprecation is None and sunset is None:
            return None
        successor, info = _links(headers.get("link"))
        return cls(_date(deprecation), _date(sunset), successor, info)

    def describe(self, what: str) -> str:
        """One sentence about ``what`` (an endpoint, e.g. ``"GET /v1/models"``): the dates
        and the links the gateway gave."""
        text = f"{what} is deprecated"
        if self.since is not None:
            text += f" since {_day(self.since)}"
        if self.sunset is not None:
            text += f" and will stop working on {_day(self.sunset)}"
        if self.successor is not None:
            text += f"; its successor: {self.successor}"
        if self.info is not None:
            text += f"; see {self.info}"
        return text


@dataclass(frozen=True)
class ResponseMeta:
    """The gateway's signals about one response, read from its headers (see the module docs
    for each header, and ``docs/gateway/errors.md`` §4). Every field is ``None`` when the
    gateway did not say, or said something unreadable.

    A reply's ``meta``, a stream's, a page's and a raw response's are all one of these.
    """

    request_id: Optional[str] = None
    """The gateway's id of this response (``x-request-id``)."""
    api_version: Optional[str] = None
    """The API version that served (``X-Mesh-Version``, or an older deployment's
    ``Mesh-Version``)."""
    model: Optional[str] = None
    """The model that served, where the headers name it: the cross-model fallback's
    substitute (``X-Mesh-Routing-Model``), else the Auto Router's choice
    (``x-resolved-model-id``, sent on streams). A whole reply's body also names it."""
    provider: Optional[str] = None
    """The provider that served (``X-Mesh-Served-Provider``): the gateway's docs say it is
    not disclosed, so this is mostly ``None``."""
    routing_attempts: Optional[int] = None
    """How many attempts the gateway's routing made (``X-Mesh-Routing-Attempts``; 1 means
    no retry), on a key with a routing policy; never on streams."""
    routing_fallback: Optional[bool] = None
    """Whether another provider served (``X-Mesh-Routing-Fallback``); never on streams."""
    fallback_model: Optional[str] = None
    """The model that served instead of the one asked for, after a cross-model fallback
    (``X-Mesh-Routing-Model``)."""
    fallback_from: Optional[str] = None
    """The model the call asked for, when ``fallback_model`` names another one."""
    byok_fallback: Optional[bool] = None
    """Whether your provider key (BYOK) failed and the gateway's own credentials served
    (``X-BYOK-Fallback-Triggered``)."""
    cache_hit: Optional[bool] = None
    """``True`` when the gateway's response cache answered (``X-Cache: HIT``; such a reply
    costs nothing). The gateway sends nothing on a miss: ``None``."""
    deprecation: Optional[DeprecationNotice] = None
    """Set when the endpoint or the API version that served is being retired
    (``Deprecation`` / ``Sunset``)."""

    @classmethod
    def from_headers(
        cls, headers: Mapping[str, str], requested_model: Optional[str] = None
    ) -> ResponseMeta:
        """The signals of a response with ``headers`` (lower-case names), for a call that
        asked for ``requested_model`` (its params' ``model``, if any)."""
        if not headers:
            return EMPTY_META
        get = headers.get
        fallback_model = _name(get("x-mesh-routing-model"))
        asked = requested_model if isinstance(requested_model, str) else None
        deprecation = None
        if "deprecation" in headers or "sunset" in headers:
            deprecation = DeprecationNotice.from_headers(headers)
        version = get("x-mesh-version")
        return cls(
            request_id=_name(get("x-request-id")),
            api_version=_name(version if version is not None else get("mesh-version")),
            model=fallback_model or _name(get("x-resolved-model-id")),
            provider=_name(get("x-mesh-served-provider")),
            routing_attempts=_attempts(get("x-mesh-routing-attempts")),
            routing_fallback=_flag(get("x-mesh-routing-fallback")),
            fallback_model=fallback_model,
            fallback_from=asked if fallback_model is not None and asked != fallback_model else None,
            byok_fallback=_flag(get("x-byok-fallback-triggered")),
            cache_hit=_cache(get("x-cache")),
            deprecation=deprecation,
        )

    @property
    def fell_back(self) -> bool:
        """Whether the gateway served otherwise than asked: another provider
        (``routing_fallback``), another model (``fallback_model``), or its own credentials
        instead of your provider key (``byok_fallback``)."""
        return bool(self.routing_fallback or self.fallback_model or self.byok_fallback)


EMPTY_META = ResponseMeta()
"""The meta of a response without headers (and of a model no response stamped)."""
