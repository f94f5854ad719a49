"""``GatewayServer(tls=True)``: https:// and wss:// with a certificate authority of its own,
its certificate in a file while the server listens, and clients that trust it (or do not)."""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any, Iterator, Tuple

import aiohttp
import anyio
import httpx
import pytest

import meshapi_aiohttp._websocket
from meshapi import APIConnectionError, AsyncMeshAPI, MeshAPI
from meshapi.testing import Gateway, GatewayServer

HI = [{"role": "user", "content": "over tls"}]


@pytest.fixture
def served() -> Iterator[Tuple[GatewayServer, str]]:
    server = GatewayServer(Gateway(), tls=True)
    with server.run_in_thread() as base_url:
        yield server, base_url


def test_https_with_a_ca_file_that_lives_with_the_server(tmp_path: Path) -> None:
    server = GatewayServer(Gateway(), tls=True)
    assert server.tls and server.ca_file is None  # written once listening
    with server.run_in_thread() as base_url:
        ca_file = server.ca_file
        assert base_url.startswith("https://127.0.0.1:") and ca_file is not None
        assert Path(ca_file).read_bytes() == server.ca_pem
        assert server.ca_pem.startswith(b"-----BEGIN CERTIFICATE-----")
        verify = ssl.create_default_context(cafile=ca_file)  # what SSL_CERT_FILE gives
        reply = httpx.get(base_url + "/v1/models", verify=verify,
                          headers={"Authorization": f"Bearer {server.gateway.token}"})  # fmt: skip
        assert reply.status_code == 200 and reply.http_version == "HTTP/1.1"
        assert server.gateway.last_request is not None
    assert not os.path.exists(ca_file)  # a temporary CA file goes with its server
    named = tmp_path / "ca.pem"
    kept = GatewayServer(Gateway(), tls=True, ca_file=str(named))
    with kept.run_in_thread():
        assert named.read_bytes() == kept.ca_pem
    assert named.exists()  # a file you named stays


def test_the_sdk_over_https_with_a_client_that_trusts_the_ca(
    served: Tuple[GatewayServer, str],
) -> None:
    server, base_url = served
    token = server.gateway.token
    with MeshAPI(base_url=base_url, token=token,
                 httpx_client=httpx.Client(verify=server.client_ssl_context())) as client:  # fmt: skip
        assert (
            client.chat.completions.create(model="mesh/echo", messages=HI)
            .choices[0]
            .message.content
            == "over tls"
        )
        with client.chat.completions.stream(model="mesh/echo", messages=HI) as stream:
            assert "".join(stream.text()) == "over tls"
        uploaded = client.rag.upload_file(b"hello over tls", file_name="a.txt",
                                          mime_type="text/plain")  # fmt: skip
        assert uploaded.file_id
    signed = [r for r in server.gateway.requests if r.path.startswith("/_uploads/")]
    assert signed and signed[0].status == 200  # the signed URL it handed back was https


def test_aiohttp_and_a_wss_session(
    served: Tuple[GatewayServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, base_url = served
    # REST goes through the session's connector; a session opens its own connection with
    # aiohttp's default context, which SSL_CERT_FILE sets for a process started with it
    # (made again here). A client setting for a CA is issue 21's.
    assert server.ca_file is not None
    monkeypatch.setenv("SSL_CERT_FILE", server.ca_file)
    monkeypatch.setattr(meshapi_aiohttp._websocket, "_SSL_CONTEXT", None)

    async def main() -> Any:
        connector = aiohttp.TCPConnector(ssl=server.client_ssl_context())
        async with aiohttp.ClientSession(connector=connector) as session:
            client = AsyncMeshAPI(base_url=base_url, token=server.gateway.token,
                                  aiohttp_session=session)  # fmt: skip
            reply = await client.chat.completions.create(model="mesh/echo", messages=HI)
            async with client.realtime.connect(model="openai/gpt-realtime-mini") as session_ws:
                created = await session_ws.receive()
            return reply.choices[0].message.content, created.type

    assert anyio.run(main) == ("over tls", "session.created")
    upgrade = next(r for r in server.gateway.requests if r.path == "/v1/realtime")
    assert upgrade.status == 101


def test_a_client_that_does_not_trust_it_gets_a_typed_error(
    served: Tuple[GatewayServer, str],
) -> None:
    server, base_url = served
    with MeshAPI(base_url=base_url, token=server.gateway.token, max_retries=0) as client, \
            pytest.raises(APIConnectionError):  # fmt: skip
        client.models.list()
    with pytest.raises(httpx.RemoteProtocolError):  # plain HTTP to a TLS port: refused
        httpx.get(base_url.replace("https://", "http://") + "/v1/models", timeout=5)
    assert server.gateway.requests == []  # neither got as far as a request
    trusted = httpx.get(base_url + "/v1/models", verify=server.client_ssl_context(),
                        headers={"Authorization": f"Bearer {server.gateway.token}"})  # fmt: skip
    assert trusted.status_code == 200  # the server is none the worse
    assert server.wait_for_closed_connections(2, timeout=5)


def test_tls_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="tls=True"):
        GatewayServer(Gateway(), ca_file="ca.pem")
    plain = GatewayServer(Gateway())
    assert not plain.tls and plain.ca_file is None
    with pytest.raises(RuntimeError):
        plain.client_ssl_context()
    with pytest.raises(RuntimeError):
        plain.ca_pem  # noqa: B018
