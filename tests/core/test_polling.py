"""The poll machine: looks at once, backs off, never faster than the floor, never past the
deadline, and always ends."""

from __future__ import annotations

import doctest
from typing import List, Optional, Tuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meshapi_core import polling
from meshapi_core.calls import Done, Fail, Runtime, Sleep
from meshapi_core.errors import APITimeoutError, InvalidArgumentError
from meshapi_core.polling import (
    MIN_POLL_INTERVAL,
    Fetch,
    Poll,
    PollPolicy,
    PollTimeoutError,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def runtime(clock: Clock, random: float = 0.5) -> Runtime:
    return Runtime(clock, clock, lambda: random, lambda: "key")


def drive(
    poll: Poll[int], clock: Clock, states: List[int], look_cost: float = 0.0
) -> Tuple[object, List[Tuple[float, float]], List[float]]:
    """Run ``poll`` over ``states`` (the last repeats); the final action, the (time, time
    left) of every look, and every sleep."""
    looks: List[Tuple[float, float]] = []
    sleeps: List[float] = []
    while True:
        action = poll.next_action()
        if isinstance(action, Fetch):
            looks.append((clock.now, action.time_left))
            clock.now += look_cost
            poll.receive(states[min(len(looks) - 1, len(states) - 1)])
        elif isinstance(action, Sleep):
            sleeps.append(action.seconds)
            clock.now += action.seconds
        else:
            return action, looks, sleeps


def test_doctests() -> None:
    assert doctest.testmod(polling).failed == 0


def test_done_at_the_first_look_never_sleeps() -> None:
    clock = Clock()
    poll = Poll(lambda s: s == 1, PollPolicy(), runtime(clock), deadline=None)
    action, looks, sleeps = drive(poll, clock, [1])
    assert action == Done(1) and looks == [(100.0, polling.DEFAULT_MAX_WAIT)] and sleeps == []


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    clock = Clock()
    policy = PollPolicy(interval=2.0, factor=2.0, max_interval=10.0, jitter=0.2)
    poll = Poll(lambda s: s == 1, policy, runtime(clock, random=0.5), deadline=None)
    action, looks, sleeps = drive(poll, clock, [0, 0, 0, 0, 0, 1])
    assert action == Done(1)
    assert sleeps == pytest.approx([1.8, 3.6, 7.2, 9.0, 9.0])
    assert [t for t, _ in looks] == pytest.approx([100.0, 101.8, 105.4, 112.6, 121.6, 130.6])


def test_the_deadline_stops_the_wait_with_the_last_state() -> None:
    clock = Clock()
    poll = Poll(
        lambda s: s == 99,
        PollPolicy(interval=4.0, factor=1.0, jitter=0.0),
        runtime(clock),
        deadline=10.0,
        describe=lambda s: f"job at step {s}",
    )
    action, looks, sleeps = drive(poll, clock, [0, 1, 2, 3])
    assert isinstance(action, Fail) and isinstance(action.error, PollTimeoutError)
    assert isinstance(action.error, APITimeoutError) and action.error.error_code == "timeout"
    assert action.error.last == 2
    assert str(action.error).startswith("job at step 2 after 8 s")
    assert looks == [(100.0, 10.0), (104.0, 6.0), (108.0, 2.0)]
    assert sleeps == [4.0, 4.0]


def test_a_slow_look_that_eats_the_deadline_ends_the_wait() -> None:
    clock = Clock()
    poll = Poll(lambda s: False, PollPolicy(jitter=0.0), runtime(clock), deadline=5.0)
    action = poll.next_action()
    assert isinstance(action, Fetch)
    poll.receive(7)
    assert poll.next_action() == Sleep(2.0)
    clock.now += 5.5  # the sleep overran past the deadline
    action = poll.next_action()
    assert isinstance(action, Fail) and action.error.last == 7  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("interval", "max_interval", "param"),
    [
        (0.5, None, "poll_interval"),
        (0, None, "poll_interval"),
        (True, None, "poll_interval"),
        ("2", None, "poll_interval"),
        (5.0, 3.0, "max_poll_interval"),
        (None, 1.5, "max_poll_interval"),
    ],
)
def test_bad_intervals_are_refused(interval: object, max_interval: object, param: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        PollPolicy.create(interval, max_interval)  # type: ignore[arg-type]
    assert info.value.param == param


def test_create_keeps_defaults_and_raises_the_cap_to_the_first_wait() -> None:
    assert PollPolicy.create() == PollPolicy()
    assert PollPolicy.create(120.0).max_interval == 120.0
    assert PollPolicy.create(max_interval=5.0).interval == 2.0


def test_the_machine_refuses_to_be_driven_out_of_order() -> None:
    clock = Clock()
    poll = Poll(lambda s: False, PollPolicy(), runtime(clock), deadline=None)
    with pytest.raises(RuntimeError):
        poll.receive(0)
    poll.next_action()
    with pytest.raises(RuntimeError):
        poll.next_action()


@given(
    interval=st.floats(MIN_POLL_INTERVAL, 30.0),
    factor=st.floats(1.0, 3.0),
    jitter=st.floats(0.0, 0.99),
    random=st.floats(0.0, 0.999),
    deadline=st.one_of(st.none(), st.floats(0.5, 500.0)),
    look_cost=st.floats(0.0, 3.0),
    finish_at=st.one_of(st.none(), st.integers(0, 40)),
)
def test_never_faster_than_the_floor_never_past_the_deadline(
    interval: float,
    factor: float,
    jitter: float,
    random: float,
    deadline: Optional[float],
    look_cost: float,
    finish_at: Optional[int],
) -> None:
    clock = Clock()
    policy = PollPolicy(
        interval=interval, max_interval=interval * 4, factor=factor, jitter=jitter, max_wait=600.0
    )
    poll = Poll(lambda s: s == 1, policy, runtime(clock, random), deadline=deadline)
    states = [0] * 1000 if finish_at is None else [0] * finish_at + [1]
    action, looks, sleeps = drive(poll, clock, states, look_cost)
    limit = 100.0 + (600.0 if deadline is None else deadline)
    assert all(s >= MIN_POLL_INTERVAL for s in sleeps)
    assert all(t < limit and left > 0 for t, left in looks)
    assert all(abs(t + left - limit) < 1e-6 for t, left in looks)  # each look gets the rest
    if isinstance(action, Done):
        assert finish_at is not None and len(looks) == finish_at + 1
    else:
        assert isinstance(action, Fail) and isinstance(action.error, PollTimeoutError)
        assert action.error.last == 0
