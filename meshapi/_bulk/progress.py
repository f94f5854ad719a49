"""Showing a bulk job's progress: a tqdm bar on a terminal, nothing elsewhere.

The bar shows rows done of the total, rows/s, the ETA (tqdm's own), and after it tokens/s,
the concurrency now, the requests in flight and the ``429`` answers so far. tqdm is an
optional dependency (``pip install 'meshapi-python-sdk[progress]'``), imported only when a
bar is shown; without it a terminal gets one plain line, rewritten in place at most twice a
second. A stream that is not a terminal gets nothing (``--json`` prints the summary).
"""

from __future__ import annotations

import importlib
import time
from typing import Any, Optional, TextIO

from meshapi_core.bulk.job import Progress

__all__ = ["NO_DISPLAY", "Display", "make_display"]

_EVERY = 0.5
"""Seconds between two redraws."""


class Display:
    """Where a job reports its progress (this one shows nothing)."""

    def update(self, progress: Progress) -> None:
        """The job's progress now (called often: a display draws at its own pace)."""

    def close(self) -> None:
        """The job is over: leave the last state on screen."""


NO_DISPLAY = Display()


class _Paced(Display):
    """A display that draws at most once every ``_EVERY`` seconds."""

    _last = 0.0

    def update(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self._last >= _EVERY:
            self._last = now
            self._draw(progress)

    def _draw(self, progress: Progress) -> None:
        raise NotImplementedError


class _Bar(_Paced):
    def __init__(self, stream: TextIO, tqdm: Any) -> None:
        self._bar = tqdm(
            total=None,
            unit="row",
            file=stream,
            dynamic_ncols=True,
            smoothing=0.1,
            mininterval=_EVERY,
        )
        self._shown = 0

    def _draw(self, progress: Progress) -> None:
        bar = self._bar
        if progress.total is not None and bar.total != progress.total:
            bar.total = progress.total
        bar.set_postfix_str(_facts(progress), refresh=False)
        bar.update(progress.rows - self._shown)
        self._shown = progress.rows

    def close(self) -> None:
        self._bar.close()


class _Line(_Paced):
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def _draw(self, progress: Progress) -> None:
        total = f"/{progress.total}" if progress.total is not None else ""
        eta = f", ETA {progress.eta:.0f} s" if progress.eta is not None else ""
        text = f"{progress.rows}{total} rows, {progress.rows_per_second:.1f} rows/s{eta}, "
        self._stream.write("\r" + text + _facts(progress) + "\x1b[K")
        self._stream.flush()

    def close(self) -> None:
        if self._last:
            self._stream.write("\n")
            self._stream.flush()


def _facts(progress: Progress) -> str:
    return (
        f"{progress.tokens_per_second:.0f} tok/s, concurrency {progress.concurrency}, "
        f"in flight {progress.in_flight}, 429s {progress.rate_limited}"
    )


def make_display(stream: Optional[TextIO], *, force: bool = False) -> Display:
    """A bar on ``stream`` when it is a terminal (or ``force``), else :data:`NO_DISPLAY`."""
    if stream is None:
        return NO_DISPLAY
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if not (terminal or force):
        return NO_DISPLAY
    try:
        tqdm = importlib.import_module("tqdm").tqdm
    except ImportError:
        return _Line(stream)
    return _Bar(stream, tqdm)
