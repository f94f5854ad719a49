"""The real world, as the core wants it injected: clocks, randomness, idempotency keys."""

from __future__ import annotations

import os
import random
import time

from meshapi_core.calls import Runtime

__all__ = ["SYSTEM_RUNTIME"]

SYSTEM_RUNTIME = Runtime(
    clock=time.monotonic,
    wall_clock=time.time,
    random=random.random,
    new_idempotency_key=lambda: os.urandom(16).hex(),
)
"""The monotonic clock, the wall clock, ``random.random`` and 128-bit random keys."""
