"""Make the emulator's pytest plugin available whether or not the SDK is installed."""

from __future__ import annotations

import pytest

from meshapi.testing.pytest_plugin import ensure_registered


def pytest_configure(config: pytest.Config) -> None:
    ensure_registered(config)
