"""Waiting for a job to finish: when to look again, and when to stop looking.

Theory of operation. Some work the gateway does takes minutes or hours (a batch); the
caller asks for its state again and again until it stops changing. A :class:`Poll` makes
every decision of that loop, in the style of the :mod:`~meshapi_core.calls` machine; the
driver only fetches and sleeps::

    action = poll.next_action()   # Fetch(time_left) | Sleep(seconds) | Done(value) | Fail(error)
    value = <one call of the job's GET, within action.time_left>
    poll.receive(value)           # the machine decides: done, or wait and look again

The first look is at once. After a look that finds the job unfinished, the wait before the
next look grows geometrically from :attr:`PollPolicy.interval` to
:attr:`PollPolicy.max_interval`, less a random share of up to :attr:`PollPolicy.jitter`,
and never below :data:`MIN_POLL_INTERVAL` (one second): the SDK never polls faster than
that, whatever it is asked.

The whole wait is bounded by the call's deadline (``deadline=``, else the client's), or
without one by :attr:`PollPolicy.max_wait` (25 hours: a batch's 24-hour completion window and
an hour more, after which the gateway has marked it ``expired``). Each look is given the time
that is left as its own deadline, and a wait that would end past the deadline is not begun:
the poll fails with :class:`PollTimeoutError` at once, carrying the last state it saw.

A wait ends early on a state it cannot wait on: a status outside the set the gateway
documents for the job (:attr:`Waiter.running` and :attr:`Waiter.finished`), such as
``"bogus"``, ``"COMPLETED"``, ``""`` or none at all, is an :class:`UnknownStatusError` at
once, naming the status, rather than a wait until the deadline (25 hours without one) for a
status that may never come.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, FrozenSet, Generic, Optional, TypeVar, Union, cast

from .calls import Done, Fail, Runtime, Sleep
from .endpoint import Endpoint
from .errors import (
    APITimeoutError,
    InvalidArgumentError,
    MeshAPIError,
    ResponseDecodeError,
    shorten,
)

__all__ = [
    "DEFAULT_MAX_WAIT",
    "MIN_POLL_INTERVAL",
    "Fetch",
    "Poll",
    "PollPolicy",
    "PollTimeoutError",
    "UnknownStatusError",
    "Waiter",
]

T = TypeVar("T")

MIN_POLL_INTERVAL = 1.0
"""The shortest wait between two looks at a job, in seconds."""
DEFAULT_MAX_WAIT = 25 * 3600.0
"""The bound on a wait without a deadline, in seconds: 25 hours."""


class PollTimeoutError(APITimeoutError):
    """The deadline of a wait passed before the job finished; ``last`` is the job's state
    at the last look (the job itself goes on)."""

    def __init__(self, message: str, *, last: object) -> None:
        super().__init__(message)
        self.last = last


class UnknownStatusError(ResponseDecodeError):
    """A job reported a status outside the set the gateway documents for it, so the wait
    stopped at once (``parse_error``); ``job_status`` is the status as received (``None``
    when there was none) and ``last`` the job's state at that look (the job itself goes on)."""

    def __init__(self, message: str, *, job_status: object, last: object) -> None:
        super().__init__(message, error_code="parse_error")
        self.job_status = job_status
        self.last = last


