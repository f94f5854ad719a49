"""How fast a bulk job may send: a concurrency that adapts, and the key's rate limits.

Theory of operation. Two things bound how many requests a job has in flight and when the
next one may go:

1. **Concurrency**, adapted the way TCP adapts its window (additive increase,
   multiplicative decrease). It starts low (:attr:`PacingSettings.initial_concurrency`),
   grows by one for every success while it is the limit that holds the job back (so it
   doubles every round trip at first, *slow start*), and, after the first sign of
   congestion, by about one per round trip. A ``429`` halves it, another retryable failure
   (``502``/``503``/``504``, a connection that failed) takes a quarter off; at most once
   per round trip, so a burst of failures from one moment counts once.
2. **The key's limits**, read from ``GET /v1/usage/rate-limits``: for each of RPM, TPM and
   RPD with a limit, the budget left in the current window is the limit less what the
   counter showed, less what the job sent since (one per request for RPM and RPD; for TPM
   the estimate of every request in flight, corrected by the tokens each reply reports).
   A request is sent only while it fits every budget. When one runs out, the job waits
   for its window to end (``resets_in_seconds``) and looks at the counters again: a budget
   is renewed only by counters read after the reset, never by a guess, so a window that
   ends later than announced costs a look, not a storm of ``429``. The counters are read
   at the start, at each window's end, and after a ``429`` (whose ``Retry-After`` is
   honoured first: nothing is sent before it passes).

A ``429`` says the budget was wrong (another client shares the key, or the gateway counts
differently): the job stops sending until ``Retry-After`` has passed, halves its
concurrency, and reads the counters again. Without the rate-limit endpoint (a ``404``: not
deployed) or without limits (``limit: null``), only the first mechanism and the ``429``
pause apply.

Several processes that share one key (Ray workers) each take a ``share`` of every budget.

Nothing here does I/O or reads a clock: times are given (monotonic seconds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, Optional

from ..errors import InvalidArgumentError
from ..models.usage import RateLimitMetric, RateLimits

__all__ = ["Budget", "Pacer", "PacingSettings"]

_FIRST_LOOK_GAP = 0.01
"""How long after a window's announced end the counters are read again, in seconds."""
_MIN_LOOK_GAP = 0.05
"""The shortest time between two looks that find a window not yet renewed."""
_ENDS_NOW = 0.005
"""A ``resets_in_seconds`` this short says the window ends now (and may be rounded down)."""


@dataclass(frozen=True)
class PacingSettings:
    """How a job paces itself.

    >>> PacingSettings(initial_concurrency=4, max_concurrency=2)
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: initial_concurrency must be a whole number from 1 \
to max_concurrency (2), not 4
    """

    initial_concurrency: int = 4
    """Requests in flight at the start."""
    max_concurrency: int = 64
    """The most requests in flight, whatever the signals say."""
    use_rate_limits: bool = True
    """Read the key's counters (``GET /v1/usage/rate-limits``) and keep within them."""
    share: float = 1.0
    """The part of each budget this job takes (``1/N`` for N processes on one key)."""
    expected_output_tokens: float = 256.0
    """The reply size assumed for the TPM estimate until replies say better."""

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_concurrency, bool)
            or not isinstance(self.max_concurrency, int)
            or not 1 <= self.max_concurrency <= 10_000
        ):
            raise InvalidArgumentError(
                f"max_concurrency must be a whole number from 1 to 10000, not "
                f"{self.max_concurrency!r}",
                param="max_concurrency",
            )
        if (
            isinstance(self.initial_concurrency, bool)
            or not isinstance(self.initial_concurrency, int)
            or not 1 <= self.initial_concurrency <= self.max_concurrency
        ):
            raise InvalidArgumentError(
                f"initial_concurrency must be a whole number from 1 to max_concurrency "
                f"({self.max_concurrency}), not {self.initial_concurrency!r}",
                param="initial_concurrency",
            )
        if not 0.0 < self.share <= 1.0:
            raise InvalidArgumentError(
                f"share must be above 0 and at most 1, not {self.share!r}", param="share"
            )


@dataclass
class Budget:
    """What is left of one limit in its current window, as the job reckons it."""

    limit: int
    used: float
    ends_at: float
    """When the window ends (monotonic seconds): after it, the budget needs a new look."""
    renewed: bool = True
    """False once the window has ended, until counters read after the end arrive."""

    def room(self) -> float:
        """What may still be spent in this window."""
        return self.limit - self.used


