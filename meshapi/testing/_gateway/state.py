"""The gateway's in-memory state: credentials, templates, catalog and rate-limit windows.

Nothing here does I/O or reads the clock by itself; the gateway passes ``now`` in. The state
is not thread-safe on its own: :class:`~meshapi.testing.Gateway` holds one lock around every
request's decisions and every test-side mutation.

Credentials: data-plane keys (``rsk_...``), admin keys (``mak_...``) and dashboard JWTs
(three dot-separated base64url parts) are looked up by exact token. Every credential belongs
to an *owner*; templates are visible to the credentials of their owner.

Rate limits are fixed windows on the gateway's clock (:class:`RateLimiter`): RPM and TPM count
requests and tokens per key in the current UTC minute, RPD requests in the current UTC day.
"""

from __future__ import annotations

import base64
import copy
import datetime
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar, cast

from .errors import GatewayError, detail, validation_error
from .ids import IdFactory
from .replies import ReplyScript

ADMIN_PERMISSIONS = (
    "keys:read", "keys:write", "org:read", "limits:read", "limits:write", "alerts:read",
    "alerts:write",
)  # fmt: skip
"""Every admin-key permission; keys made by :meth:`GatewayState.add_key` hold them all, at
scope ``org``, unless told otherwise."""

S = TypeVar("S")

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def iso8601(now: float) -> str:
    """``now`` as an ISO 8601 UTC timestamp with microseconds."""
    stamp = datetime.datetime.fromtimestamp(now, tz=datetime.timezone.utc)
    return stamp.isoformat().replace("+00:00", "Z")


@dataclass
class ApiKey:
    """A credential: a data-plane key (``realm="dp"``) or an admin key (``realm="mak"``).

    ``status`` is ``active``, ``suspended`` (known, refused with 403) or ``revoked`` (an
    admin key no longer known: 401); ``expires_at`` ends a key's life (401 afterwards).
    ``lineage`` ties an admin key to its rotations and to the data-plane keys it minted.
    ``extra`` holds the other key settings: ``tpm_limit`` (enforced, with ``rpm_limit`` and
    ``rpd_limit``, by :class:`RateLimiter`), and those the emulator stores and shows but does
    not enforce (``spend_cap_usd``, ``routing_policy``...; an admin key's ``permissions``,
    ``scope`` and ``team_id``).
    """

    id: str
    token: str
    realm: str
    owner: str
    created_at: float
    name: Optional[str] = None
    status: str = "active"
    rpm_limit: Optional[int] = None
    rpd_limit: Optional[int] = None
    allowed_models: Optional[Tuple[str, ...]] = None
    default_model: Optional[str] = None
    api_version: Optional[str] = None
    expires_at: Optional[float] = None
    lineage: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> Dict[str, Any]:
        """The key as ``/v1/keys`` shows it (never with the plaintext token)."""
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "prefix": self.token[:8],
            "rpm_limit": self.rpm_limit,
            "rpd_limit": self.rpd_limit,
            "allowed_models": list(self.allowed_models) if self.allowed_models else [],
            "default_model": self.default_model,
            "api_version": self.api_version,
            **copy.deepcopy(self.extra),
            "created_at": iso8601(self.created_at),
        }

    def usable(self, now: float) -> bool:
        """Whether the key still authenticates (not revoked, not expired)."""
        return self.status != "revoked" and (self.expires_at is None or now < self.expires_at)


@dataclass
class Template:
    """A prompt template, as stored."""

    id: str
    name: str
    owner: str
    created_at: float
    updated_at: float
    description: Optional[str] = None
    system: Optional[str] = None
    messages: List[Dict[str, Any]] = field(default_factory=list)
    model: Optional[str] = None
    params: Dict[str, Any] = field(default_factory=dict)
    variables: List[str] = field(default_factory=list)
    is_global: bool = False
    team_id: Optional[str] = None

    def to_json(self) -> Dict[str, Any]:
        """The template object of ``docs/gateway/api.md`` §14."""
        return {
            "id": self.id,
            "name": self.name,
            "owner": self.owner,
            "org_id": None,
            "team_id": self.team_id,
            "is_global": self.is_global,
            "description": self.description,
            "system": self.system,
            "messages": [dict(m) for m in self.messages],
            "model": self.model,
            "params": dict(self.params),
            "variables": list(self.variables),
            "creator_name": None,
            "creator_email": None,
            "created_at": iso8601(self.created_at),
            "updated_at": iso8601(self.updated_at),
        }

    def render(self, variables: Dict[str, str]) -> List[Dict[str, Any]]:
        """The system prompt and base messages with ``{{ name }}`` slots filled.

        Raises the 422 the gateway sends when a slot has no value.
        """
        missing: List[str] = []

        def fill(text: str) -> str:
            def one(match: re.Match[str]) -> str:
                name = match.group(1)
                if name not in variables:
                    if name not in missing:
                        missing.append(name)
                    return match.group(0)
                return variables[name]

            return _VARIABLE.sub(one, text)

        out: List[Dict[str, Any]] = []
        if self.system:
            out.append({"role": "system", "content": fill(self.system)})
        for message in self.messages:
            rendered = dict(message)
            if isinstance(rendered.get("content"), str):
                rendered["content"] = fill(rendered["content"])
            out.append(rendered)
        if missing:
            raise validation_error(
                [
                    detail(
                        "missing",
                        ("body", "variables", name),
                        f"Template variable '{name}' has no value",
                    )
                    for name in missing
                ]
            )
        return out


