"""Client settings, checked once, and how they turn a call into a :class:`Request`.

:class:`ClientSettings` lists every setting a client takes, once; ``MeshAPI(...)``,
``AsyncMeshAPI(...)`` and :meth:`ClientConfig.create` all take exactly these keywords. A
:class:`ClientConfig` is built when a client is made, so a bad base URL, token or option fails
there, with a clear :class:`~meshapi_core.errors.InvalidArgumentError`, and never deep inside a
transport. From then on it is an immutable value, safe to share between threads and tasks;
:meth:`ClientConfig.build_request` is a pure function of it and the call's arguments.

Base URLs: ``https://api.meshapi.ai``, ``https://api.meshapi.ai/``, ``https://api.meshapi.ai/v1``
and ``https://api.meshapi.ai/v1/`` all mean the same gateway, because every path the SDK
sends starts with ``/v1``. A plain ``http://`` URL is accepted for loopback addresses only
(a local emulator), unless ``allow_insecure_http=True`` says the credential may travel in
clear.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, replace
from typing import (
    Any,
    Dict,
    FrozenSet,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypedDict,
    Union,
)
from urllib.parse import urlencode, urlsplit

from pydantic import SecretStr

from .endpoint import Credential
from .errors import InvalidArgumentError
from .http import Body, Request, StreamedBody, Timeout, TimeoutTypes, check_url
from .retry import RetryPolicy
from .version import __version__

__all__ = [
    "CREDENTIAL_HEADERS",
    "DEFAULT_MAX_DOWNLOAD_SIZE",
    "DEFAULT_MAX_EVENT_SIZE",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "MAX_MEMORIES",
    "CallOptions",
    "ClientConfig",
    "ClientSettings",
    "RequestOptions",
    "WrongRealmError",
    "check_setting_names",
    "normalize_base_url",
    "split_options",
]

_API_VERSION = re.compile(r"\A\d{4}-(0[1-9]|1[0-2])\Z")
_HEADER_NAME = re.compile(r"\A[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_HEADER_VALUE = re.compile(r"\A[\t\x20-\x7e]*\Z")
_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "proxy-authorization", "cookie"})
CREDENTIAL_HEADERS = frozenset(
    {
        # What the gateway reads a credential from (docs/gateway/api.md §0.2 and §15).
        "authorization",
        "x-api-key",
        "sec-websocket-protocol",
        # The key headers of the APIs it mirrors (Azure OpenAI, Google, ElevenLabs), which a
        # compatible endpoint may read as well.
        "api-key",
        "x-goog-api-key",
        "xi-api-key",
    }
)
"""Headers that carry the gateway's credential: ``default_headers``, ``extra_headers`` and
``with_options(headers=)`` may not set them (any case), since the credential has one place,
the ``token`` setting, where the client's realm is read from."""
_BEARER = re.compile(r"\A[Bb][Ee][Aa][Rr][Ee][Rr][ \t]+")
SDK_HEADER = ("x-meshapi-sdk", f"python/{__version__}")

DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024
"""The largest stream event accepted by default, in characters (base64 images are large)."""
DEFAULT_MAX_RESPONSE_SIZE = 256 * 1024 * 1024
"""The largest whole response body accepted by default, in bytes after decompression."""
DEFAULT_MAX_DOWNLOAD_SIZE = 16 * 1024 * 1024 * 1024
"""The largest download ``write_to`` writes to a file by default (16 GiB), in bytes after
decompression."""

CredentialName = Literal["data", "dashboard", "admin"]
_CREDENTIALS = {
    "data": Credential.DATA_KEY,
    "dashboard": Credential.DASHBOARD,
    "admin": Credential.ADMIN_KEY,
}


