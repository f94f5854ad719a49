"""Bearer authentication and realm checks (``docs/gateway/api.md`` §0.1,
``docs/gateway/control-plane.md`` §1).

Each route declares the realms it accepts: ``"dp"`` (data-plane ``rsk_`` keys), ``"jwt"``
(dashboard session tokens) and ``"mak"`` (admin keys). The checks run in the gateway's order:

1. missing, malformed or unknown credential -> ``401 unauthorized`` (a revoked admin key, or
   a key past its ``expires_at``, such as an admin key after its rotation's grace, is no
   longer known);
2. a suspended key -> ``403 forbidden``;
3. a valid credential of the wrong realm -> ``403 forbidden`` naming both realms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Optional

from .errors import GatewayError
from .plan import GatewayRequest
from .state import ApiKey, GatewayState

REALM_NAMES = {
    "dp": "a data-plane key (rsk_...)",
    "jwt": "a dashboard session token (JWT)",
    "mak": "an admin key (mak_...)",
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the realm, the owner, and the key (``None`` for a JWT)."""

    realm: str
    owner: str
    key: Optional[ApiKey] = None


def _unauthorized() -> GatewayError:
    return GatewayError(401, "unauthorized", "Invalid or missing API key.")


def _needs(realms: Collection[str]) -> str:
    names = [REALM_NAMES[r] for r in ("dp", "jwt", "mak") if r in realms]
    return " or ".join(names)


def authenticate(
    state: GatewayState, request: GatewayRequest, realms: Collection[str]
) -> Principal:
    """The caller of ``request``, or the 401/403 :class:`GatewayError` to answer."""
    values = request.header_values("authorization")
    if len(values) != 1:
        raise _unauthorized()
    scheme, _, token = values[0].strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise _unauthorized()
    key = state.keys.get(token)
    if key is not None and not key.usable(state.now()):
        raise _unauthorized()
    if key is not None:
        principal = Principal(key.realm, key.owner, key)
        if key.status != "active":
            raise GatewayError(
                403, "forbidden", "This API key is suspended: it is valid but not active."
            )
    elif token in state.jwts:
        principal = Principal("jwt", state.jwts[token])
    else:
        raise _unauthorized()
    if principal.realm not in realms:
        raise GatewayError(
            403,
            "forbidden",
            f"This endpoint requires {_needs(realms)}; "
            f"{REALM_NAMES[principal.realm]} cannot call it.",
        )
    return principal