RATE_KINDS: Dict[str, Tuple[int, str, str]] = {
    "RPM": (60, "requests", "minute"),
    "RPD": (86_400, "requests", "day"),
    "TPM": (60, "tokens", "minute"),
}
"""Each rate limit's window (seconds of the gateway's clock), what it counts, and its unit."""


def _positive_limits(limits: Optional[Mapping[str, Optional[int]]]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for name, value in (limits or {}).items():
        kind = name.upper()
        if kind not in RATE_KINDS:
            raise ValueError(f"unknown rate limit {name!r}: use rpm, rpd or tpm")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"rate limit {name!r} must be a whole number of at least 1")
        out[kind] = value
    return out


class RateLimiter:
    """Fixed-window counters per key, on the gateway's clock: requests per UTC minute (RPM)
    and per UTC day (RPD), tokens per UTC minute (TPM).

    A key's limit is its own (``rpm_limit``, ``rpd_limit``, ``extra["tpm_limit"]``), else the
    server's default (``Gateway(rate_limits=...)``), else none. Every request a data-plane
    key makes is counted, limited or not, so the live counters are true either way; a request
    refused for a limit is not counted. A request is refused when its key's RPM or RPD window
    is full, or when the tokens already served in the current minute reach its TPM (a request
    is let in while the key has tokens left; what it uses is counted once it is served).
    """

    def __init__(self, defaults: Optional[Mapping[str, Optional[int]]] = None) -> None:
        self.defaults = _positive_limits(defaults)
        self._counts: Dict[Tuple[str, str, int], int] = {}

    def limit(self, key: ApiKey, kind: str) -> Tuple[Optional[int], bool]:
        """The key's effective limit of ``kind`` and whether it is the server's default."""
        own = {"RPM": key.rpm_limit, "RPD": key.rpd_limit, "TPM": key.extra.get("tpm_limit")}
        mine = own[kind]
        if mine:
            return int(mine), False
        return self.defaults.get(kind), True

    def check(self, key: ApiKey, now: float, speed: float = 1.0) -> None:
        """Count one request for ``key`` or raise the 429 for the first exceeded limit.

        ``Retry-After`` is the time to the end of the full window in the client's seconds:
        the gateway clock's seconds divided by its ``speed`` (at least 1)."""
        for kind, (_, unit, period) in RATE_KINDS.items():
            limit, _ = self.limit(key, kind)
            if limit is None or self.current(key.id, kind, now) < limit:
                continue
            wait = max(1, math.ceil(self.resets_in(kind, now) / speed))
            raise GatewayError(
                429,
                "rate_limit_exceeded",
                f"Rate limit exceeded: {limit} {unit} per {period} ({kind}).",
                extra={"retry_after_seconds": wait},
                headers=(("retry-after", str(wait)),),
            )
        self._add(key.id, "RPM", now, 1)
        self._add(key.id, "RPD", now, 1)

    def add_tokens(self, key_id: str, now: float, tokens: int) -> None:
        """Count ``tokens`` served to ``key_id`` in the current minute."""
        if tokens > 0:
            self._add(key_id, "TPM", now, tokens)

    def _add(self, key_id: str, kind: str, now: float, amount: int) -> None:
        slot = (key_id, kind, int(now // RATE_KINDS[kind][0]))
        self._counts[slot] = self._counts.get(slot, 0) + amount
        if len(self._counts) > 10_000:  # forget windows that have passed
            self._counts = {
                k: v for k, v in self._counts.items() if k[2] >= int(now // RATE_KINDS[k[1]][0])
            }

    def current(self, key_id: str, kind: str, now: float) -> int:
        """What ``key_id`` used in the current ``"RPM"``, ``"RPD"`` or ``"TPM"`` window."""
        return self._counts.get((key_id, kind, int(now // RATE_KINDS[kind][0])), 0)

    @staticmethod
    def resets_in(kind: str, now: float) -> float:
        """Seconds of the gateway's clock until the current window of ``kind`` ends."""
        width = RATE_KINDS[kind][0]
        return width - now % width

    def clear(self) -> None:
        """Forget every window."""
        self._counts.clear()


def _b64(value: Dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class GatewayState:
    """Credentials, templates, catalog, reply script and rate-limit windows of one gateway.

    ``builtin`` holds the built-in credentials to keep (:meth:`builtin_credentials` of an
    earlier state, so that a reset keeps them, or a pinned ``"token"``); the others are
    made afresh, each from ``secrets``. ``catalog`` is the models it serves, ``rate_limits``
    the server's default limits and ``clock_speed`` how fast the gateway's clock runs.
    """

    def __init__(
        self,
        ids: IdFactory,
        now: float,
        catalog: Dict[str, Dict[str, Any]],
        builtin: Optional[Dict[str, str]] = None,
        *,
        rate_limits: Optional[Mapping[str, Optional[int]]] = None,
        clock_speed: float = 1.0,
    ) -> None:
        given = builtin or {}
        self.ids = ids
        self.catalog = catalog
        self.clock_speed = clock_speed
        self.script = ReplyScript()
        self.keys: Dict[str, ApiKey] = {}
        self.jwts: Dict[str, str] = {}
        self.templates: Dict[str, Template] = {}
        self.limiter = RateLimiter(rate_limits)
        self.owner = "usr_" + ids.ulid()
        self.token = self.add_key(now, realm="dp", name="default", token=given.get("token")).token
        self.suspended_token = self.add_key(
            now, realm="dp", name="suspended", status="suspended", token=given.get("suspended")
        ).token
        self.admin_token = self.add_key(
            now, realm="mak", name="admin", token=given.get("admin")
        ).token
        self.jwt = given.get("jwt") or self.issue_jwt(now, self.owner)
        self.jwts[self.jwt] = self.owner
        self._stores: Dict[str, Any] = {}

    def builtin_credentials(self) -> Dict[str, str]:
        """The built-in credentials, to make a later state with the same ones."""
        return {
            "token": self.token,
            "suspended": self.suspended_token,
            "admin": self.admin_token,
            "jwt": self.jwt,
        }

    def now(self) -> float:
        """The gateway clock's time: the clock the ids are drawn from, for the checks made
        outside a route handler (a key's expiry at authentication)."""
        return self.ids._clock.time()

    def store(self, name: str, factory: Callable[[], S]) -> S:
        """The state of one area of the API (``"batches"``, ``"files"``...), made by
        ``factory`` on first use, so each area's routes keep their own state without this
        class knowing them. It is dropped with the rest on :meth:`Gateway.reset`."""
        found = self._stores.get(name)
        if found is None:
            found = self._stores[name] = factory()
        return cast(S, found)

    def add_key(
        self, now: float, *, realm: str, owner: Optional[str] = None, **fields: Any
    ) -> ApiKey:
        """Create and store a key of ``realm`` (``"dp"`` or ``"mak"``)."""
        prefix = "rsk_" if realm == "dp" else "mak_"
        token = fields.pop("token", None) or self.ids.token(prefix)
        if not token.startswith(prefix):
            raise ValueError(f"a {realm} token must start with {prefix!r}")
        if token in self.keys:
            raise ValueError("that token already exists")
        allowed = fields.pop("allowed_models", None)
        key = ApiKey(
            id="key_" + self.ids.ulid(),
            token=token,
            realm=realm,
            owner=owner or self.owner,
            created_at=now,
            allowed_models=tuple(allowed) if allowed else None,
            **fields,
        )
        if realm == "mak":
            key.lineage = key.id
            key.extra.setdefault("permissions", list(ADMIN_PERMISSIONS))
            key.extra.setdefault("scope", "org")
        self.keys[token] = key
        return key

    def issue_jwt(self, now: float, owner: str) -> str:
        """A new dashboard session token for ``owner``."""
        header = _b64({"alg": "HS256", "typ": "JWT"})
        payload = _b64(
            {"sub": owner, "iat": int(now), "iss": "meshapi-testing", "jti": self.ids.secret(16)}
        )
        token = f"{header}.{payload}.{self.ids.secret(43)}"
        self.jwts[token] = owner
        return token

    def key_by_id(self, key_id: str) -> Optional[ApiKey]:
        """The key with this id, if any."""
        return next((key for key in self.keys.values() if key.id == key_id), None)

    def visible_templates(self, owner: str) -> List[Template]:
        """Templates ``owner`` can see: its own, then global ones."""
        own = [t for t in self.templates.values() if t.owner == owner and not t.is_global]
        return own + [t for t in self.templates.values() if t.is_global]

    def find_template(self, owner: str, name_or_id: str) -> Optional[Template]:
        """Lookup for chat: by UUID across owners, else by name (own first, then global)."""
        by_name = (t for t in self.visible_templates(owner) if t.name == name_or_id)
        return self.templates.get(name_or_id) or next(by_name, None)
