"""Helpers for core tests: a fake runtime whose clock moves only when told."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Iterator

import pytest

from meshapi_core.calls import Runtime


@dataclass
class FakeWorld:
    """A clock that only moves when a test (or a Sleep) moves it, and fixed jitter."""

    now: float = 1000.0
    jitter: float = 0.5
    keys: Iterator[int] = field(default_factory=itertools.count)

    def runtime(self) -> Runtime:
        return Runtime(
            clock=lambda: self.now,
            wall_clock=lambda: 1_700_000_000.0 + self.now,
            random=lambda: self.jitter,
            new_idempotency_key=lambda: f"key-{next(self.keys)}",
        )


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()
