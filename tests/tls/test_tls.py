"""TLS end to end on every transport, REST and ``wss://`` alike: verification on by default
and failing with a typed error naming the host and the reason; ``verify=`` (a CA bundle, an
``ssl.SSLContext``, ``False`` with a warning); ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import warnings
from pathlib import Path
from typing import Any, Tuple

import pytest
import trustme

from meshapi import (
    APIConnectionError,
    AsyncMeshAPI,
    CertificateVerificationError,
    InsecureTLSWarning,
    InvalidArgumentError,
    MeshAPI,
)
from meshapi.testing import Gateway, InProcessTransport
from meshapi.testing.pytest_plugin import GatewayFixture
from tests.hostile.conftest import SOCKET_KINDS, Api, run

from ._servers import TLSFront
from .conftest import session_opens

TLSGateway = Tuple[GatewayFixture, TLSFront]


async def everything(api: Api) -> Tuple[str, int, str]:
    """A create, a stream and a realtime session: what each says."""
    created = await api.create()
    chunks = await api.chunks()
    first = await session_opens(api)
    return created.object, len(chunks), first


@pytest.mark.parametrize("kind", SOCKET_KINDS)
def test_a_ca_bundle_in_verify_serves_rest_streams_and_sessions(
    kind: str, tls_gateway: TLSGateway, ca_file: str
) -> None:
    gw, front = tls_gateway
    got = run(kind, front.url, everything, token=gw.token, verify=ca_file)
    assert got[0] == "chat.completion" and got[1] > 1 and got[2] == "session.created"
    assert front.handshakes >= 2  # REST and the session's own connection


@pytest.mark.parametrize("kind", SOCKET_KINDS)
def test_an_ssl_context_in_verify_serves_rest_and_sessions(
    kind: str, tls_gateway: TLSGateway, ca: trustme.CA
) -> None:
    gw, front = tls_gateway
    context = ssl.create_default_context()
    ca.configure_trust(context)

    async def scenario(api: Api) -> Tuple[str, str]:
        return (await api.create()).object, await session_opens(api)

    assert run(kind, front.url, scenario, token=gw.token, verify=context) == (
        "chat.completion",
        "session.created",
    )


@pytest.mark.parametrize("kind", SOCKET_KINDS)
def test_ssl_cert_file_is_honoured_by_every_transport(
    kind: str, tls_gateway: TLSGateway, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw, front = tls_gateway
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)

    async def scenario(api: Api) -> Tuple[str, str]:
        return (await api.create()).object, await session_opens(api)

    assert run(kind, front.url, scenario, token=gw.token) == ("chat.completion", "session.created")


@pytest.fixture(scope="module")
def hashed_dir(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to hash a certificate directory")
    folder = tmp_path_factory.mktemp("certs")
    pem = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    digest = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", str(pem)],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    pem.rename(folder / f"{digest}.0")
    return str(folder)


@pytest.mark.parametrize("kind", SOCKET_KINDS)
def test_ssl_cert_dir_and_a_directory_in_verify_are_honoured(
    kind: str, tls_gateway: TLSGateway, hashed_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw, front = tls_gateway

    async def scenario(api: Api) -> Tuple[str, str]:
        return (await api.create()).object, await session_opens(api)

    expected = ("chat.completion", "session.created")
    assert run(kind, front.url, scenario, token=gw.token, verify=hashed_dir) == expected
    monkeypatch.setenv("SSL_CERT_DIR", hashed_dir)
    assert run(kind, front.url, scenario, token=gw.token) == expected


async def both_refused(api: Api) -> Tuple[Any, Any]:
    """What a create and a session each raise."""
    errors = []
    for attempt in (api.create, lambda: session_opens(api)):
        try:
            await attempt()
        except APIConnectionError as error:
            errors.append(error)
        else:  # pragma: no cover - the failure this test looks for
            errors.append(None)
    return errors[0], errors[1]


@pytest.mark.parametrize("kind", SOCKET_KINDS)
@pytest.mark.parametrize("reason", ["unknown_ca", "hostname_mismatch", "expired"])
def test_a_certificate_that_fails_verification_is_a_typed_error_naming_host_and_reason(
    kind: str,
    reason: str,
    meshapi_gateway: GatewayFixture,
    server_contexts: dict[str, ssl.SSLContext],
    ca_file: str,
) -> None:
    # unknown_ca: the default trust (certifi) does not know the test's CA.
    certificate = "good" if reason == "unknown_ca" else reason
    verify: Any = True if reason == "unknown_ca" else ca_file
    backend = ("127.0.0.1", meshapi_gateway.server.port)
    with TLSFront(server_contexts[certificate], backend) as front:
        rest, session = run(
            kind, front.url, both_refused, token=meshapi_gateway.token, verify=verify,
            max_retries=3,
        )  # fmt: skip
        for error in (rest, session):
            assert isinstance(error, CertificateVerificationError), error
            assert error.reason == reason and error.host == "127.0.0.1"
            assert error.error_code == "certificate_verification_failed"
            assert "127.0.0.1" in error.message and error.verify_message in error.message
            assert meshapi_gateway.token not in repr(error) + str(error)
        assert front.accepted == 2  # never retried: one connection for each
        assert front.handshakes == 0
    assert meshapi_gateway.gateway.requests == []  # nothing reached the gateway
    if reason == "unknown_ca":
        assert "verify=" in rest.message and "SSL_CERT_FILE" in rest.message


@pytest.mark.parametrize("kind", SOCKET_KINDS)
def test_verify_false_connects_to_anything_and_says_so_loudly(
    kind: str, meshapi_gateway: GatewayFixture, server_contexts: dict[str, ssl.SSLContext]
) -> None:
    backend = ("127.0.0.1", meshapi_gateway.server.port)
    with TLSFront(server_contexts["hostname_mismatch"], backend) as front:

        async def scenario(api: Api) -> Tuple[str, str]:
            return (await api.create()).object, await session_opens(api)

        with pytest.warns(InsecureTLSWarning, match="verify=False") as warned:
            got = run(kind, front.url, scenario, token=meshapi_gateway.token, verify=False)
    assert got == ("chat.completion", "session.created")
    ours = [w for w in warned if w.category is InsecureTLSWarning]
    assert len(ours) == 1
    assert ours[0].filename.endswith("conftest.py")  # the line that made the client


def test_verify_is_checked_like_every_setting(tmp_path: Path) -> None:
    base = {"base_url": "https://api.meshapi.ai", "token": "rsk_x"}
    for bad, words in [
        (3, "not int"),
        ("relative/missing.pem", "names no CA bundle"),
        (str(tmp_path / "nope"), "names no CA bundle"),
        (b"/etc/ssl", "not bytes"),
    ]:
        with pytest.raises(InvalidArgumentError, match=words) as caught:
            MeshAPI(**base, verify=bad)
        assert caught.value.param == "verify"
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(InvalidArgumentError, match="could not be loaded"):
        AsyncMeshAPI(**base, verify=str(garbage), transport="aiohttp")
    with pytest.raises(InvalidArgumentError, match="transport object brings its own"):
        MeshAPI(**base, verify=str(garbage), transport=InProcessTransport(Gateway()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MeshAPI(**base, verify=True).close()  # the default: no warning
