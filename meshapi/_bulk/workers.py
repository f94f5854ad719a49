"""Calls running side by side, their outcomes handed back one at a time.

The bulk loop (``meshapi/_async/bulk.py``, and its blocking twin) is written once; what
differs between the two is only how calls run concurrently, and that is here:
:class:`AsyncWorkers` runs each call as a task (anyio: asyncio or trio),
:class:`Workers` each in a thread of a pool. Both hand the outcomes back to the loop, in the
order they end, through :meth:`next_outcome`, which waits at most the time it is given.
Neither decides anything: how many calls run at once is the job's business (it never starts
more than its window allows).
"""

from __future__ import annotations

import math
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, Awaitable, Callable, Optional, Tuple, Type

__all__ = ["AsyncWorkers", "Workers", "in_thread"]

Outcome = Tuple[Any, Any]
"""The tag a call was started with, and what it returned."""


async def in_thread(function: Callable[..., Any], *args: Any) -> Any:
    """Run a blocking file operation without blocking the event loop (asyncio or trio)."""
    import anyio.to_thread

    return await anyio.to_thread.run_sync(function, *args)


class AsyncWorkers:
    """Tasks in an anyio task group; ``async with`` it around the loop."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._group: Any = None
        self._send: Any = None
        self._receive: Any = None

    async def __aenter__(self) -> AsyncWorkers:
        import anyio

        self._send, self._receive = anyio.create_memory_object_stream(math.inf)
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        return self

    async def __aexit__(
        self,
        kind: Optional[Type[BaseException]],
        error: Optional[BaseException],
        trace: Optional[TracebackType],
    ) -> Optional[bool]:
        self._group.cancel_scope.cancel()  # calls still out are abandoned, not awaited
        try:
            return bool(await self._group.__aexit__(kind, error, trace))
        finally:
            self._send.close()
            self._receive.close()

    def start(self, call: Callable[[Any], Awaitable[Any]], tag: Any) -> None:
        """Run ``call(tag)``; its result comes back from :meth:`next_outcome` with ``tag``."""
        send = self._send

        async def run() -> None:
            result = await call(tag)
            send.send_nowait((tag, result))

        self._group.start_soon(run)

    async def next_outcome(self, timeout: Optional[float]) -> Optional[Outcome]:
        """The next call's outcome, or ``None`` when ``timeout`` seconds pass first."""
        import anyio

        with anyio.move_on_after(timeout if timeout is not None else math.inf):
            result: Outcome = await self._receive.receive()
            return result
        return None


class Workers:
    """Threads of a pool; ``with`` it around the loop."""

    def __init__(self, limit: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=limit + 1, thread_name_prefix="meshapi-bulk")
        self._outcomes: queue.Queue[Tuple[Any, Any, Optional[BaseException]]] = queue.Queue()
        self._lock = threading.Lock()

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: Optional[Type[BaseException]],
        error: Optional[BaseException],
        trace: Optional[TracebackType],
    ) -> None:
        # Calls still out finish in their threads (each within its own time limits); their
        # outcomes are dropped: the rows they were for are not recorded.
        self._pool.shutdown(wait=kind is None, cancel_futures=True)

    def start(self, call: Callable[[Any], Any], tag: Any) -> None:
        """Run ``call(tag)`` in a thread; its result comes back from :meth:`next_outcome`."""
        outcomes = self._outcomes

        def run() -> None:
            try:
                outcomes.put((tag, call(tag), None))
            except BaseException as error:  # re-raised in the loop's thread
                outcomes.put((tag, None, error))

        self._pool.submit(run)

    def next_outcome(self, timeout: Optional[float]) -> Optional[Outcome]:
        """The next call's outcome, or ``None`` when ``timeout`` seconds pass first."""
        try:
            tag, result, error = self._outcomes.get(timeout=timeout)
        except queue.Empty:
            return None
        if error is not None:
            raise error
        return tag, result
