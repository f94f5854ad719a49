"""Shared test set-up: the emulator's pytest plugin, and the property-test budgets.

Property tests run a bounded number of examples by default, so the suite stays fast; the
``soak`` profile runs many more for a long fuzzing session::

    .venv/bin/python -m pytest --hypothesis-profile=soak --timeout=0 tests/core tests/fuzz

Coverage-guided fuzzing with atheris is opt-in: ``--fuzz-seconds=N`` runs each target of
``tests/fuzz`` for N seconds (see ``tests/fuzz/fuzz_main.py``). So are the browser tests of
the built documentation site: ``--browser`` (see ``tests/browser/conftest.py``).
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from meshapi.testing.pytest_plugin import ensure_registered

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("soak", max_examples=20_000, deadline=None)
settings.load_profile("default")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-seconds",
        type=int,
        default=0,
        help="run each atheris fuzzing target (tests/fuzz) for this many seconds",
    )
    parser.addoption(
        "--browser",
        action="store_true",
        help="run the browser tests of the built site (tests/browser: Chromium and playwright)",
    )


def pytest_configure(config: pytest.Config) -> None:
    ensure_registered(config)
    config.addinivalue_line("markers", "fuzz: an atheris fuzzing run (needs --fuzz-seconds)")
    config.addinivalue_line(
        "markers", "ray: needs the ray extra (a local Ray instance); .ci/run runs them apart"
    )
    config.addinivalue_line("markers", "browser: a browser test of the built site (needs --browser)")


@pytest.fixture
def fuzz_seconds(request: pytest.FixtureRequest) -> int:
    """How long each fuzzing target runs; tests that need it are skipped without it."""
    seconds = int(request.config.getoption("--fuzz-seconds"))
    if seconds <= 0:
        pytest.skip("fuzzing runs only with --fuzz-seconds=N")
    return seconds
