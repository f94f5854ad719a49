"""Shared test set-up: the emulator's pytest plugin, and the property-test budgets.

Property tests run a bounded number of examples by default, so the suite stays fast; the
``soak`` profile runs many more for a long fuzzing session::

    .venv/bin/python -m pytest --hypothesis-profile=soak --timeout=0 tests/core
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from meshapi.testing.pytest_plugin import ensure_registered

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("soak", max_examples=20_000, deadline=None)
settings.load_profile("default")


def pytest_configure(config: pytest.Config) -> None:
    ensure_registered(config)
