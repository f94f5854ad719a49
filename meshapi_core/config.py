"""Client settings, checked once, and how they turn an endpoint call into a :class:`Request`.

A :class:`ClientConfig` is built when a client is made, so a bad base URL, token or option
fails there, with a clear message, and never deep inside a transport. From then on it is an
immutable value, safe to share between threads and tasks; :meth:`ClientConfig.build_request`
is a pure function of it, the endpoint and the call's arguments.

Base URLs: ``https://api.meshapi.ai``, ``https://api.meshapi.ai/``, ``https://api.meshapi.ai/v1``
and ``https://api.meshapi.ai/v1/`` all mean the same gateway, because every path the SDK
sends starts with ``/v1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import urlencode, urlsplit

from .endpoints import Endpoint, Realm, RetryClass
from .errors import MeshAPIError
from .http import Request, Timeout
from .models.base import json_bytes
from .retry import RetryPolicy
from .version import __version__

__all__ = ["CallOptions", "ClientConfig", "normalize_base_url"]

_API_VERSION = re.compile(r"\A\d{4}-(0[1-9]|1[0-2])\Z")
_HEADER_NAME = re.compile(r"\A[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_HEADER_VALUE = re.compile(r"\A[\t\x20-\x7e\x80-\xff]*\Z")
SDK_HEADER = ("x-meshapi-sdk", f"python/{__version__}")


def normalize_base_url(base_url: str) -> str:
    """The gateway's root URL, without a trailing slash or ``/v1``.

    >>> normalize_base_url("https://api.meshapi.ai/v1/")
    'https://api.meshapi.ai'
    >>> normalize_base_url("http://127.0.0.1:8080/gateway")
    'http://127.0.0.1:8080/gateway'
    """
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a string, not {type(base_url).__name__}")
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"base_url must be an http:// or https:// URL with a host, like "
            f"'https://api.meshapi.ai', not {base_url!r}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("base_url must not carry a query, a fragment or credentials")
    path = re.sub("/{2,}", "/", parts.path).rstrip("/")
    if path.endswith("/v1"):
        path = path[:-3].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def _check_headers(headers: Optional[Mapping[str, str]], what: str) -> Tuple[Tuple[str, str], ...]:
    if not headers:
        return ()
    checked = []
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise ValueError(f"{what}: {name!r} is not a valid header name")
        if not isinstance(value, str) or not _HEADER_VALUE.match(value):
            raise ValueError(f"{what}: the value of {name!r} is not a valid header value")
        checked.append((name.lower(), value))
    return tuple(checked)


def _check_seconds(value: Optional[float], what: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{what} must be a positive number of seconds or None, not {value!r}")
    return float(value)


@dataclass(frozen=True)
class CallOptions:
    """Settings for one call that override the client's (``None`` keeps the client's).

    >>> CallOptions(max_retries=0, extra_headers={"X-Mesh-Cache": "no-store"}).max_retries
    0
    """

    timeout: Union[Timeout, float, None] = None
    max_retries: Optional[int] = None
    deadline: Optional[float] = None
    extra_headers: Optional[Mapping[str, str]] = None
    extra_query: Optional[Mapping[str, Any]] = None
    idempotency_key: Optional[str] = None


NO_OPTIONS = CallOptions()


@dataclass(frozen=True)
class ClientConfig:
    """Everything a client was configured with, validated.

    Build one with :meth:`create`. The token never appears in its ``repr``.
    """

    base_url: str
    token: str = field(repr=False)
    timeout: Timeout = field(default_factory=Timeout)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    deadline: Optional[float] = None
    default_headers: Tuple[Tuple[str, str], ...] = ()
    api_version: Optional[str] = None
    sdk_header: bool = True
    max_event_size: int = 16 * 1024 * 1024
    _base_headers: Tuple[Tuple[str, str], ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def create(
        cls,
        *,
        base_url: str,
        token: str,
        timeout: Union[Timeout, float, None] = None,
        max_retries: int = 3,
        deadline: Optional[float] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        api_version: Optional[str] = None,
        sdk_header: bool = True,
        retry: Optional[RetryPolicy] = None,
        max_event_size: int = 16 * 1024 * 1024,
    ) -> ClientConfig:
        """Check every setting and build the config; raises ``ValueError``/``TypeError``.

        >>> config = ClientConfig.create(base_url="https://api.meshapi.ai/v1", token="rsk_x")
        >>> config.base_url
        'https://api.meshapi.ai'
        >>> "rsk_x" in repr(config)
        False
        """
        if not isinstance(token, str) or not token.strip():
            raise ValueError("token must be a non-empty string (an rsk_ key, mak_ key or JWT)")
        if token != token.strip() or not _HEADER_VALUE.match(token) or "\t" in token:
            raise ValueError("token contains whitespace or characters not allowed in a header")
        if api_version is not None and not (
            isinstance(api_version, str) and _API_VERSION.match(api_version)
        ):
            raise ValueError(f"api_version must look like '2026-09', not {api_version!r}")
        if (
            isinstance(max_event_size, bool)
            or not isinstance(max_event_size, int)
            or (max_event_size <= 0)
        ):
            raise ValueError(f"max_event_size must be a positive int, not {max_event_size!r}")
        policy = retry if retry is not None else RetryPolicy()
        policy = replace(policy, max_retries=max_retries) if retry is None else policy
        config = cls(
            base_url=normalize_base_url(base_url),
            token=token,
            timeout=Timeout() if timeout is None else Timeout.of(timeout),
            retry=policy,
            deadline=_check_seconds(deadline, "deadline"),
            default_headers=_check_headers(default_headers, "default_headers"),
            api_version=api_version,
            sdk_header=bool(sdk_header),
            max_event_size=max_event_size,
        )
        base = [("authorization", f"Bearer {token}")]
        if sdk_header:
            base.append(SDK_HEADER)
        if api_version:
            base.append(("x-mesh-version", api_version))
        object.__setattr__(config, "_base_headers", tuple(base) + config.default_headers)
        return config

    def check_realm(self, endpoint: Endpoint[Any]) -> None:
        """Refuse, before sending, a call this client's credential can never make."""
        if endpoint.realm is not Realm.CONTROL and self.token.startswith("mak_"):
            raise MeshAPIError(
                "This client holds an admin key (mak_...), which cannot call "
                f"{endpoint.method} {endpoint.path}: it takes the {endpoint.realm.value}. "
                "Use a client with an rsk_ key for it.",
                error_code="wrong_realm",
            )

    def retry_policy(self, options: CallOptions) -> RetryPolicy:
        """The policy for one call, with its ``max_retries`` override applied."""
        if options.max_retries is None or options.max_retries == self.retry.max_retries:
            return self.retry
        return replace(self.retry, max_retries=options.max_retries)

    def build_request(
        self,
        endpoint: Endpoint[Any],
        *,
        path: Optional[str] = None,
        json_body: Union[Dict[str, Any], bytes, None] = None,
        query: Optional[Sequence[Tuple[str, str]]] = None,
        options: CallOptions = NO_OPTIONS,
        idempotency_key: Optional[str] = None,
    ) -> Request:
        """The request for one call of ``endpoint``.

        ``path`` is the endpoint's path with parameters filled in (default: its template).
        ``json_body`` is a JSON object, or its encoding already made (UTF-8 bytes).
        ``idempotency_key`` is sent as ``Idempotency-Key``; the call machine makes one for
        every retried POST and keeps it across attempts.
        """
        self.check_realm(endpoint)
        url = self.base_url + (path if path is not None else endpoint.path)
        pairs = list(query or ())
        if options.extra_query:
            pairs.extend((k, _query_value(v)) for k, v in options.extra_query.items())
        if pairs:
            url = f"{url}?{urlencode(pairs)}"
        headers = list(self._base_headers)
        headers.append(("accept", "text/event-stream" if endpoint.stream else "application/json"))
        body = None
        if json_body is not None:
            body = json_body if isinstance(json_body, bytes) else json_bytes(json_body)
            headers.append(("content-type", "application/json"))
        key = options.idempotency_key or idempotency_key
        if key is not None and endpoint.retry is RetryClass.KEYED:
            headers.append(("idempotency-key", key))
        if options.extra_headers:
            extra = _check_headers(options.extra_headers, "extra_headers")
            names = {name for name, _ in extra}
            headers = [h for h in headers if h[0] not in names] + list(extra)
        timeout = self.timeout if options.timeout is None else Timeout.of(options.timeout)
        return Request(
            endpoint.method, url, tuple(headers), body, timeout=timeout, stream=endpoint.stream
        )


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
