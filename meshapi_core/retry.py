"""When to try a call again, and how long to wait first.

A :class:`RetryPolicy` is a value: it looks at the error an attempt ended with and answers
either "give up" (``None``) or "wait this many seconds". It never sleeps and never reads a
clock; the :mod:`~meshapi_core.calls` machine adds the deadline, and the transport sleeps.

What is retried (``docs/gateway/errors.md`` §7):

- statuses 429, 502, 503, 504, except codes that waiting will not cure
  (``batch_limit_exceeded``) and 500, which the gateway uses for billable jobs that must not
  be resubmitted automatically (``provider_job_failed``);
- connection failures before any response arrived (refused, reset, DNS, TLS, timeouts while
  connecting or waiting for the status line).

Apart from those, and before them: a request that failed on a reused keep-alive connection the
server had closed, before any byte of a response
(:class:`~meshapi_core.errors.StaleConnectionError`), was answered by nobody. It is sent
again at once, once (:meth:`RetryPolicy.replays_at_once`), whatever ``max_retries`` says and
for streams too, which are otherwise never retried: the race between a server closing an idle
connection and a client picking it for the next request is not a failure of the call.

How long to wait: exponential backoff (``initial_backoff * 2**n``, capped at ``max_backoff``),
less a random share of up to ``jitter`` of it, so clients that failed together do not come back
together. When the server names a wait (``Retry-After``, ``retry-after-ms`` or the body's
``retry_after_seconds``), the wait is at least that: jitter never shortens it. A named wait
longer than ``max_retry_after`` is a refusal, not an invitation, and the error is raised at once.

For tests: :meth:`RetryPolicy.for_testing` makes the same decisions with every wait scaled to
zero (``wait_scale=0``), so a test of retries against the emulator takes no real time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, FrozenSet, Optional

from .errors import (
    APIConnectionError,
    APIStatusError,
    CertificateVerificationError,
    MeshAPIError,
    StaleConnectionError,
)

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    """Which failures to retry, how often, and how long to wait between attempts.

    >>> policy = RetryPolicy(max_retries=2, jitter=0.0)
    >>> from meshapi_core.errors import ServerError, RateLimitError
    >>> policy.delay_before_retry(0, ServerError("busy", status=503), random=lambda: 0.5)
    0.5
    >>> policy.delay_before_retry(1, RateLimitError("slow", status=429, retry_after_seconds=7.0),
    ...                           random=lambda: 0.5)
    7.0
    >>> policy.delay_before_retry(2, ServerError("busy", status=503), random=lambda: 0.5) is None
    True
    """

    max_retries: int = 3
    retry_statuses: FrozenSet[int] = frozenset({429, 502, 503, 504})
    never_retry_codes: FrozenSet[str] = frozenset({"batch_limit_exceeded", "provider_job_failed"})
    initial_backoff: float = 0.5
    max_backoff: float = 30.0
    jitter: float = 0.25
    max_retry_after: float = 120.0
    retry_connection_errors: bool = field(default=True)
    wait_scale: float = 1.0
    """Every wait is multiplied by this (after the decision to retry is made): ``0`` retries
    at once, which only tests should want."""
    replay_stale_connections: bool = True
    """Send a request again at once, once, when a reused connection the server had closed
    failed it before any byte of a response (:class:`~meshapi_core.errors.StaleConnectionError`):
    for streams too, and not counted in ``max_retries``."""

    @classmethod
    def for_testing(cls, max_retries: int = 3) -> RetryPolicy:
        """The default policy's decisions without its waits: what is retried, how often and
        when a named wait is a refusal stay the same, but every wait is zero, server-named
        ones included. For tests against the emulator; never for a real gateway, which
        asks for those waits.

        >>> from meshapi_core.errors import RateLimitError
        >>> RetryPolicy.for_testing().delay_before_retry(
        ...     0, RateLimitError("slow", status=429, retry_after_seconds=7), random=lambda: 0.5)
        0.0
        """
        return cls(max_retries=max_retries, wait_scale=0.0)

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise TypeError(f"max_retries must be an int, not {self.max_retries!r}")
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, not {self.max_retries}")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"jitter must be between 0 and 1, not {self.jitter}")
        if not (0.0 <= self.initial_backoff <= self.max_backoff):
            raise ValueError("backoff must satisfy 0 <= initial_backoff <= max_backoff")
        if not 0.0 <= self.wait_scale <= 1e6:
            raise ValueError(f"wait_scale must be 0 or more, not {self.wait_scale}")

    def is_retryable(self, error: MeshAPIError) -> bool:
        """Whether another attempt could succeed where this one failed with ``error``."""
        if isinstance(error, APIStatusError):
            return (
                error.status in self.retry_statuses
                and error.error_code not in self.never_retry_codes
            )
        if isinstance(error, CertificateVerificationError):
            return False  # the next attempt meets the same certificate
        if isinstance(error, APIConnectionError):
            return self.retry_connection_errors and not error.response_started
        return False

    def replays_at_once(self, error: MeshAPIError, replays: int) -> bool:
        """Whether a call that failed with ``error``, and was already replayed ``replays``
        times this way, is sent again at once (see the module docs).

        >>> from meshapi_core.errors import StaleConnectionError, APIConnectionError
        >>> RetryPolicy(max_retries=0).replays_at_once(StaleConnectionError("closed"), 0)
        True
        >>> RetryPolicy().replays_at_once(StaleConnectionError("closed"), 1)
        False
        >>> RetryPolicy().replays_at_once(APIConnectionError("reset"), 0)
        False
        """
        return (
            self.replay_stale_connections
            and replays == 0
            and isinstance(error, StaleConnectionError)
        )

    def backoff(self, retry_number: int, random: Callable[[], float]) -> float:
        """The wait before retry ``retry_number`` (0 for the first), jitter included."""
        base = min(self.max_backoff, self.initial_backoff * (2.0 ** min(retry_number, 62)))
        return base * (1.0 - self.jitter * random())

    def delay_before_retry(
        self, retry_number: int, error: MeshAPIError, *, random: Callable[[], float]
    ) -> Optional[float]:
        """Seconds to wait before retry ``retry_number`` after ``error``, or ``None`` to stop."""
        if retry_number >= self.max_retries or not self.is_retryable(error):
            return None
        asked = error.retry_after_seconds
        if asked is not None and asked > self.max_retry_after:
            return None
        wait = self.backoff(retry_number, random)
        wait = wait if asked is None else float(max(wait, asked))
        return wait * self.wait_scale if self.wait_scale != 1.0 else wait
