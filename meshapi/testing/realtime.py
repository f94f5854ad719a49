"""The emulator's WebSocket sessions: their limits, and how many are open.

The gateway's realtime limits (``docs/gateway/api.md`` §15) are a 60 s idle timeout and a
30-minute session cap; tests shorten them to see them fire (``docs/realtime.md``, "Testing
with the emulator"). The settings belong to the gateway's state, so :meth:`Gateway.reset
<meshapi.testing.Gateway.reset>` restores the defaults. They apply to sessions opened after
the change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Dict, Optional

if TYPE_CHECKING:
    from ._gateway.dispatcher import Gateway

__all__ = [
    "RealtimeSettings",
    "RealtimeState",
    "active_sessions",
    "configure",
    "settings",
    "wait_for_active_sessions",
]


@dataclass(frozen=True)
class RealtimeSettings:
    """Limits of the emulated realtime sessions (seconds; ``None``: no limit).

    ``idle_timeout``: close a session after this long without a client frame (an
    ``idle_timeout`` error event, then close 1008). ``max_duration``: close every session after
    this long (``session_duration_exceeded``, close 1008). ``max_concurrent_per_owner``: a
    session over this many open ones of its owner is refused (``concurrent_sessions_exceeded``,
    close 4402).
    """

    idle_timeout: Optional[float] = 60.0
    max_duration: Optional[float] = 1800.0
    max_concurrent_per_owner: Optional[int] = None


@dataclass
class RealtimeState:
    """The realtime area's state in a gateway: settings and open sessions per owner."""

    settings: RealtimeSettings = field(default_factory=RealtimeSettings)
    active: Dict[str, int] = field(default_factory=dict)
    opened: int = 0
    lock: threading.Condition = field(default_factory=threading.Condition)

    def open(self, owner: str) -> Optional[Dict[str, Any]]:
        """Count a new session of ``owner``; the refusal to send instead, if over the cap."""
        with self.lock:
            cap = self.settings.max_concurrent_per_owner
            if cap is not None and self.active.get(owner, 0) >= cap:
                return {
                    "code": "concurrent_sessions_exceeded",
                    "message": f"At most {cap} concurrent realtime session(s) per owner.",
                    "close": 4402,
                }
            self.active[owner] = self.active.get(owner, 0) + 1
            self.opened += 1
            return None

    def close(self, owner: str) -> None:
        """A session of ``owner`` ended."""
        with self.lock:
            left = self.active.get(owner, 0) - 1
            if left > 0:
                self.active[owner] = left
            else:
                self.active.pop(owner, None)
            self.lock.notify_all()


def _state(gateway: Gateway) -> RealtimeState:
    with gateway._lock:
        return gateway._state.store("realtime", RealtimeState)


def settings(gateway: Gateway) -> RealtimeSettings:
    """The gateway's current realtime settings."""
    return _state(gateway).settings


def configure(gateway: Gateway, **changes: Any) -> RealtimeSettings:
    """Change some settings (the fields of :class:`RealtimeSettings`); returns the new ones."""
    state = _state(gateway)
    with state.lock:
        state.settings = replace(state.settings, **changes)
        return state.settings


def active_sessions(gateway: Gateway, owner: Optional[str] = None) -> int:
    """Sessions open now (of ``owner``, or of everyone)."""
    state = _state(gateway)
    with state.lock:
        if owner is not None:
            return state.active.get(owner, 0)
        return sum(state.active.values())


def wait_for_active_sessions(gateway: Gateway, count: int, timeout: Optional[float] = 5.0) -> bool:
    """Block until exactly ``count`` sessions are open; ``False`` if ``timeout`` passes first
    (waits on a condition, never polls)."""
    state = _state(gateway)
    with state.lock:
        return state.lock.wait_for(lambda: sum(state.active.values()) == count, timeout)
