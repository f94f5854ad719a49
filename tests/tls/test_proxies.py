"""``HTTPS_PROXY`` on every transport, for REST calls, streams and realtime sessions: one
``CONNECT`` tunnel per connection, TLS end to end through it (the proxy never sees the
token), ``NO_PROXY`` honoured, the proxy's own credentials sent to the proxy only."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import anyio
import httpx
import pytest

from meshapi import APIConnectionError
from meshapi.testing.pytest_plugin import GatewayFixture
from meshapi_core.proxies import ProxyRules
from tests.hostile.conftest import SOCKET_KINDS, Api, run

from ._servers import ConnectProxy, TLSFront
from .conftest import session_opens

TLSGateway = Tuple[GatewayFixture, TLSFront]


async def everything(api: Api) -> Tuple[str, int, str]:
    created = await api.create()
    chunks = await api.chunks()
    return created.object, len(chunks), await session_opens(api)


@pytest.mark.parametrize("kind", SOCKET_KINDS)
def test_https_proxy_tunnels_rest_streams_and_sessions_and_never_sees_the_token(
    kind: str, tls_gateway: TLSGateway, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw, front = tls_gateway
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url())
        got = run(kind, front.url, everything, token=gw.token, verify=ca_file)
    assert got[0] == "chat.completion" and got[1] > 1 and got[2] == "session.created"
    target = f"127.0.0.1:{front.port}"
    # REST (its connection reused or not) and the session's own connection: all tunnelled.
    assert len(proxy.targets) >= 2 and set(proxy.targets) == {target}
    assert front.handshakes == len(proxy.targets)  # nothing reached the gateway around it
    assert not proxy.saw(gw.token)
    assert b"chat.completion" not in proxy.to_client  # replies went by encrypted too
    assert all("authorization" not in head.lower() for head in proxy.heads)


@pytest.mark.parametrize("kind", SOCKET_KINDS)
def test_no_proxy_sends_the_host_around_the_proxy(
    kind: str, tls_gateway: TLSGateway, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw, front = tls_gateway
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url())
        monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
        got = run(kind, front.url, everything, token=gw.token, verify=ca_file)
    assert got[2] == "session.created"
    assert proxy.accepted == 0 and front.handshakes >= 2


@pytest.mark.parametrize("kind", SOCKET_KINDS)
def test_the_proxys_credentials_go_to_the_proxy_and_a_refusal_is_a_connection_error(
    kind: str, tls_gateway: TLSGateway, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw, front = tls_gateway

    async def scenario(api: Api) -> Tuple[str, str]:
        return (await api.create()).object, await session_opens(api)

    async def refused(api: Api) -> Tuple[Optional[Exception], Optional[Exception]]:
        errors: Dict[str, Optional[Exception]] = {"rest": None, "session": None}
        for name, attempt in (("rest", api.create), ("session", lambda: session_opens(api))):
            try:
                await attempt()
            except APIConnectionError as error:
                errors[name] = error
        return errors["rest"], errors["session"]

    with ConnectProxy(credentials="proxyuser:pr0xy pass") as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url("proxyuser:pr0xy%20pass"))
        assert run(kind, front.url, scenario, token=gw.token, verify=ca_file) == (
            "chat.completion",
            "session.created",
        )
        monkeypatch.setenv("HTTPS_PROXY", proxy.url("proxyuser:wrong"))
        rest, session = run(kind, front.url, refused, token=gw.token, verify=ca_file)
    assert all("proxy-authorization: basic" in head.lower() for head in proxy.heads)
    assert not proxy.saw(gw.token)
    assert isinstance(rest, APIConnectionError) and isinstance(session, APIConnectionError)
    assert "407" in session.message and "pr0xy" not in session.message + rest.message
    assert "wrong" not in session.message + rest.message


def httpx_decides(url: str, environment: Dict[str, str], monkeypatch: Any) -> Optional[str]:
    """The proxy httpx would send ``url`` through, in this environment."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    client = httpx.Client()
    try:
        transport = client._transport_for_url(httpx.URL(url))
        pool = getattr(transport, "_pool", None)
        proxy = getattr(pool, "_proxy_url", None)
        if proxy is None:
            return None
        return f"{proxy.scheme.decode()}://{proxy.host.decode()}:{proxy.port}"
    finally:
        client.close()
        for name in environment:
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("environment", "url"),
    [
        ({"HTTPS_PROXY": "http://p:3128"}, "https://api.meshapi.ai/v1"),
        ({"HTTPS_PROXY": "p:3128"}, "https://api.meshapi.ai/v1"),
        ({"HTTP_PROXY": "http://p:3128"}, "https://api.meshapi.ai/v1"),
        ({"HTTP_PROXY": "http://p:3128"}, "http://127.0.0.1:8080/v1"),
        ({"ALL_PROXY": "http://p:3128"}, "https://api.meshapi.ai/v1"),
        ({"ALL_PROXY": "http://a:1", "HTTPS_PROXY": "http://b:2"}, "https://x.example/v1"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "meshapi.ai"}, "https://api.meshapi.ai"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "meshapi.ai"}, "https://meshapi.ai"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "meshapi.ai"}, "https://xmeshapi.ai"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": ".meshapi.ai"}, "https://meshapi.ai"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": ".meshapi.ai"}, "https://a.meshapi.ai"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "*"}, "https://api.meshapi.ai"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "10.0.0.1"}, "https://10.0.0.1:8443"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "10.0.0.1"}, "https://10.0.0.2"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "::1"}, "https://[::1]:8443"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "localhost"}, "https://localhost:9"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "a.example, b.example"}, "https://b.example"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "https://a.example"}, "https://a.example"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "http://a.example"}, "https://a.example"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "a.example:8443"}, "https://a.example:8443"),
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "a.example:8443"}, "https://a.example"),
        ({"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"}, "https://a.example"),
    ],
)
def test_the_proxy_rules_choose_what_httpx_chooses(
    environment: Dict[str, str], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from urllib.request import getproxies

    expected = httpx_decides(url, environment, monkeypatch)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    route = ProxyRules.of(getproxies()).route(url)
    assert (None if route is None else route.url) == expected
    websocket = url.replace("https://", "wss://").replace("http://", "ws://")
    assert ProxyRules.of(getproxies()).route(websocket) == route


@pytest.mark.parametrize("kind", SOCKET_KINDS)
def test_a_proxy_that_never_answers_connect_costs_a_session_its_connect_timeout(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from meshapi import APITimeoutError, Timeout
    from tests.hostile._server import Conn, RawServer, Seen

    def silent(seen: Seen, conn: Conn) -> bool:
        conn.until_client_closes()
        return False

    async def scenario(api: Api) -> Tuple[Optional[Exception], float]:
        started = anyio.current_time()
        try:
            await session_opens(api)
        except APITimeoutError as error:
            return error, anyio.current_time() - started
        return None, 0.0  # pragma: no cover - the failure this test looks for

    with RawServer(silent) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        error, waited = run(
            kind, "https://gateway.example", scenario, token="rsk_x", timeout=Timeout(connect=0.3)
        )
        assert isinstance(error, APITimeoutError) and waited < 2.0
        assert [seen.method for seen in proxy.seen] == ["CONNECT"]
        assert proxy.seen[0].target == "gateway.example:443"
