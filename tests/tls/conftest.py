"""TLS, proxies and HTTP/2, end to end, on every transport.

Certificates come from trustme CAs made per test session; :class:`~tests.tls._servers.TLSFront`
puts the emulator behind TLS (``https://`` and ``wss://``); the environment's proxy and
certificate variables are cleared for every test, so each one sets what it means.
"""

from __future__ import annotations

import datetime
import inspect
import ssl
from pathlib import Path
from typing import Any, Iterator, Tuple

import pytest
import trustme

from meshapi.testing.pytest_plugin import GatewayFixture
from tests.hostile.conftest import Api

from ._servers import TLSFront

MODEL = "openai/gpt-realtime"
ENVIRONMENT = [
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
    "REQUEST_METHOD",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


CERTS = {
    "good": lambda ca: ca.issue_cert("127.0.0.1", "localhost"),
    "hostname_mismatch": lambda ca: ca.issue_cert("gateway.example"),
    "expired": lambda ca: ca.issue_cert(
        "127.0.0.1",
        not_before=datetime.datetime(2001, 1, 1),
        not_after=datetime.datetime(2002, 1, 1),
    ),
}


@pytest.fixture(scope="session")
def server_contexts(ca: trustme.CA) -> dict[str, ssl.SSLContext]:
    return {name: server_context(make(ca)) for name, make in CERTS.items()}


@pytest.fixture
def tls_gateway(
    meshapi_gateway: GatewayFixture, server_contexts: dict[str, ssl.SSLContext]
) -> Iterator[Tuple[GatewayFixture, TLSFront]]:
    """The emulator behind TLS with a certificate for 127.0.0.1 from ``ca``."""
    with TLSFront(server_contexts["good"], ("127.0.0.1", meshapi_gateway.server.port)) as front:
        yield meshapi_gateway, front


async def session_opens(api: Api) -> str:
    """Open a realtime session, read its first message, close it; the message's type."""
    opened: Any = api.client.realtime.connect(model=MODEL)
    if inspect.isawaitable(opened):
        opened = await opened
    first = opened.receive()
    if inspect.isawaitable(first):
        first = await first
    closing = opened.close()
    if inspect.isawaitable(closing):
        await closing
    return str(first.type)


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)
