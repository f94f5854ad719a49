"""Test controls for the emulated control plane: usage, balances, users.

The control plane's state changes through its own endpoints (create a key, invite a member,
store a provider key...). What the gateway does on its own (recording usage, charging the
balance) and what happens outside it (a user signing up) is set here:

>>> from meshapi.testing import Gateway
>>> from meshapi.testing.control import add_usage_events, add_user, set_balance
>>> gateway = Gateway()
>>> len(add_usage_events(gateway, 3))
3
>>> set_balance(gateway, "4.20")
>>> add_user(gateway, "ana@example.com").count(".")
2

Each helper takes the gateway's lock, so it is safe while a server answers requests.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Optional, Union

from ._gateway.dispatcher import Gateway
from ._gateway.stores import AuditStore, BillingStore, OrgStore, usage_store

__all__ = ["add_usage_events", "add_user", "audit_entries", "set_balance"]


def add_usage_events(gateway: Gateway, count: int, *, token: Optional[str] = None) -> List[str]:
    """Seed history: record ``count`` past usage events (deterministic models, tokens and
    costs, one hour apart, the newest now) for the data-plane key ``token`` (default: the
    built-in one); returns their ids, oldest first.

    The requests a gateway serves are recorded as they happen; this adds events no request
    made, for a test that needs a history (a fallback with two attempts, a cache hit and an
    error among each six). They leave the balance and the rate-limit counters alone."""
    if count < 0:
        raise ValueError("count must be 0 or more")
    with gateway._lock:
        state = gateway._state
        key = state.keys.get(token or state.token)
        if key is None or key.realm != "dp":
            raise KeyError("unknown data-plane key")
        store = usage_store(state)
        now = gateway.clock.time()
        return [
            store.seed(state, key.id, key.owner, now - (count - 1 - index) * 3600, index).id
            for index in range(count)
        ]


def set_balance(
    gateway: Gateway,
    balance_usd: Union[str, Decimal],
    *,
    reserved_usd: Union[str, Decimal] = "0",
    owner: Optional[str] = None,
) -> None:
    """Set the balance (and the amount reserved) of ``owner``'s pool (default: the
    built-in user)."""
    with gateway._lock:
        state = gateway._state
        store = state.store("billing", BillingStore)
        who = owner or state.owner
        store.balances[who] = Decimal(balance_usd)
        store.reserved[who] = Decimal(reserved_usd)
        store.updated[who] = gateway.clock.time()


def add_user(gateway: Gateway, email: str) -> str:
    """A new user with ``email`` (so invitations to it reach it); returns a dashboard
    session token (JWT) for that user."""
    with gateway._lock:
        state = gateway._state
        owner = "usr_" + state.ids.ulid()
        state.store("orgs", OrgStore).emails[owner] = email
        return state.issue_jwt(gateway.clock.time(), owner)


def audit_entries(gateway: Gateway) -> List[Dict[str, Any]]:
    """Every audit-log entry, oldest first (copies)."""
    with gateway._lock:
        return [dict(e) for e in gateway._state.store("audit", AuditStore).entries]
