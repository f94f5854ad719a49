"""The fault queue: which injected faults the next request gets.

An :class:`Injection` is a group of faults for requests matching a method and a path pattern
(``fnmatch`` style: ``"/v1/models*"``), used ``times`` times (``None``: until cleared).
Injections are consumed first-in, first-out: the first one that matches a request is the one
it gets, so ``inject(Status(503)); inject(Status(429))`` makes the next two matching
requests fail with 503 then 429.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from ..faults import Fault
from .plan import ResponsePlan


@dataclass(eq=False)
class Injection:
    """One group of faults waiting for matching requests.

    ``remaining`` is how many more requests it will affect (``None``: unlimited) and
    ``used`` how many it has affected so far.
    """

    faults: Tuple[Fault, ...]
    route: Optional[str]
    method: Optional[str]
    remaining: Optional[int]
    used: int = 0

    def __post_init__(self) -> None:
        self.method = self.method.upper() if self.method else None

    def matches(self, method: str, path: str) -> bool:
        """Whether a request ``method path`` is one this injection targets."""
        if self.method is not None and self.method != method.upper():
            return False
        return self.route is None or fnmatch.fnmatchcase(path, self.route)


class FaultQueue:
    """Thread-safe FIFO of :class:`Injection` objects."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: List[Injection] = []

    def add(
        self,
        faults: Sequence[Fault],
        route: Optional[str],
        method: Optional[str],
        times: Optional[int],
    ) -> Injection:
        """Queue ``faults`` for the next ``times`` matching requests."""
        if not faults:
            raise ValueError("inject() needs at least one fault")
        for fault in faults:
            if not isinstance(fault, Fault):
                raise TypeError(f"not a fault: {fault!r}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every request)")
        injection = Injection(tuple(faults), route, method, times)
        with self._lock:
            self._pending.append(injection)
        return injection

    def take(self, method: str, path: str) -> Tuple[Fault, ...]:
        """The faults for this request (possibly none), consuming one use."""
        with self._lock:
            for injection in self._pending:
                if not injection.matches(method, path):
                    continue
                injection.used += 1
                if injection.remaining is not None:
                    injection.remaining -= 1
                    if injection.remaining == 0:
                        self._pending.remove(injection)
                return injection.faults
        return ()

    def pending(self) -> List[Injection]:
        """The injections not yet used up."""
        with self._lock:
            return list(self._pending)

    def clear(self) -> None:
        """Drop every pending injection."""
        with self._lock:
            self._pending.clear()


def replacement_for(faults: Sequence[Fault], request_id: str) -> Optional[ResponsePlan]:
    """The response a replacing fault sends instead of the gateway, if any."""
    for fault in faults:
        plan = fault.replacement(request_id)
        if plan is not None:
            return plan
    return None


def apply_faults(plan: ResponsePlan, faults: Sequence[Fault]) -> ResponsePlan:
    """``plan`` rewritten by every transforming fault, in stage order."""
    for fault in sorted(faults, key=lambda f: f.stage):
        plan = fault.apply(plan)
    return plan
