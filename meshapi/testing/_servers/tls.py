"""TLS for the emulator: a certificate authority of its own, made when a server asks for one.

``GatewayServer(tls=True)`` serves ``https://`` and ``wss://`` with a certificate for
``127.0.0.1``, ``localhost`` and ``::1`` signed by a throwaway CA that :mod:`trustme` makes in
memory; nothing is trusted system-wide. A client trusts it by the CA's PEM file
(:attr:`GatewayServer.ca_file <meshapi.testing.GatewayServer.ca_file>`, for ``SSL_CERT_FILE``
or ``curl --cacert``) or an :class:`ssl.SSLContext` (:meth:`GatewayServer.client_ssl_context
<meshapi.testing.GatewayServer.client_ssl_context>`); ``docs/testing.md``, "Over TLS", shows
both.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from typing import Any


class Authority:
    """A throwaway certificate authority and the emulator's certificate it signed."""

    def __init__(self) -> None:
        try:
            import trustme
        except ImportError:  # pragma: no cover - trustme is in the testing and dev extras
            raise RuntimeError(
                "TLS needs the trustme package: pip install 'meshapi-python-sdk[testing]'"
            ) from None
        self._ca: Any = trustme.CA(organization_name="meshapi-testing gateway emulator")
        self._leaf: Any = self._ca.issue_cert("127.0.0.1", "localhost", "::1")

    @property
    def ca_pem(self) -> bytes:
        """The CA's certificate, PEM-encoded: what a client trusts."""
        return bytes(self._ca.cert_pem.bytes())

    def server_context(self) -> ssl.SSLContext:
        """The server side: the emulator's certificate and key, HTTP/1.1 by ALPN."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._leaf.configure_cert(context)
        context.set_alpn_protocols(["http/1.1"])
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this CA alone (and verifies the host name)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self._ca.configure_trust(context)
        return context


def write_whole(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (a temporary file in the same folder, renamed)."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".meshapi-ca-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