class ClientSettings(TypedDict, total=False):
    """Every setting of a client, each optional; ``MeshAPI(**settings)`` takes these.

    >>> settings: ClientSettings = {"base_url": "http://127.0.0.1:8080", "max_retries": 0}
    """

    base_url: Optional[str]
    """The gateway, with or without ``/v1`` (default ``$MESHAPI_BASE_URL``, else
    ``https://api.meshapi.ai``)."""
    token: Optional[str]
    """The credential (default ``$MESHAPI_TOKEN``); never shown in a repr, log or error. The
    token alone: a leading ``Bearer `` is dropped, any other space refused."""
    api_key: Optional[str]
    """The same as ``token``, as openai-python users type it."""
    credential: CredentialName
    """What kind of credential ``token`` is, when its form does not say (``rsk_`` keys,
    ``mak_`` admin keys and JWTs are recognised, and a setting that contradicts the form is
    refused)."""
    timeout: TimeoutTypes
    """Seconds for each phase of an attempt, a :class:`~meshapi_core.http.Timeout`, or an
    ``httpx.Timeout`` (default: 10 s to connect, 600 s per read, 300 s between stream
    events)."""
    max_retries: int
    """Retries after a transient failure (default 3; ``0`` turns them off)."""
    retry: RetryPolicy
    """A whole :class:`~meshapi_core.retry.RetryPolicy`, instead of ``max_retries``."""
    deadline: Optional[float]
    """Seconds for a whole call: every attempt, wait and read (default: none)."""
    default_headers: Mapping[str, str]
    """Headers sent with every request; never a credential (:data:`CREDENTIAL_HEADERS`)."""
    default_query: Mapping[str, Any]
    """Query parameters sent with every request (a call's ``extra_query`` comes after)."""
    api_version: Optional[str]
    """Pin the API contract, e.g. ``"2026-09"`` (sent as ``X-Mesh-Version``)."""
    sdk_header: bool
    """Send ``X-MeshAPI-SDK: python/<version>`` (default true)."""
    max_event_size: int
    """The largest stream event accepted, in characters (default 16 MiB)."""
    max_response_size: int
    """The largest whole response body accepted, in bytes after decompression (default
    256 MiB); a larger one fails with ``ResponseTooLargeError`` as soon as it passes."""
    max_download_size: Optional[int]
    """The largest download a byte stream's ``write_to`` writes to a file, in bytes after
    decompression (default 16 GiB; ``None`` lifts it); a larger one fails with
    ``ResponseTooLargeError`` as soon as it passes, and leaves no file."""
    allow_insecure_http: bool
    """Allow ``http://`` to a host that is not loopback, sending the credential in clear
    (default false)."""


def _bare_token(value: Any, what: str) -> Optional[str]:
    """``value`` (a ``token`` or ``api_key`` setting) as the bare credential, or ``None``.

    A leading ``Bearer `` (any case) is dropped: the header's scheme is added when the
    request is built, and a token copied from a header means the same credential. Anything
    else with a space in it (``Basic ...``, two tokens) is refused, naming the setting.
    """
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(
            f"{what} must be a non-empty string (an rsk_ key, mak_ key or JWT)", param=what
        )
    bare = _BEARER.sub("", value, count=1)
    if not bare:
        raise InvalidArgumentError(f"{what} holds a 'Bearer ' scheme but no credential", param=what)
    if bare != bare.strip() or not _HEADER_VALUE.match(bare) or "\t" in bare:
        raise InvalidArgumentError(
            f"{what} contains whitespace or characters not allowed in a header "
            "(printable ASCII only)",
            param=what,
        )
    if " " in bare:
        raise InvalidArgumentError(
            f"{what} must be the credential alone (rsk_..., mak_... or a JWT), not a header "
            "value with a scheme or several parts: it contains a space",
            param=what,
        )
    return bare


def _credential_of(token: str, named: Optional[str]) -> Optional[Credential]:
    """The kind of ``token``: from its form, or from the ``credential`` setting when the form
    says nothing. A setting that contradicts the form is refused (naming both kinds, never
    the token): the form is what the gateway goes by."""
    by_form = Credential.of(token)
    if named is None:
        return by_form
    chosen = _CREDENTIALS[named]
    if by_form is not None and by_form is not chosen:
        raise InvalidArgumentError(
            f"credential={named!r} says the token is {chosen.value}, but its form says it is "
            f"{by_form.value}; the gateway goes by the form. Drop credential=, or use a token "
            "of that kind.",
            param="credential",
        )
    return chosen


