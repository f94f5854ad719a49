"""The request log: every request the gateway handles, kept for assertions.

Each request is recorded the moment it reaches the gateway, before its response is decided,
so a test can wait for a request that is still being answered (a stalled stream, a delayed
header). Waiting never polls: the log owns a :class:`~meshapi.testing._gateway.signal.Signal` that
fires on every change, and the wait helpers re-check their predicate when it fires.

The log is bounded (oldest entries fall off) so a long benchmark cannot exhaust memory;
``seq`` numbers keep increasing regardless.
"""

from __future__ import annotations

import json as _json
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from .signal import Signal

_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "proxy-authorization"})


@dataclass
class RecordedRequest:
    """One request as the gateway received it, plus what it decided.

    ``json`` is the parsed body (``None`` when the body is empty or not JSON); ``body_size``
    is the raw body length (for a request refused as too large, its declared length).
    ``status`` is filled in once the response is decided; ``model``, ``messages`` (the prompt
    after template expansion) and ``unknown_fields`` (body fields the gateway ignored) are
    filled in by chat completions.
    """

    seq: int
    request_id: str
    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    raw_headers: Tuple[Tuple[str, str], ...]
    body: bytes
    body_size: int
    timestamp: float
    json: Any = None
    status: Optional[int] = None
    model: Optional[str] = None
    messages: Optional[List[Dict[str, Any]]] = None
    unknown_fields: Tuple[str, ...] = field(default=())

    def header(self, name: str) -> Optional[str]:
        """A request header by name (any case); repeated headers joined with ``", "``."""
        return self.headers.get(name.lower())

    def __repr__(self) -> str:
        shown = {k: ("[redacted]" if k in _SECRET_HEADERS else v) for k, v in self.headers.items()}
        return (
            f"RecordedRequest(seq={self.seq}, {self.method} {self.path}, status={self.status}, "
            f"request_id={self.request_id!r}, headers={shown!r}, body_size={self.body_size})"
        )


RequestPredicate = Callable[[RecordedRequest], bool]


def parse_json(body: bytes) -> Any:
    """The JSON value in ``body``, or ``None`` if it is empty or not JSON."""
    try:
        return _json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


class RequestLog:
    """A bounded, thread-safe list of :class:`RecordedRequest` with blocking/async waits."""

    def __init__(self, limit: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._entries: Deque[RecordedRequest] = deque(maxlen=limit)
        self._next_seq = 0
        self.signal = Signal()

    def record(self, **fields: Any) -> RecordedRequest:
        """Append a new entry built from ``fields`` (everything but ``seq``)."""
        with self._lock:
            entry = RecordedRequest(seq=self._next_seq, **fields)
            self._next_seq += 1
            self._entries.append(entry)
        self.signal.notify()
        return entry

    def changed(self) -> None:
        """Tell waiters that an entry was updated (its status, model...)."""
        self.signal.notify()

    def entries(self) -> List[RecordedRequest]:
        """A snapshot of the entries, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        """Forget every entry (``seq`` keeps counting)."""
        with self._lock:
            self._entries.clear()
        self.signal.notify()

    def matching(self, predicate: RequestPredicate) -> List[RecordedRequest]:
        """The entries for which ``predicate`` is true, oldest first."""
        return [entry for entry in self.entries() if predicate(entry)]

    def wait(
        self, predicate: RequestPredicate, count: int, timeout: Optional[float]
    ) -> List[RecordedRequest]:
        """Block until ``count`` entries match; raise ``TimeoutError`` after ``timeout``."""
        found, ready = self._finder(predicate, count)
        if not self.signal.wait_for(ready, timeout):
            raise TimeoutError(self._timeout_message(count, len(found), timeout))
        return found[:count]

    async def wait_async(
        self, predicate: RequestPredicate, count: int, timeout: Optional[float]
    ) -> List[RecordedRequest]:
        """The async twin of :meth:`wait`."""
        found, ready = self._finder(predicate, count)
        if not await self.signal.wait_for_async(ready, timeout=timeout):
            raise TimeoutError(self._timeout_message(count, len(found), timeout))
        return found[:count]

    def _finder(
        self, predicate: RequestPredicate, count: int
    ) -> Tuple[List[RecordedRequest], Callable[[], bool]]:
        """What :meth:`wait` and :meth:`wait_async` wait on: a list of the matching entries,
        and a check that refreshes it and says whether ``count`` are in."""
        found: List[RecordedRequest] = []

        def ready() -> bool:
            found[:] = self.matching(predicate)
            return len(found) >= count

        return found, ready

    def _timeout_message(self, count: int, seen: int, timeout: Optional[float]) -> str:
        recent = ", ".join(f"{e.method} {e.path}" for e in self.entries()[-5:]) or "none"
        return (
            f"waited {timeout} s for {count} matching request(s), saw {seen}; "
            f"latest requests: {recent}"
        )