def _seconds(value: object, what: str, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= minimum:
        raise InvalidArgumentError(
            f"{what} must be a number of seconds of at least {minimum:g}, not {value!r}",
            param=what,
        )
    return float(value)


@dataclass(frozen=True)
class PollPolicy:
    """How often to look at a job: the first wait, its growth and cap, jitter, and the bound
    of a wait without a deadline.

    >>> policy = PollPolicy(interval=2.0, factor=2.0, max_interval=5.0, jitter=0.0)
    >>> [policy.delay(n, random=lambda: 0.5) for n in range(4)]
    [2.0, 4.0, 5.0, 5.0]
    >>> PollPolicy(interval=0.1)
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: poll_interval must be a number of seconds of at \
least 1, not 0.1
    """

    interval: float = 2.0
    max_interval: float = 60.0
    factor: float = 1.5
    jitter: float = 0.1
    max_wait: float = DEFAULT_MAX_WAIT

    def __post_init__(self) -> None:
        _seconds(self.interval, "poll_interval", MIN_POLL_INTERVAL)
        _seconds(self.max_interval, "max_poll_interval", self.interval)
        _seconds(self.factor, "factor", 1.0)
        _seconds(self.max_wait, "max_wait", 0.0)
        if not 0.0 <= self.jitter < 1.0:
            raise InvalidArgumentError(f"jitter must be in [0, 1), not {self.jitter!r}")

    @classmethod
    def create(
        cls, interval: Optional[float] = None, max_interval: Optional[float] = None
    ) -> PollPolicy:
        """The default policy with a method's ``poll_interval`` / ``max_poll_interval``
        applied (``None`` keeps the default; a cap below the first wait is raised to it)."""
        if interval is None and max_interval is None:
            return _DEFAULT
        first = _DEFAULT.interval if interval is None else interval
        first = _seconds(first, "poll_interval", MIN_POLL_INTERVAL)
        cap = max(first, _DEFAULT.max_interval) if max_interval is None else max_interval
        return cls(interval=first, max_interval=_seconds(cap, "max_poll_interval", first))

    def delay(self, look: int, *, random: Callable[[], float]) -> float:
        """The wait after unfinished look number ``look`` (0 for the first), jitter included,
        never below :data:`MIN_POLL_INTERVAL`."""
        base = min(self.max_interval, self.interval * self.factor ** min(look, 64))
        return max(MIN_POLL_INTERVAL, base * (1.0 - self.jitter * random()))


_DEFAULT = PollPolicy()


def _status_of(state: Any) -> object:
    return getattr(state, "status", None)


@dataclass(frozen=True)
class Waiter(Generic[T]):
    """What waiting for one kind of job is, declared next to its endpoints: the ``endpoint``
    that reads the job (its path names the job), the job's ``name`` in messages (``"Batch
    batch_1"``), and the statuses the gateway documents for it: ``running`` ones, after which
    the wait looks again, and ``finished`` ones, which end it. A state's status is read from
    its ``status`` attribute (``status_of`` to read it elsewhere).

    >>> from meshapi_core.endpoints.batches import BATCHES_WAIT
    >>> from meshapi_core.models.batches import Batch
    >>> BATCHES_WAIT.done(Batch(id="b_1", status="in_progress"))
    False
    >>> BATCHES_WAIT.done(Batch(id="b_1", status="COMPLETED"))
    Traceback (most recent call last):
    ...
    meshapi_core.polling.UnknownStatusError: Batch b_1 has status 'COMPLETED', which is none \
of the statuses the gateway documents for it (cancelled, completed, expired, failed, \
finalizing, in_progress, validating): stopping the wait instead of waiting for one of them \
(code parse_error)
    """

    endpoint: Endpoint[Any, T]
    """The endpoint that reads the job."""
    name: Callable[[T], str]
    """The job in a message: ``"Batch batch_1"``."""
    running: FrozenSet[str]
    """The statuses of a job still on its way: the wait looks again."""
    finished: FrozenSet[str]
    """The statuses a job never leaves: the wait ends with the job."""
    status_of: Callable[[T], object] = _status_of
    """How to read a state's status (its ``status`` attribute)."""

    def done(self, state: T) -> bool:
        """Whether ``state`` is final; an :class:`UnknownStatusError` if its status is none
        of the documented ones."""
        status = self.status_of(state)
        if isinstance(status, str):
            if status in self.finished:
                return True
            if status in self.running:
                return False
        shown = shorten(repr(status), 200)
        known = ", ".join(sorted(self.running | self.finished))
        raise UnknownStatusError(
            f"{self.name(state)} has status {shown}, which is none of the statuses the "
            f"gateway documents for it ({known}): stopping the wait instead of waiting for "
            "one of them",
            job_status=status,
            last=state,
        )

    def describe(self, state: T) -> str:
        """An unfinished ``state`` in words, for a timeout's message."""
        return f"{self.name(state)} is still {self.status_of(state)}"


@dataclass(frozen=True)
class Fetch:
    """Look at the job now: one call, with ``time_left`` seconds as its deadline."""

    time_left: float


PollAction = Union[Fetch, Sleep, Done[T], Fail]


class _FetchNext:
    """Marks that the next action is a look, to be built (with the time left) when asked."""


_FETCH_NEXT = _FetchNext()


class Poll(Generic[T]):
    """Drives one wait: looks, waits between them, and the final state or timeout.

    ``done`` says whether a state is final, or raises a
    :class:`~meshapi_core.errors.MeshAPIError` for a state that cannot be waited on (an
    unknown status): the poll then fails with it at once. ``describe`` words an unfinished
    state for the timeout's message (``"batch batch_1 is still in_progress"``). ``deadline``
    is seconds from now, or ``None`` for :attr:`PollPolicy.max_wait`.

    >>> from meshapi_core.calls import Runtime
    >>> now = [0.0]
    >>> runtime = Runtime(lambda: now[0], lambda: 0.0, lambda: 0.0, lambda: "k")
    >>> poll = Poll(lambda s: s == "done", PollPolicy(jitter=0.0), runtime, deadline=None)
    >>> poll.next_action()
    Fetch(time_left=90000.0)
    >>> poll.receive("running"); poll.next_action()
    Sleep(seconds=2.0)
    >>> now[0] += 2.0; poll.next_action()
    Fetch(time_left=89998.0)
    >>> poll.receive("done"); poll.next_action()
    Done(value='done')
    """

    def __init__(
        self,
        done: Callable[[T], bool],
        policy: PollPolicy,
        runtime: Runtime,
        *,
        deadline: Optional[float],
        describe: Callable[[T], str] = lambda state: f"The job is still {state!r}",
    ) -> None:
        self._done = done
        self._policy = policy
        self._runtime = runtime
        self._describe = describe
        self._started = runtime.clock()
        self._limit = policy.max_wait if deadline is None else deadline
        self._looks = 0
        self._last: Optional[T] = None
        self._next: Union[PollAction[T], _FetchNext, None] = _FETCH_NEXT

    @property
    def looks(self) -> int:
        """How many states have been received."""
        return self._looks

    def next_action(self) -> PollAction[T]:
        """What the driver must do now: once per received state (or after a Sleep)."""
        action = self._next
        if action is None:
            raise RuntimeError("Poll.next_action() called before the last Fetch was answered")
        if isinstance(action, _FetchNext):
            left = self._time_left()  # measured now, after any sleep
            action = Fetch(left) if left > 0 or not self._looks else self._timeout()
        self._next = _FETCH_NEXT if isinstance(action, Sleep) else None
        return action

    def receive(self, state: T) -> None:
        """Report the state the last :class:`Fetch` found."""
        if self._next is not None:
            raise RuntimeError("Poll.receive() called without a pending Fetch")
        self._looks += 1
        self._last = state
        try:
            done = self._done(state)
        except MeshAPIError as error:
            self._next = Fail(error)
            return
        if done:
            self._next = Done(state)
            return
        wait = self._policy.delay(self._looks - 1, random=self._runtime.random)
        self._next = Sleep(wait) if wait < self._time_left() else self._timeout()

    def _timeout(self) -> Fail:
        waited = self._runtime.clock() - self._started
        return Fail(
            PollTimeoutError(
                f"{self._describe(cast(T, self._last))} after {waited:.3g} s: another look would "
                f"pass the wait's limit of {self._limit:g} s",
                last=self._last,
            )
        )

    def _time_left(self) -> float:
        return self._started + self._limit - self._runtime.clock()
