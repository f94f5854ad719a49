"""The pure parts of TLS and proxies: a certificate failure found in any library's exception
chain, never retried; the proxy rules; the ``CONNECT`` tunnel as data in and out."""

from __future__ import annotations

import ssl
from typing import Optional

import pytest

from meshapi_core.errors import (
    APIConnectionError,
    CertificateVerificationError,
    certificate_failure,
    transport_failure,
)
from meshapi_core.proxies import NO_PROXIES, ProxyRoute, ProxyRules
from meshapi_core.retry import RetryPolicy
from meshapi_wsproto._protocol import MAX_TUNNEL_REPLY, Tunnel, endpoint_of


def verification_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] {message}")
    error.verify_code = code
    error.verify_message = message
    return error


def wrapped(inner: BaseException, depth: int) -> BaseException:
    """``inner`` raised from ``depth`` layers of library exceptions, as httpx chains them."""
    current = inner
    for level in range(depth):
        try:
            raise ConnectionError(f"layer {level}") from current
        except ConnectionError as exc:
            current = exc
    return current


@pytest.mark.parametrize(
    ("code", "message", "reason"),
    [
        (20, "unable to get local issuer certificate", "unknown_ca"),
        (18, "self-signed certificate", "unknown_ca"),
        (19, "self-signed certificate in certificate chain", "unknown_ca"),
        (62, "Hostname mismatch, certificate is not valid for 'a.example'.", "hostname_mismatch"),
        (64, "IP address mismatch, certificate is not valid for '127.0.0.1'.", "hostname_mismatch"),
        (10, "certificate has expired", "expired"),
        (9, "certificate is not yet valid", "not_yet_valid"),
        (23, "certificate revoked", "revoked"),
        (50, "application verification failure", "invalid"),
    ],
)
def test_a_verification_failure_anywhere_in_the_chain_is_named(
    code: int, message: str, reason: str
) -> None:
    for depth in (0, 1, 3):
        error = transport_failure(
            wrapped(verification_error(code, message), depth),
            timeout=False, response_started=False, host="api.meshapi.ai",
        )  # fmt: skip
        assert isinstance(error, CertificateVerificationError)
        assert (error.reason, error.host, error.verify_message) == (
            reason,
            "api.meshapi.ai",
            message,
        )
        assert error.message.startswith("TLS certificate verification failed for api.meshapi.ai")
        assert message in error.message and error.status == 0
        assert not RetryPolicy(max_retries=5).is_retryable(error)


def test_aiohttps_wrapper_keeps_the_error_in_an_attribute() -> None:
    class CertificateError(Exception):  # as aiohttp's ClientConnectorCertificateError
        def __init__(self, certificate_error: BaseException) -> None:
            super().__init__("Cannot connect")
            self.certificate_error = certificate_error

    found = certificate_failure(CertificateError(verification_error(10, "certificate has expired")))
    assert found is not None and found.reason == "expired" and found.host is None
    assert "the gateway" in found.message


def test_other_failures_are_not_certificate_errors() -> None:
    for cause in (
        OSError("refused"),
        ssl.SSLError(1, "WRONG_VERSION_NUMBER"),
        wrapped(OSError(), 2),
    ):
        error = transport_failure(cause, timeout=False, response_started=False, host="h")
        assert type(error) is APIConnectionError
    looped = ConnectionError("a")
    looped.__context__ = ConnectionError("b")
    looped.__context__.__context__ = looped  # a cycle ends the search, never hangs
    assert certificate_failure(looped) is None


def test_a_proxy_route_keeps_its_credentials_out_of_sight() -> None:
    route = ProxyRules.of({"https": "http://user:p%40ss@proxy.internal:3128"}).route(
        "https://api.meshapi.ai"
    )
    assert route == ProxyRoute("http", "proxy.internal", 3128, "Basic dXNlcjpwQHNz")
    assert route is not None and "p@ss" not in repr(route) + route.url
    assert "dXNlcjpwQHNz" not in repr(route)
    assert ProxyRules.of({}) is NO_PROXIES and not NO_PROXIES
    assert ProxyRules.of({"https": "http://p:1", "no": "*"}).route("https://a") is None
    assert ProxyRules.of({"https": "http://[::1]:8"}).route("wss://a/x") == ProxyRoute(
        "http", "::1", 8
    )


def tunnel(
    proxy: str = "http://127.0.0.1:3128", url: str = "wss://api.meshapi.ai/v1/realtime"
) -> Tunnel:
    route: Optional[ProxyRoute] = ProxyRules.of({"all": proxy}).route(url)
    assert route is not None
    return Tunnel(endpoint_of(url), route)


def test_the_tunnel_asks_for_the_sessions_host_and_reads_the_answer() -> None:
    t = tunnel("http://u:pw@127.0.0.1:3128")
    assert t.request() == (
        b"CONNECT api.meshapi.ai:443 HTTP/1.1\r\nHost: api.meshapi.ai:443\r\n"
        b"Proxy-Authorization: Basic dTpwdw==\r\n\r\n"
    )
    assert not t.receive(b"HTTP/1.1 200 Connection")
    assert t.receive(b" established\r\nVia: test\r\n\r\n")
    assert tunnel(url="ws://[::1]:8080/x").request().startswith(b"CONNECT [::1]:8080 HTTP/1.1")


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (
            b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n",
            "refused the tunnel to api.meshapi.ai:443: 407",
        ),
        (b"HTTP/1.0 403 Forbidden\r\n\r\n", "403 Forbidden"),
        (b"SSH-2.0-OpenSSH\r\n\r\n", "did not answer CONNECT in HTTP/1.1"),
        (b"HTTP/1.1 200 OK\r\n\r\nearly", "sent bytes after opening the tunnel"),
        (b"", "closed the connection before answering"),
    ],
)
def test_a_tunnel_refused_or_garbled_is_a_connection_error(answer: bytes, words: str) -> None:
    with pytest.raises(APIConnectionError, match=words) as caught:
        tunnel("http://user:secret@127.0.0.1:3128").receive(answer)
    assert "secret" not in caught.value.message and "127.0.0.1:3128" in caught.value.message


def test_a_tunnel_answer_is_bounded() -> None:
    t = tunnel()
    assert not t.receive(b"HTTP/1.1 200 OK\r\n")
    with pytest.raises(APIConnectionError, match=f"more than {MAX_TUNNEL_REPLY} bytes"):
        for _ in range(MAX_TUNNEL_REPLY // 1000 + 2):
            t.receive(b"X-Padding: " + b"a" * 987 + b"\r\n")


def test_sessions_reach_only_http_proxies() -> None:
    with pytest.raises(APIConnectionError, match="over http:// only"):
        tunnel("https://proxy.internal:443")
    with pytest.raises(APIConnectionError, match="NO_PROXY"):
        tunnel("socks5://proxy.internal:1080")
