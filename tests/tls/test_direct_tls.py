"""The client the httpx transports make (sent to directly, see ``meshapi_httpx/_direct.py``)
has the TLS ``httpx.Client(verify=...)`` would have for the same setting: the same verify
mode, host name check, options, protocol bounds, CA certificates, and ALPN on the wire."""

from __future__ import annotations

import contextlib
import ssl
import threading
import warnings
from typing import Any, Callable, Dict, Iterator, List, Optional

import httpx
import pytest
import trustme

from meshapi import AsyncMeshAPI, MeshAPI, MeshAPIError
from meshapi_httpx import AsyncHttpxTransport, HttpxTransport

from .conftest import server_context


def facts(context: ssl.SSLContext) -> Dict[str, Any]:
    return {
        "verify_mode": context.verify_mode,
        "check_hostname": context.check_hostname,
        "options": context.options,
        "minimum_version": context.minimum_version,
        "maximum_version": context.maximum_version,
        "protocol": context.protocol,
        "ca_certs": sorted(str(c) for c in context.get_ca_certs()),
        "cert_store_stats": context.cert_store_stats(),
        "post_handshake_auth": context.post_handshake_auth,
        "verify_flags": context.verify_flags,
    }


def pool_context(transport: Any) -> ssl.SSLContext:
    pool = transport._pool
    context = getattr(pool, "_inner", pool)._ssl_context  # the async stack pool wraps httpcore's
    assert isinstance(context, ssl.SSLContext)
    return context


def httpx_would(verify: Any) -> ssl.SSLContext:
    """The context ``httpx.Client(verify=verify)`` builds (a path is deprecated there)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client = httpx.Client(verify=verify)
    client.close()
    return pool_context(client._transport)


def ours(make: Callable[..., Any], verify: Any) -> ssl.SSLContext:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = make(base_url="https://127.0.0.1", token="rsk_x", verify=verify)
    direct = client._transport._direct
    assert direct is not None  # no proxy in the environment: the direct road
    return pool_context(direct.transport)


SETTINGS = ["default", "SSL_CERT_FILE", "SSL_CERT_DIR", "ca file", "ca dir", "context", "off"]


@pytest.fixture
def verify_for(
    ca: trustme.CA, ca_file: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], Any]:
    def make(setting: str) -> Any:
        if setting == "SSL_CERT_FILE":
            monkeypatch.setenv("SSL_CERT_FILE", ca_file)
        if setting == "SSL_CERT_DIR":
            monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
        if setting == "ca file":
            return ca_file
        if setting == "ca dir":
            return str(tmp_path)
        if setting == "context":
            context = ssl.create_default_context()
            ca.configure_trust(context)
            return context
        return setting != "off"

    return make


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("make", [MeshAPI, AsyncMeshAPI], ids=["sync", "async"])
def test_the_direct_road_has_httpxs_tls_for_the_same_setting(
    setting: str, make: Callable[..., Any], verify_for: Callable[[str], Any]
) -> None:
    verify = verify_for(setting)
    mine, theirs = ours(make, verify), httpx_would(verify)
    assert facts(mine) == facts(theirs)
    if setting == "context":
        assert mine is verify is theirs
    if setting in ("ca file", "SSL_CERT_FILE"):
        assert len(facts(mine)["ca_certs"]) == 1  # the test's CA alone, as httpx loads it


def test_a_transport_made_directly_has_httpxs_default_tls() -> None:
    for transport in (HttpxTransport(), AsyncHttpxTransport()):
        direct = transport._direct
        assert direct is not None
        assert facts(pool_context(direct.transport)) == facts(httpx_would(True))


@pytest.fixture(scope="module")
def alpn_server(ca: trustme.CA) -> Iterator[Any]:
    """A TLS server offering h2 and http/1.1 that records what ALPN chose per connection."""
    import socket

    context = server_context(ca.issue_cert("127.0.0.1"))
    context.set_alpn_protocols(["h2", "http/1.1"])
    listener = socket.create_server(("127.0.0.1", 0))
    chosen: List[Optional[str]] = []

    def serve() -> None:
        while True:
            try:
                sock, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(sock, server_side=True) as tls:
                    chosen.append(tls.selected_alpn_protocol())
                    data = b""
                    while b"\r\n\r\n" not in data:
                        data += tls.recv(65536)
                    tls.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
                    )
            except (OSError, ssl.SSLError):
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], chosen
    with contextlib.suppress(OSError):
        listener.shutdown(socket.SHUT_RDWR)  # wakes the accept()
    listener.close()
    thread.join(5)


def test_alpn_on_the_wire_is_httpxs(alpn_server: Any, ca_file: str) -> None:
    port, chosen = alpn_server
    url = f"https://127.0.0.1:{port}/v1/models"
    client = MeshAPI(base_url=f"https://127.0.0.1:{port}", token="rsk_x", verify=ca_file)
    with client, contextlib.suppress(MeshAPIError):  # the reply is no model list: no matter
        client.models.list()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with httpx.Client(verify=ca_file) as plain:
            plain.get(url)
    assert len(chosen) == 2 and chosen[0] == chosen[1] == "http/1.1"
