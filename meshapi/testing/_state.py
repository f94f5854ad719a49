"""The gateway's in-memory state: credentials, templates, catalog and rate-limit windows.

Nothing here does I/O or reads the clock by itself; the gateway passes ``now`` in. The state
is not thread-safe on its own: :class:`~meshapi.testing.Gateway` holds one lock around every
request's decisions and every test-side mutation.

Credentials: data-plane keys (``rsk_...``), admin keys (``mak_...``) and dashboard JWTs
(three dot-separated base64url parts) are looked up by exact token. Every credential belongs
to an *owner*; templates are visible to the credentials of their owner.

Rate limits are fixed windows: RPM counts requests per key in the current UTC minute, RPD in
the current UTC day. A request over a limit is refused and not counted.
"""

from __future__ import annotations

import base64
import copy
import datetime
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar, cast

from ._catalog import default_catalog
from ._errors import GatewayError, detail, validation_error
from ._ids import IdFactory
from ._replies import ReplyScript

__all__ = ["ADMIN_PERMISSIONS", "ApiKey", "GatewayState", "RateLimiter", "Template", "iso8601"]

ADMIN_PERMISSIONS = (
    "keys:read",
    "keys:write",
    "org:read",
    "limits:read",
    "limits:write",
    "alerts:read",
    "alerts:write",
)
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
    ``extra`` holds the key settings the emulator stores and shows but does not enforce
    (``tpm_limit``, ``spend_cap_usd``, ``routing_policy``...; an admin key's
    ``permissions``, ``scope`` and ``team_id``).
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


class RateLimiter:
    """Fixed-window request counters per key: RPM (UTC minute) and RPD (UTC day)."""

    def __init__(self) -> None:
        self._counts: Dict[Tuple[str, str, int], int] = {}

    def check(self, key: ApiKey, now: float) -> None:
        """Count one request for ``key`` or raise the 429 for the first exceeded limit."""
        for kind, limit, width in (("RPM", key.rpm_limit, 60), ("RPD", key.rpd_limit, 86_400)):
            if limit is None:
                continue
            window = int(now // width)
            if self._counts.get((key.id, kind, window), 0) >= limit:
                wait = max(1, math.ceil((window + 1) * width - now))
                unit = "minute" if kind == "RPM" else "day"
                raise GatewayError(
                    429,
                    "rate_limit_exceeded",
                    f"Rate limit exceeded: {limit} requests per {unit} ({kind}).",
                    extra={"retry_after_seconds": wait},
                    headers=(("retry-after", str(wait)),),
                )
        for kind, limit, width in (("RPM", key.rpm_limit, 60), ("RPD", key.rpd_limit, 86_400)):
            if limit is not None:
                slot = (key.id, kind, int(now // width))
                self._counts[slot] = self._counts.get(slot, 0) + 1
        if len(self._counts) > 10_000:  # forget old windows
            current = int(now // 60)
            self._counts = {
                k: v for k, v in self._counts.items() if k[1] == "RPD" or k[2] >= current
            }

    def current(self, key_id: str, kind: str, now: float) -> int:
        """Requests counted for ``key_id`` in the current ``"RPM"`` or ``"RPD"`` window."""
        width = 60 if kind == "RPM" else 86_400
        return self._counts.get((key_id, kind, int(now // width)), 0)

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
    made afresh, each from ``secrets``.
    """

    def __init__(
        self, ids: IdFactory, now: float, builtin: Optional[Dict[str, str]] = None
    ) -> None:
        given = builtin or {}
        self.ids = ids
        self.catalog: Dict[str, Dict[str, Any]] = default_catalog()
        self.script = ReplyScript()
        self.keys: Dict[str, ApiKey] = {}
        self.jwts: Dict[str, str] = {}
        self.templates: Dict[str, Template] = {}
        self.limiter = RateLimiter()
        self.owner = "usr_" + ids.ulid()
        self.token = self.add_key(now, realm="dp", name="default", token=given.get("token")).token
        self.suspended_token = self.add_key(
            now, realm="dp", name="suspended", status="suspended", token=given.get("suspended")
        ).token
        self.admin_token = self.add_key(
            now, realm="mak", name="admin", token=given.get("admin")
        ).token
        jwt = given.get("jwt")
        if jwt is None:
            jwt = self.issue_jwt(now, self.owner)
        self.jwts[jwt] = self.owner
        self.jwt = jwt
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
        for key in self.keys.values():
            if key.id == key_id:
                return key
        return None

    def visible_templates(self, owner: str) -> List[Template]:
        """Templates ``owner`` can see: its own, then global ones."""
        own = [t for t in self.templates.values() if t.owner == owner and not t.is_global]
        return own + [t for t in self.templates.values() if t.is_global]

    def find_template(self, owner: str, name_or_id: str) -> Optional[Template]:
        """Lookup for chat: by UUID across owners, else by name (own first, then global)."""
        by_id = self.templates.get(name_or_id)
        if by_id is not None:
            return by_id
        for template in self.visible_templates(owner):
            if template.name == name_or_id:
                return template
        return None