class WrongRealmError(InvalidArgumentError):
    """A call the client's credential can never make, refused before anything was sent.

    ``needed`` names the credentials that may make it.
    """

    def __init__(self, message: str, *, needed: FrozenSet[Credential]) -> None:
        super().__init__(message)
        self.error_code = "wrong_realm"
        self.needed = needed


def normalize_base_url(base_url: str, *, allow_insecure_http: bool = False) -> str:
    """The gateway's root URL, without a trailing slash or ``/v1``.

    >>> normalize_base_url("https://api.meshapi.ai/v1/")
    'https://api.meshapi.ai'
    >>> normalize_base_url("http://127.0.0.1:8080/gateway")
    'http://127.0.0.1:8080/gateway'
    """
    if not isinstance(base_url, str):
        raise InvalidArgumentError(
            f"base_url must be a string, not {type(base_url).__name__}", param="base_url"
        )
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgumentError(
            f"base_url must be an http:// or https:// URL with a host, like "
            f"'https://api.meshapi.ai', not {base_url!r}",
            param="base_url",
        )
    check_url(base_url, param="base_url")  # one every transport can send to
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidArgumentError(
            "base_url must not carry a query, a fragment or credentials", param="base_url"
        )
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise InvalidArgumentError(
            f"base_url {base_url!r} is plain http:// to a host that is not loopback: the "
            "credential would travel in clear. Use https://, or pass allow_insecure_http=True "
            "if this network is trusted.",
            param="base_url",
        )
    path = re.sub("/{2,}", "/", parts.path).rstrip("/")
    if path.endswith("/v1"):
        path = path[:-3].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_headers(headers: Optional[Mapping[str, str]], what: str) -> Tuple[Tuple[str, str], ...]:
    """``headers`` as lower-case pairs, each name and value checked for HTTP.

    Values must be printable ASCII: the error names the header, and shows no value (a
    header may hold a secret). A header of :data:`CREDENTIAL_HEADERS` is refused: the
    credential is the client's ``token``, set in one place only.

    >>> check_headers({"X-Mesh-Cache": "no-store"}, "extra_headers")
    (('x-mesh-cache', 'no-store'),)
    >>> check_headers({"AUTHORIZATION": "Bearer mak_x"}, "extra_headers")
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: extra_headers may not set 'AUTHORIZATION': ...
    """
    if not headers:
        return ()
    if not isinstance(headers, Mapping):
        raise InvalidArgumentError(
            f"{what} must be a mapping of header names to values", param=what
        )
    checked = []
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise InvalidArgumentError(f"{what}: {name!r} is not a valid header name", param=what)
        if not isinstance(value, str) or not _HEADER_VALUE.match(value):
            raise InvalidArgumentError(
                f"{what}: the value of {name!r} is not a valid header value (printable ASCII "
                "only; no line breaks)",
                param=what,
            )
        if name.lower() in CREDENTIAL_HEADERS:
            raise InvalidArgumentError(
                f"{what} may not set {name!r}: the credential is the client's token setting "
                "(token= or api_key=), which decides the calls it may make, and is set there "
                "only. Make a client with that token for calls made with it.",
                param=what,
            )
        checked.append((name.lower(), value))
    return tuple(checked)


