"""Waiting for a long-running job: when to ask again, and when to give up.

A video task (spec API section 7) runs for seconds to minutes; ``videos.wait(task)`` asks for
it again and again until it is terminal. The decisions are made here, as a small machine the
engine drives the way it drives a :class:`~meshapi_core.calls.Call`::

    poll = Poll(policy, clock)
    while True:
        task = fetch(deadline=poll.time_left())
        action = poll.after(is_done(task), describe(task))
        if isinstance(action, Done): return task
        if isinstance(action, Sleep): sleep(action.seconds)
        else: raise action.error

The interval starts at ``initial_interval`` and grows by ``multiplier`` up to
``max_interval``; a wait never runs past the deadline (the last one is shortened to end on
it), and once the deadline has passed the wait fails with
:class:`~meshapi_core.errors.APITimeoutError`, naming what was waited for and its last state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Union

from .calls import Done, Fail, Sleep
from .errors import APITimeoutError, InvalidArgumentError

__all__ = ["Poll", "PollPolicy"]


@dataclass(frozen=True)
class PollPolicy:
    """How often to ask, and for how long (seconds).

    >>> PollPolicy().interval(0), PollPolicy().interval(1), PollPolicy().interval(20)
    (2.0, 3.0, 15.0)
    """

    initial_interval: float = 2.0
    multiplier: float = 1.5
    max_interval: float = 15.0
    deadline: float = 900.0

    def __post_init__(self) -> None:
        for name in ("initial_interval", "max_interval", "deadline"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise InvalidArgumentError(
                    f"{name} must be a positive number of seconds, not {value!r}", param=name
                )
        if isinstance(self.multiplier, bool) or not self.multiplier >= 1:
            raise InvalidArgumentError(
                f"multiplier must be 1 or more, not {self.multiplier!r}", param="multiplier"
            )

    def interval(self, polls: int) -> float:
        """The wait after poll number ``polls`` (0 for the first)."""
        return float(
            min(self.max_interval, self.initial_interval * self.multiplier ** min(polls, 64))
        )


class Poll:
    """One wait: polls counted, the deadline watched; see the module docs.

    >>> now = [0.0]
    >>> poll = Poll(PollPolicy(deadline=5.0), lambda: now[0], what="task vt_1")
    >>> poll.after(False, "queued")
    Sleep(seconds=2.0)
    >>> now[0] = 4.0
    >>> poll.after(False, "running")
    Sleep(seconds=1.0)
    >>> now[0] = 5.0
    >>> poll.after(False, "running").error.message
    'Gave up waiting for task vt_1 after 5 s (deadline 5 s); its last status was running'
    >>> poll.after(True, "succeeded")
    Done(value=None)
    """

    def __init__(self, policy: PollPolicy, clock: Callable[[], float], *, what: str) -> None:
        self._policy = policy
        self._clock = clock
        self._what = what
        self._started = clock()
        self._polls = 0

    @property
    def polls(self) -> int:
        """How many answers have been reported."""
        return self._polls

    def time_left(self) -> float:
        """Seconds before the deadline (never negative)."""
        return max(0.0, self._started + self._policy.deadline - self._clock())

    def after(self, done: bool, state: Optional[str] = None) -> Union[Done[None], Sleep, Fail]:
        """What to do after an answer: stop (``done``), wait, or give up past the deadline.
        ``state`` describes the answer, for the error."""
        self._polls += 1
        if done:
            return Done(None)
        left = self.time_left()
        if left <= 0:
            waited = self._clock() - self._started
            last = f"; its last status was {state}" if state else ""
            return Fail(
                APITimeoutError(
                    f"Gave up waiting for {self._what} after {waited:.3g} s "
                    f"(deadline {self._policy.deadline:g} s){last}"
                )
            )
        return Sleep(min(self._policy.interval(self._polls - 1), left))
