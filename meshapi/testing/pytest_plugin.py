"""The ``meshapi`` pytest plugin: a running gateway emulator per test.

Fixtures (``docs/testing.md``, "In a test, with pytest", shows them at work):
``meshapi_gateway`` (a fresh :class:`~meshapi.testing.GatewayServer` per test, as a
:class:`GatewayFixture`), ``meshapi_gateway_options`` (override it to pass ``Gateway``
keywords, plus ``"server"``: ``GatewayServer`` keywords, and ``"backend"``),
``meshapi_in_process``, ``meshapi_client`` and ``meshapi_async_client`` (clients of
``meshapi_gateway`` that retry without waiting:
:meth:`RetryPolicy.for_testing() <meshapi_core.retry.RetryPolicy.for_testing>`).

Enabling it: installed packages register it through the ``pytest11`` entry point. Without an
install (``PYTHONPATH`` runs), register it from the top-level ``conftest.py`` with
:func:`ensure_registered`, which is harmless when the entry point already did it (listing it
in ``pytest_plugins`` as well as installing it would register it twice, which pytest refuses)::

    # tests/conftest.py
    from meshapi.testing.pytest_plugin import ensure_registered

    def pytest_configure(config):
        ensure_registered(config)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterator

import pytest

from meshapi_core.retry import RetryPolicy

from ._gateway.dispatcher import Gateway
from ._servers.http import GatewayServer
from ._servers.inprocess import InProcessTransport

if TYPE_CHECKING:
    from meshapi import AsyncMeshAPI, MeshAPI

__all__ = [
    "GatewayFixture",
    "ensure_registered",
    "meshapi_async_client",
    "meshapi_client",
    "meshapi_gateway",
    "meshapi_gateway_options",
    "meshapi_in_process",
]

PLUGIN_NAMES = ("meshapi", "meshapi.testing.pytest_plugin")
"""Names this plugin is registered under: the entry point's, or the module's."""


def ensure_registered(config: pytest.Config) -> None:
    """Register this plugin unless the entry point (or ``-p``) already did."""
    manager = config.pluginmanager
    if not any(manager.has_plugin(name) for name in PLUGIN_NAMES):
        manager.import_plugin(__name__)


@dataclass
class GatewayFixture:
    """What ``meshapi_gateway`` yields: a running emulator and its credentials."""

    gateway: Gateway
    server: GatewayServer
    base_url: str

    @property
    def token(self) -> str:
        """The active data-plane key."""
        return self.gateway.token

    @property
    def admin_token(self) -> str:
        """The admin key."""
        return self.gateway.admin_token

    @property
    def jwt(self) -> str:
        """A dashboard session token."""
        return self.gateway.jwt

    @property
    def suspended_token(self) -> str:
        """A suspended data-plane key."""
        return self.gateway.suspended_token

    def url(self, path: str) -> str:
        """``base_url`` joined with ``path`` (e.g. ``"/v1/models"``)."""
        return self.base_url + (path if path.startswith("/") else "/" + path)


@pytest.fixture
def meshapi_gateway_options() -> Dict[str, Any]:
    """Options for ``meshapi_gateway``; override this fixture to change them."""
    return {}


@pytest.fixture
def meshapi_gateway(meshapi_gateway_options: Dict[str, Any]) -> Iterator[GatewayFixture]:
    """A gateway emulator listening on 127.0.0.1 for the duration of one test."""
    options = dict(meshapi_gateway_options)
    server_options = dict(options.pop("server", {}))
    backend = options.pop("backend", "asyncio")
    gateway = Gateway(**options)
    server = GatewayServer(gateway, **server_options)
    with server.run_in_thread(backend) as base_url:
        yield GatewayFixture(gateway, server, base_url)


@pytest.fixture
def meshapi_in_process() -> Iterator[InProcessTransport]:
    """An in-process transport on a fresh gateway (``transport.gateway``)."""
    transport = InProcessTransport(Gateway())
    yield transport
    transport.close()


@pytest.fixture
def meshapi_client(meshapi_gateway: GatewayFixture) -> Iterator[MeshAPI]:
    """A blocking client of ``meshapi_gateway`` that retries without waiting."""
    from meshapi import MeshAPI

    with MeshAPI(
        base_url=meshapi_gateway.base_url,
        token=meshapi_gateway.token,
        retry=RetryPolicy.for_testing(),
    ) as client:
        yield client


@pytest.fixture
def meshapi_async_client(meshapi_gateway: GatewayFixture) -> AsyncMeshAPI:
    """An async client of ``meshapi_gateway`` that retries without waiting; it keeps no idle
    connection, so nothing is left open when the test's event loop ends."""
    import httpx

    from meshapi import AsyncMeshAPI

    return AsyncMeshAPI(
        base_url=meshapi_gateway.base_url,
        token=meshapi_gateway.token,
        retry=RetryPolicy.for_testing(),
        httpx_client=httpx.AsyncClient(
            follow_redirects=False, limits=httpx.Limits(max_keepalive_connections=0)
        ),
    )