def _positive(value: Any, what: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidArgumentError(
            f"{what} must be a positive number of seconds or None, not {value!r}", param=what
        )
    return float(value)


def _positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidArgumentError(f"{what} must be a positive int, not {value!r}", param=what)
    return value


def _positive_int_or_none(value: Any, what: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidArgumentError(
            f"{what} must be a positive int or None, not {value!r}", param=what
        )
    return value


def _timeout(value: Any, what: str = "timeout") -> Timeout:
    try:
        return Timeout.of(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(str(exc), param=what) from None


@dataclass(frozen=True)
class CallOptions:
    """Settings for one call that override the client's (``None`` keeps the client's).

    >>> CallOptions(max_retries=0, extra_headers={"X-Mesh-Cache": "no-store"}).max_retries
    0
    """

    timeout: TimeoutTypes = None
    max_retries: Optional[int] = None
    deadline: Optional[float] = None
    extra_headers: Optional[Mapping[str, str]] = None
    extra_query: Optional[Mapping[str, Any]] = None
    idempotency_key: Optional[str] = None
    memories: Optional[Tuple[str, ...]] = None
    skip_cache: Optional[bool] = None
    refresh: Optional[bool] = None

    @classmethod
    def create(cls, options: Mapping[str, Any]) -> CallOptions:
        """Check per-call options (the keywords of :class:`CallOptions`) and build them."""
        if not options:
            return NO_OPTIONS
        unknown = set(options) - set(CALL_OPTION_NAMES)
        if unknown:
            raise InvalidArgumentError(f"unknown option(s): {', '.join(sorted(unknown))}")
        max_retries = options.get("max_retries")
        if max_retries is not None and (
            isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0
        ):
            raise InvalidArgumentError(
                f"max_retries must be 0 or more, not {max_retries!r}", param="max_retries"
            )
        _positive(options.get("deadline"), "deadline")
        timeout = options.get("timeout")
        if timeout is not None:
            _timeout(timeout)
        key = options.get("idempotency_key")
        if key is not None and (
            not isinstance(key, str) or not key or not _HEADER_VALUE.match(key) or "\t" in key
        ):
            raise InvalidArgumentError(
                "idempotency_key must be a non-empty string of printable ASCII (no line breaks)",
                param="idempotency_key",
            )
        check_headers(options.get("extra_headers"), "extra_headers")
        extra_query = options.get("extra_query")
        if extra_query is not None and not isinstance(extra_query, Mapping):
            raise InvalidArgumentError("extra_query must be a mapping", param="extra_query")
        for name in ("skip_cache", "refresh"):
            flag = options.get(name)
            if flag is not None and not isinstance(flag, bool):
                raise InvalidArgumentError(
                    f"{name} must be True or False, not {flag!r}", param=name
                )
        if options.get("memories") is not None:
            options = {**options, "memories": _memories(options["memories"])}
        return cls(**options)

    def check_endpoint(self, label: str, takes: FrozenSet[str]) -> None:
        """Refuse an option only some endpoints take (``memories``, ``refresh``) on the
        endpoint ``label`` when it is not among those it ``takes``."""
        for name, where in _ENDPOINT_OPTIONS:
            if getattr(self, name) is not None and name not in takes:
                raise InvalidArgumentError(
                    f"{name} is taken by {where} only, not by {label}", param=name
                )


class RequestOptions(TypedDict, total=False):
    """The keyword options every method accepts besides its params' fields; each overrides
    the client's setting for that call."""

    timeout: TimeoutTypes
    """Seconds (or a :class:`~meshapi_core.http.Timeout`, or an ``httpx.Timeout``) for each
    attempt."""
    max_retries: int
    """Retries after the first attempt (``0`` turns them off)."""
    deadline: float
    """Seconds for the whole call, waits and retries included."""
    extra_headers: Mapping[str, str]
    """Headers sent as given, e.g. ``{"X-Mesh-Cache": "no-store"}``; never a credential
    (:data:`CREDENTIAL_HEADERS`)."""
    extra_query: Mapping[str, Any]
    """Query parameters sent as given."""
    idempotency_key: str
    """Your own ``Idempotency-Key``, instead of a fresh one per call."""
    memories: Union[str, Sequence[str]]
    """Stored memories to attach to a chat completion, by slug or id (sent as ``x-mem-id``,
    ``docs/gateway/api.md`` §0.2): up to 16, the first winning where two disagree. Unknown
    or inactive ones are ignored by the gateway; a request with memories is never answered
    from its cache. Chat completions only."""
    skip_cache: bool
    """``True`` sends ``X-Mesh-Cache: no-store``: the gateway's response cache neither
    answers this call nor keeps its reply (``api.md`` §0.2)."""
    refresh: bool
    """``True`` reads usage fresh (``?refresh=true``), past the gateway's cache of about 60 s
    for dashboard sessions (``docs/gateway/control-plane.md`` §5). Usage reads only."""


CALL_OPTION_NAMES = tuple(RequestOptions.__annotations__)
"""The names of :class:`RequestOptions` (the fields of :class:`CallOptions` too)."""

NO_OPTIONS = CallOptions()

MAX_MEMORIES = 16
"""The most memories one call may attach (``x-mem-id``, ``docs/gateway/api.md`` §0.2)."""

_ENDPOINT_OPTIONS = (("memories", "chat completions"), ("refresh", "usage reads"))
_MEMORY_ID = re.compile(r"\A[!-+\--~]{1,256}\Z")  # printable ASCII, no space or comma


def _memories(value: Any) -> Tuple[str, ...]:
    """``memories=`` checked: one slug or id, or a list of them (at most
    :data:`MAX_MEMORIES`), each printable ASCII without spaces or commas."""
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise InvalidArgumentError(
            f"memories must be a memory slug or a list of them, not {type(value).__name__}",
            param="memories",
        )
    if len(items) > MAX_MEMORIES:
        raise InvalidArgumentError(
            f"memories: at most {MAX_MEMORIES} per call (the gateway's limit), not {len(items)}",
            param="memories",
        )
    for item in items:
        if not isinstance(item, str) or not _MEMORY_ID.match(item):
            raise InvalidArgumentError(
                f"memories: {item!r} is not a memory slug or id (printable ASCII, without "
                "spaces or commas)",
                param="memories",
            )
    return tuple(items)


def split_options(kwargs: Mapping[str, Any]) -> Tuple[Dict[str, Any], CallOptions]:
    """A method's keywords, split into its params' fields and the call's options.

    >>> fields, options = split_options({"model": "auto", "max_retries": 0})
    >>> fields, options.max_retries
    ({'model': 'auto'}, 0)
    """
    if not kwargs:
        return {}, NO_OPTIONS
    fields = {k: v for k, v in kwargs.items() if k not in CALL_OPTION_NAMES}
    if len(fields) == len(kwargs):
        return fields, NO_OPTIONS
    options = {k: v for k, v in kwargs.items() if k in CALL_OPTION_NAMES}
    return fields, CallOptions.create(options)


@dataclass(frozen=True)
class ClientConfig:
    """Everything a client was configured with, validated.

    Build one with :meth:`create`. The token never appears in its ``repr``.
    """

    base_url: str
    token: str = field(repr=False)
    credential: Optional[Credential] = None
    timeout: Timeout = field(default_factory=Timeout)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    deadline: Optional[float] = None
    default_headers: Tuple[Tuple[str, str], ...] = ()
    default_query: Tuple[Tuple[str, str], ...] = ()
    api_version: Optional[str] = None
    sdk_header: bool = True
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE
    max_download_size: Optional[int] = DEFAULT_MAX_DOWNLOAD_SIZE
    allow_insecure_http: bool = False
    _base_headers: Tuple[Tuple[str, str], ...] = field(default=(), repr=False, compare=False)
    secrets: Tuple[SecretStr, ...] = field(default=(), init=False, repr=False, compare=False)
    """The client's own secrets (its token), which every call's errors leave out."""
    _heads: Dict[Tuple[str, Optional[str]], Tuple[Tuple[str, str], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )  # the headers of a call before its own, by (accept, content type); see build_request

    @classmethod
    def create(cls, **settings: Any) -> ClientConfig:
        """Check every setting (the keywords of :class:`ClientSettings`) and build the config.

        Raises :class:`~meshapi_core.errors.InvalidArgumentError` naming the setting.

        >>> config = ClientConfig.create(base_url="https://api.meshapi.ai/v1", token="rsk_x")
        >>> config.base_url
        'https://api.meshapi.ai'
        >>> "rsk_x" in repr(config)
        False
        """
        check_setting_names(settings)
        token = _bare_token(settings.get("token"), "token")
        api_key = _bare_token(settings.get("api_key"), "api_key")
        if token is not None and api_key is not None and token != api_key:
            raise InvalidArgumentError("pass token or api_key, not both", param="token")
        token = token if token is not None else api_key
        if token is None:
            raise InvalidArgumentError(
                "token must be a non-empty string (an rsk_ key, mak_ key or JWT)", param="token"
            )
        named = settings.get("credential")
        if named is not None and named not in _CREDENTIALS:
            raise InvalidArgumentError(
                f"credential must be 'data', 'dashboard' or 'admin', not {named!r}",
                param="credential",
            )
        credential = _credential_of(token, named)
        api_version = settings.get("api_version")
        if api_version is not None and not (
            isinstance(api_version, str) and _API_VERSION.match(api_version)
        ):
            raise InvalidArgumentError(
                f"api_version must look like '2026-09', not {api_version!r}", param="api_version"
            )
        retry = settings.get("retry")
        max_retries = settings.get("max_retries")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise InvalidArgumentError("retry must be a RetryPolicy", param="retry")
        try:
            policy = retry if retry is not None else RetryPolicy()
            if retry is None and max_retries is not None:
                policy = replace(policy, max_retries=max_retries)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(str(exc), param="max_retries") from None
        timeout = settings.get("timeout")
        allow_http = bool(settings.get("allow_insecure_http", False))
        default_query = settings.get("default_query")
        if default_query is not None and not isinstance(default_query, Mapping):
            raise InvalidArgumentError("default_query must be a mapping", param="default_query")
        config = cls(
            base_url=normalize_base_url(
                settings.get("base_url", ""), allow_insecure_http=allow_http
            ),
            token=token,
            credential=credential,
            timeout=Timeout() if timeout is None else _timeout(timeout),
            retry=policy,
            deadline=_positive(settings.get("deadline"), "deadline"),
            default_headers=check_headers(settings.get("default_headers"), "default_headers"),
            default_query=tuple(_query_pairs(default_query or {})),
            api_version=api_version,
            sdk_header=bool(settings.get("sdk_header", True)),
            max_event_size=_positive_int(
                settings.get("max_event_size", DEFAULT_MAX_EVENT_SIZE), "max_event_size"
            ),
            max_response_size=_positive_int(
                settings.get("max_response_size", DEFAULT_MAX_RESPONSE_SIZE), "max_response_size"
            ),
            max_download_size=_positive_int_or_none(
                settings.get("max_download_size", DEFAULT_MAX_DOWNLOAD_SIZE), "max_download_size"
            ),
            allow_insecure_http=allow_http,
        )
        return config._with_base_headers()

    def _with_base_headers(self) -> ClientConfig:
        base = [("authorization", f"Bearer {self.token}")]
        if self.sdk_header:
            base.append(SDK_HEADER)
        if self.api_version:
            base.append(("x-mesh-version", self.api_version))
        object.__setattr__(self, "_base_headers", tuple(base) + self.default_headers)
        object.__setattr__(self, "secrets", (SecretStr(self.token),))
        return self

    def with_changes(self, **changes: Any) -> ClientConfig:
        """A copy with some settings changed (``timeout``, ``max_retries``, ``deadline``;
        ``default_headers`` and ``default_query`` merged over the current ones), checked
        like :meth:`create`."""
        current: dict[str, Any] = {
            "base_url": self.base_url,
            "token": self.token,
            "timeout": self.timeout,
            "retry": self.retry,
            "deadline": self.deadline,
            "default_headers": dict(self.default_headers),
            "default_query": dict(self.default_query),
            "api_version": self.api_version,
            "sdk_header": self.sdk_header,
            "max_event_size": self.max_event_size,
            "max_response_size": self.max_response_size,
            "max_download_size": self.max_download_size,
            "allow_insecure_http": self.allow_insecure_http,
        }
        if self.credential is not None:
            current["credential"] = _NAME_OF[self.credential]
        if "max_retries" in changes:
            max_retries = changes.pop("max_retries")
            try:
                current["retry"] = replace(self.retry, max_retries=max_retries)
            except (TypeError, ValueError) as exc:
                raise InvalidArgumentError(str(exc), param="max_retries") from None
        if "default_headers" in changes:  # by lower-case name, so "X-Team" replaces "x-team"
            added = check_headers(changes.pop("default_headers"), "default_headers")
            current["default_headers"].update(added)
        if "default_query" in changes:
            current["default_query"].update(changes.pop("default_query") or {})
        current.update(changes)
        return ClientConfig.create(**current)

    def check_realm(self, method: str, path: str, realms: FrozenSet[Credential]) -> None:
        """Refuse, before sending, a call this client's credential can never make."""
        if self.credential is None or self.credential in realms:
            return
        needed = " or ".join(c.value for c in Credential if c in realms)
        raise WrongRealmError(
            f"This client holds {self.credential.value}, which cannot call {method} {path}: "
            f"it takes {needed}. Use a client made with that credential.",
            needed=realms,
        )

    def retry_policy(self, options: CallOptions) -> RetryPolicy:
        """The policy for one call, with its ``max_retries`` override applied."""
        if options.max_retries is None or options.max_retries == self.retry.max_retries:
            return self.retry
        return replace(self.retry, max_retries=options.max_retries)

    def build_request(
        self,
        method: str,
        path: str,
        *,
        accept: str,
        query: Optional[Sequence[Tuple[str, str]]] = None,
        body: Optional[Body] = None,
        content_type: Optional[str] = None,
        options: CallOptions = NO_OPTIONS,
        idempotency_key: Optional[str] = None,
        stream: bool = False,
    ) -> Request:
        """The request for one call: ``path`` (already encoded) under the base URL, the
        client's headers, and the call's options.

        ``idempotency_key`` is sent as ``Idempotency-Key``; the call machine keeps one key
        across the attempts of a retried POST.
        """
        url = self.base_url + path
        if query or options.extra_query or self.default_query or options.refresh:
            pairs = [*(query or ()), *self.default_query]
            if options.refresh:
                pairs.append(("refresh", "true"))
            if options.extra_query:
                pairs.extend(_query_pairs(options.extra_query))
            if pairs:
                url = f"{url}?{urlencode(pairs)}"
        headers = self._heads.get((accept, content_type))
        if headers is None:
            headers = (*self._base_headers, ("accept", accept))
            if content_type is not None:
                headers += (("content-type", content_type),)
            if content_type is None or content_type == "application/json":
                # Kept for the next call: a few pairs (the endpoints' accept values), where a
                # form's content type is new with each call (it names the boundary).
                self._heads[(accept, content_type)] = headers
        if isinstance(body, StreamedBody) and body.length is not None:
            headers += (("content-length", str(body.length)),)
        if idempotency_key is not None:
            headers += (("idempotency-key", idempotency_key),)
        if options is not NO_OPTIONS:
            if options.memories:
                headers += (("x-mem-id", ",".join(options.memories)),)
            if options.skip_cache:
                headers += (("x-mesh-cache", "no-store"),)
        if options.extra_headers:
            extra = check_headers(options.extra_headers, "extra_headers")
            names = {name for name, _ in extra}
            headers = tuple(h for h in headers if h[0] not in names) + tuple(extra)
        timeout = self.timeout if options.timeout is None else Timeout.of(options.timeout)
        return Request(
            method,
            url,
            headers,
            body,
            timeout=timeout,
            stream=stream,
            max_body=self.max_response_size,
        )


_NAME_OF = {credential: name for name, credential in _CREDENTIALS.items()}


def _query_pairs(extra: Mapping[str, Any]) -> Sequence[Tuple[str, str]]:
    pairs = []
    for name, value in extra.items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, bool):
                item = "true" if item else "false"
            pairs.append((str(name), str(item)))
    return pairs


def check_setting_names(settings: Mapping[str, Any], also_known: Sequence[str] = ()) -> None:
    """Refuse a setting no client takes, suggesting the closest known name (a client passes
    its own keywords, like ``httpx_client``, as ``also_known``).

    >>> check_setting_names({"timout": 5})
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: unknown setting timout (did you mean timeout?)
    """
    known = [*ClientSettings.__annotations__, *also_known]
    unknown = sorted(set(settings) - set(known))
    if not unknown:
        return
    import difflib

    described = []
    for name in unknown:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        described.append(f"{name} (did you mean {close[0]}?)" if close else name)
    plural = "s" if len(unknown) > 1 else ""
    raise InvalidArgumentError(f"unknown setting{plural} {', '.join(described)}", param=unknown[0])


def secret_header(name: str) -> bool:
    """Whether header ``name`` may carry a credential (never logged or shown)."""
    return name.lower() in _SECRET_HEADERS
