"""Waiting for a job (``client.batches.wait(...)``): the loop that runs the core's
:class:`~meshapi_core.polling.Poll` machine.

Every decision (when to look again, how long to wait, when the deadline forbids another
look) is the core's; this loop looks (one call through the engine, retried as any call is,
within the time left) and sleeps through the transport, so a fake clock or another event
loop is honoured as it is for retries. This module is the source of
``meshapi/_sync/polling.py``.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, TypeVar

from meshapi_core.calls import Done, Sleep
from meshapi_core.config import split_options
from meshapi_core.polling import Fetch, Poll, PollPolicy, Waiter

from .engine import AsyncEngine

__all__ = ["wait_for"]

T = TypeVar("T")


async def wait_for(
    engine: AsyncEngine,
    waiter: Waiter[T],
    path: Mapping[str, Any],
    options: Mapping[str, Any],
    poll_interval: Optional[float] = None,
    max_poll_interval: Optional[float] = None,
) -> T:
    """Look at the job ``path`` names until ``waiter`` says it is done; its final state.

    ``options`` are the call's options (``deadline`` bounds the whole wait; the others apply
    to every look). Raises :class:`~meshapi_core.polling.PollTimeoutError` when the deadline
    comes first.
    """
    _, checked = split_options(options)
    policy = PollPolicy.create(poll_interval, max_poll_interval)
    deadline = checked.deadline if checked.deadline is not None else engine.config.deadline
    poll = Poll(waiter.done, policy, engine.runtime, deadline=deadline, describe=waiter.describe)
    while True:
        action = poll.next_action()
        if isinstance(action, Fetch):
            look = {**options, "deadline": action.time_left}
            poll.receive(await engine.run(engine.prepare(waiter.endpoint, None, look, path)))
        elif isinstance(action, Sleep):
            await engine.transport.sleep(action.seconds)
        elif isinstance(action, Done):
            return action.value
        else:
            raise action.error
