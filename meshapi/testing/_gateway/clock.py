"""Time, injected: the gateway never reads the system clock directly.

Everything that depends on "now" (ids, timestamps, rate-limit windows, the request log) asks a
:class:`Clock`: :class:`SystemClock` by default, a :class:`FakeClock` moved by hand in
deterministic tests (its :meth:`FakeClock.sleep` given to the in-process transport makes an
SDK's retry waits advance the gateway's time). A clock's ``speed`` (``SystemClock(speed=60)``:
a minute's window in a second) divides the waits the gateway announces (``Retry-After``,
``resets_in_seconds``), so they are in the client's seconds.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

# 2026-09-01T00:00:00Z: a fixed, plausible "now" for deterministic runs.
_DEFAULT_START = 1_788_220_800.0


class Clock(Protocol):
    """Anything with a ``time()`` method returning Unix time in seconds."""

    def time(self) -> float:
        """The current Unix time, in seconds."""


class SystemClock:
    """The real wall clock (``time.time``); with ``speed``, a clock that starts at the wall
    clock's time and runs ``speed`` times as fast (``speed=60``: a minute per second)."""

    def __init__(self, speed: float = 1.0) -> None:
        if not speed > 0 or speed == float("inf"):
            raise ValueError("speed must be a positive number")
        self.speed = float(speed)
        self._start = time.time()
        self._monotonic = time.monotonic()

    def time(self) -> float:
        """The current Unix time, in seconds (scaled by ``speed`` since the clock was made)."""
        if self.speed == 1.0:
            return time.time()
        return self._start + (time.monotonic() - self._monotonic) * self.speed

    def __repr__(self) -> str:
        return "SystemClock()" if self.speed == 1.0 else f"SystemClock(speed={self.speed:g})"


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
