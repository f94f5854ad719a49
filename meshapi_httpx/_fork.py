"""Which process this is, as a number that changes in every child after ``os.fork()``.

A pool of connections made before a fork is shared by parent and child: both hold the same
sockets, and each would read the other's responses. A transport notes :data:`generation`
when it makes its pool and compares on every request (one module attribute read, no
``getpid`` call); a child sees a higher number and starts afresh.
"""

from __future__ import annotations

import os

__all__ = ["generation"]

generation = 0
"""Bumped in the child after every ``os.fork()`` (where the platform has fork)."""


def _forked() -> None:
    global generation
    generation += 1


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_forked)
