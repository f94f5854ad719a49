"""Fixtures for the gateway emulator's own tests.

The ``meshapi`` pytest plugin is registered here if neither its entry point (installed
package) nor a ``-p`` option already did, so these tests run with or without ``pip install``.
``anyio_backend`` runs every ``@pytest.mark.anyio`` test on asyncio and on trio.
"""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest

from meshapi.testing.pytest_plugin import GatewayFixture, ensure_registered

from ._helpers import bearer


def pytest_configure(config: pytest.Config) -> None:
    ensure_registered(config)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(meshapi_gateway: GatewayFixture) -> Iterator[httpx.Client]:
    """An httpx client on the emulator, authenticated with the data-plane key."""
    with httpx.Client(
        base_url=meshapi_gateway.base_url, headers=bearer(meshapi_gateway.token), timeout=10
    ) as http:
        yield http
