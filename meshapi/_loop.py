"""Which event loop (and which process) an :class:`~meshapi.AsyncMeshAPI` belongs to.

An async client's connections belong to the event loop that opened them: httpx's and
aiohttp's pools hold sockets registered with that loop, and futures bound to it. Used from
another loop, or after its loop has closed, they fail deep inside the library with a bare
``RuntimeError`` (``Event loop is closed``, ``... attached to a different loop``), or hang.
After ``os.fork()`` the child holds copies of the parent's sockets, and would read the
parent's responses.

A :class:`LoopGuard` ties a client (and the variants ``with_options`` derives from it, which
share its connections) to the first event loop that makes a call, and to the process. Every
later call checks both before anything is sent, and a mismatch raises
:class:`~meshapi_core.errors.ClientContextError`, which says what to do. The check costs one
``get_running_loop()`` and two comparisons. A transport that holds no connections says so
with ``binds_event_loop = False`` (the emulator's in-process transport), and is not guarded.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from typing import Any, Optional

from meshapi_core.errors import ClientContextError

__all__ = ["LoopGuard", "fork_generation"]

_generation = 0


def _forked() -> None:
    global _generation
    _generation += 1


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_forked)


def fork_generation() -> int:
    """A number that grows in the child after every ``os.fork()``."""
    return _generation


def _current_loop() -> Any:
    """The running asyncio loop, else the running trio run's token, else ``None``."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            return trio.lowlevel.current_trio_token()
        except RuntimeError:
            pass
    return None


class LoopGuard:
    """Ties one client's connections to an event loop and a process; see the module docs."""

    __slots__ = ("_generation", "_lock", "_loop")

    def __init__(self) -> None:
        self._loop: Any = None
        self._generation = _generation
        self._lock = threading.Lock()

    def check(self) -> None:
        """Raise :class:`ClientContextError` unless this call runs where the client's
        connections can work; the first call ties the client to its loop."""
        if self._generation != _generation:
            raise ClientContextError(
                "This AsyncMeshAPI was made before os.fork(): its connections belong to the "
                "parent process. Make a new client in the child process, after the fork."
            )
        loop = _current_loop()
        if loop is self._loop:
            return
        with self._lock:
            if self._loop is None:
                self._loop = loop
                return
        raise ClientContextError(_wrong_loop_message(self._loop))


def _wrong_loop_message(bound: Any) -> str:
    closed: Optional[bool] = None
    is_closed = getattr(bound, "is_closed", None)
    if is_closed is not None:
        closed = bool(is_closed())
    if closed:
        where = "an event loop that has since closed"
    else:
        where = "another event loop (one that may since have ended)"
    return (
        f"This AsyncMeshAPI was first used in {where}, and its connections belong to that "
        "loop. Make one client per event loop: create it inside the async code that uses it "
        "(for example `async with AsyncMeshAPI(...) as client:` inside the function given to "
        "asyncio.run() or trio.run()), and close it before that loop ends."
    )
