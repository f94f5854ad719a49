"""A "something changed" broadcast that threads and event loops can both wait on.

The server runs in one thread (or event loop) while a test waits in another: a sync test
blocks on a ``threading.Condition``; an async test, possibly on another loop in another
thread, awaits an ``anyio.Event``. :meth:`Signal.notify` wakes both kinds. Waiters re-check
their predicate after each wake-up, so spurious wake-ups are harmless and no polling or
sleeping is ever needed.

Waking an event loop from a foreign thread needs that loop's thread-safe entry point: asyncio's
``call_soon_threadsafe`` or trio's ``TrioToken.run_sync_soon``. Both are non-blocking, so a
notifier can never deadlock on a waiter's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Callable, List, Optional

import anyio


def _thread_safe_scheduler() -> Callable[[Callable[[], None]], object]:
    """How to run a callback in the current event loop from any thread."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        import trio  # the only other backend anyio supports

        token = trio.lowlevel.current_trio_token()
        return token.run_sync_soon
    return loop.call_soon_threadsafe


class _AsyncWaiter:
    def __init__(self) -> None:
        self.event = anyio.Event()
        self.thread = threading.get_ident()
        self.schedule = _thread_safe_scheduler()

    def _set(self) -> None:
        self.event.set()

    def wake(self) -> None:
        if threading.get_ident() == self.thread:
            self.event.set()
            return
        with contextlib.suppress(Exception):  # a finished loop has nobody waiting any more
            self.schedule(self._set)


class Signal:
    """Wake every waiter whenever :meth:`notify` is called; waiters check a predicate."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._async_waiters: List[_AsyncWaiter] = []

    def notify(self) -> None:
        """Wake all waiters (sync and async) so they re-check their predicates."""
        with self._cond:
            self._cond.notify_all()
            waiters = list(self._async_waiters)
        for waiter in waiters:
            waiter.wake()

    def wait_for(self, predicate: Callable[[], bool], timeout: Optional[float]) -> bool:
        """Block until ``predicate()`` is true; False if ``timeout`` seconds pass first."""
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    async def wait_for_async(
        self,
        predicate: Callable[[], bool],
        *,
        timeout: Optional[float],  # noqa: ASYNC109
    ) -> bool:
        """Await until ``predicate()`` is true; False if ``timeout`` seconds pass first."""
        waiter = _AsyncWaiter()
        with self._cond:
            self._async_waiters.append(waiter)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                waiter.event = anyio.Event()
                if predicate():
                    return True
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                with anyio.move_on_after(remaining):
                    await waiter.event.wait()
        finally:
            with self._cond:
                self._async_waiters.remove(waiter)