class Pacer:
    """Decides whether a request may go now, and learns from every outcome (see the
    module docs). One job, or one worker of a job spread over processes, has one.

    >>> pacer = Pacer(PacingSettings(initial_concurrency=2))
    >>> pacer.wait_before_send(now=0.0, in_flight=0, tokens=10)   # first: read the counters
    >>> pacer.wants_look(0.0)
    True
    >>> pacer.looking(0.0); pacer.looked(0.01, RateLimits.model_validate(
    ...     {"key": {"rpm": {"current": 9, "limit": 10, "resets_in_seconds": 30}}}))
    >>> pacer.wait_before_send(now=0.01, in_flight=0, tokens=10)
    0.0
    >>> pacer.sent(0.01, 10); round(pacer.wait_before_send(now=0.02, in_flight=1, tokens=10), 2)
    30.0
    """

    def __init__(self, settings: PacingSettings) -> None:
        self.settings = settings
        self.concurrency = float(settings.initial_concurrency)
        self.budgets: Dict[str, Budget] = {}
        self.rate_limited = 0
        """How many ``429`` answers the job has had."""
        self._slow_start = True
        self._paused_until = 0.0
        self._calm_after = 0.0
        """Before this time a failure does not shrink the concurrency again."""
        self._round_trip = 1.0
        self._look_wanted = settings.use_rate_limits
        self._look_in_flight = False
        self._look_at = 0.0
        self._look_gap = _MIN_LOOK_GAP
        self._rate_limits = settings.use_rate_limits
        self._sent_since_look = 0
        self._tokens_in_flight = 0.0
        self._output_tokens = settings.expected_output_tokens
        self._output_seen = 0

    # -- what may happen now --------------------------------------------------------------

    @property
    def window(self) -> int:
        """The most requests in flight at this moment."""
        return max(1, min(self.settings.max_concurrency, int(self.concurrency)))

    @property
    def expected_output_tokens(self) -> float:
        """The mean reply size so far (the setting until a reply has said)."""
        return self._output_tokens

    def wants_look(self, now: float) -> bool:
        """Whether the counters should be read now (and no look is under way)."""
        return (
            self._rate_limits
            and not self._look_in_flight
            and (self._look_wanted or self._expired(now))
            and now >= max(self._look_at, self._paused_until)
        )

    def next_look_at(self) -> Optional[float]:
        """When a look is due next, if one will be (for the driver's wait)."""
        if not self._rate_limits or self._look_in_flight:
            return None
        due = [b.ends_at + _FIRST_LOOK_GAP for b in self.budgets.values()]
        if self._look_wanted:
            due.append(self._look_at)
        return max(min(due), self._look_at, self._paused_until) if due else None

    def wait_before_send(self, now: float, in_flight: int, tokens: int) -> Optional[float]:
        """``0.0`` when a request of ``tokens`` may be sent now; else how long until the
        pause or window that holds it back ends (the driver waits that long or for an
        outcome, whichever comes first); ``None`` when only an outcome or a look can free
        it (the window of requests in flight is full, or the counters are being read)."""
        if in_flight >= self.window:
            return None
        if now < self._paused_until:
            return self._paused_until - now
        if self._rate_limits and (self._look_wanted or self._look_in_flight):
            return None  # the counters first: at the start, and after a pause or a reset
        waits = []
        for name, budget in self.budgets.items():
            if not budget.renewed or now >= budget.ends_at:
                budget.renewed = False
                return None  # a look renews it (wants_look says when)
            cost = float(tokens) if name == "tpm" else 1.0
            if budget.used + cost > budget.limit and not (name == "tpm" and budget.used <= 0):
                waits.append(budget.ends_at - now + _FIRST_LOOK_GAP)
        return max(waits) if waits else 0.0

    # -- what happened --------------------------------------------------------------------

    def sent(self, now: float, tokens: int) -> None:
        """A request of ``tokens`` (estimated) was sent at ``now``."""
        self._sent_since_look += 1
        self._tokens_in_flight += tokens
        for name, budget in self.budgets.items():
            budget.used += float(tokens) if name == "tpm" else 1.0

    def succeeded(
        self, now: float, estimate: int, used: Optional[int], output: Optional[int],
        in_flight: int, latency: float,
    ) -> None:  # fmt: skip
        """A request sent with ``estimate`` tokens got its reply, which reports ``used``
        tokens (``output`` of them the reply's), with ``in_flight`` requests still out."""
        self._tokens_in_flight = max(0.0, self._tokens_in_flight - estimate)
        tpm = self.budgets.get("tpm")
        if tpm is not None and used is not None:
            tpm.used += used - estimate
        if output is not None:
            self._output_seen += 1
            weight = 1.0 / min(self._output_seen, 100)
            self._output_tokens += (output - self._output_tokens) * weight
        self._round_trip += (max(latency, 0.001) - self._round_trip) * 0.2
        if in_flight + 1 >= self.window:  # the window held the job back: grow it
            step = 1.0 if self._slow_start else 1.0 / max(self.concurrency, 1.0)
            self.concurrency = min(float(self.settings.max_concurrency), self.concurrency + step)

    def failed(
        self, now: float, estimate: int, rate_limited: bool, retry_after: Optional[float]
    ) -> None:
        """A request sent with ``estimate`` tokens failed in a way worth retrying:
        ``rate_limited`` for a ``429``, with the ``Retry-After`` it named."""
        self._tokens_in_flight = max(0.0, self._tokens_in_flight - estimate)
        if rate_limited:
            self.rate_limited += 1
            pause = retry_after if retry_after is not None else 1.0
            self._paused_until = max(self._paused_until, now + pause)
            self._look_wanted = self._rate_limits
            self._look_gap = _MIN_LOOK_GAP
        if now >= self._calm_after:
            self._slow_start = False
            factor = 0.5 if rate_limited else 0.75
            self.concurrency = max(1.0, self.concurrency * factor)
            self._calm_after = now + self._round_trip
        self.concurrency = max(1.0, self.concurrency)

    def cancelled(self, estimate: int) -> None:
        """A request sent with ``estimate`` tokens ended without an answer worth learning
        from (it was not sent after all, or the job stopped)."""
        self._tokens_in_flight = max(0.0, self._tokens_in_flight - estimate)

    # -- the counters ---------------------------------------------------------------------

    def looking(self, now: float, in_flight: int = 0) -> None:
        """A look at the counters was sent at ``now``, with ``in_flight`` requests out (which
        may reach the gateway after the look: they are counted as not in its counters)."""
        self._look_in_flight = True
        self._look_wanted = False
        self._sent_since_look = in_flight

    def looked(self, now: float, limits: RateLimits) -> None:
        """The counters, as the look sent last returned them at ``now``.

        A counter counts the requests that reached the gateway; those the job sent after the
        look left, and those still in flight when it left, are added to it (for TPM, the
        estimates of every request in flight, which is on the safe side: a reply's tokens
        are counted when it is served).
        """
        self._look_in_flight = False
        scope = limits.key
        found: Dict[str, Budget] = {}
        for name in ("rpm", "tpm", "rpd"):
            metric: Optional[RateLimitMetric] = getattr(scope, name, None) if scope else None
            if metric is None or metric.limit is None or metric.limit <= 0:
                continue
            resets = float(metric.resets_in_seconds or 0.0)
            resets = resets if math.isfinite(resets) and resets >= 0 else 60.0
            limit = max(1, int(metric.limit * self.settings.share))
            room = (metric.limit - float(metric.current or 0)) * self.settings.share
            late = self._tokens_in_flight if name == "tpm" else float(self._sent_since_look)
            used = max(0.0, limit - room + late)
            found[name] = Budget(limit=limit, used=used, ends_at=now + resets)
        self.budgets = found
        if not found:
            self._look_gap = _MIN_LOOK_GAP
            return
        # A look at a window's very end may see the old window with ``resets_in_seconds``
        # rounded down to 0: the next look waits a little longer each time (up to 1 s) until
        # a look sees the new window. A look that names a later end is believed.
        if min(b.ends_at for b in found.values()) - now < _ENDS_NOW:
            self._look_at = now + self._look_gap
            self._look_gap = min(self._look_gap * 2, 1.0)
        else:
            self._look_gap = _MIN_LOOK_GAP

    def look_failed(self, now: float, status: int, retry_after: Optional[float]) -> None:
        """The look failed: ``404``/``403``/``401`` mean the counters are not to be had (the
        job goes on without them); a ``429`` is a full window (wait, then look again);
        anything else, look again a little later."""
        self._look_in_flight = False
        if status in (401, 403, 404, 405, 501):
            self._rate_limits = False
            self._look_wanted = False
            self.budgets = {}
            return
        if status == 429:
            self.rate_limited += 1
            self._paused_until = max(self._paused_until, now + (retry_after or 1.0))
        self._look_wanted = True
        self._look_at = now + max(self._look_gap, retry_after or 0.0)
        self._look_gap = min(self._look_gap * 2, 1.0)

    def _expired(self, now: float) -> bool:
        return any(
            not b.renewed or now >= b.ends_at + _FIRST_LOOK_GAP for b in self.budgets.values()
        )
