"""Time, injected: the gateway never reads the system clock directly.

Everything in the emulator that depends on "now" (request ids, ``created`` stamps, template
timestamps, rate-limit windows, the request log) asks a :class:`Clock`. Production-like use
takes :class:`SystemClock`; deterministic tests take a :class:`FakeClock` and move it by hand,
or hand its :meth:`FakeClock.sleep` to the in-process transport so that an SDK's retry wait
advances the gateway's time instead of the test's wall time.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["Clock", "FakeClock", "SystemClock"]

# 2026-09-01T00:00:00Z: a fixed, plausible "now" for deterministic runs.
_DEFAULT_START = 1_788_220_800.0


class Clock(Protocol):
    """Anything with a ``time()`` method returning Unix time in seconds."""

    def time(self) -> float:
        """The current Unix time, in seconds."""


class SystemClock:
    """The real wall clock (``time.time``)."""

    def time(self) -> float:
        """The current Unix time, in seconds."""
        return time.time()

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock that only moves when told to; safe to share between threads.

    >>> clock = FakeClock(100.0)
    >>> clock.advance(2.5)
    >>> clock.time()
    102.5
    """

    def __init__(self, start: float = _DEFAULT_START) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def time(self) -> float:
        """The current fake Unix time, in seconds."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (which must not be negative)."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += seconds

    def set(self, now: float) -> None:
        """Jump to the Unix time ``now`` (forwards or backwards)."""
        with self._lock:
            self._now = float(now)

    def sleep(self, seconds: float) -> None:
        """A ``time.sleep`` stand-in that advances this clock instead of waiting."""
        self.advance(max(0.0, seconds))

    async def async_sleep(self, seconds: float) -> None:
        """An ``anyio.sleep`` stand-in that advances this clock instead of waiting."""
        self.advance(max(0.0, seconds))

    def __repr__(self) -> str:
        return f"FakeClock({self.time()!r})"
