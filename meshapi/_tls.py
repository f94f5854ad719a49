"""The ``verify`` setting of a client: which certificates its connections trust.

One SSL context per client, built when the client is made, serves every connection the SDK
opens for it: REST calls through the httpx client or aiohttp session it makes, and every
realtime session (``wss://``) on any transport. It is built by httpx's rules, so every
transport trusts the same servers:

- ``True`` (the default): ``$SSL_CERT_FILE`` if set, else ``$SSL_CERT_DIR``, else certifi's
  bundle (``httpx.create_ssl_context()``, read when the client is made);
- a path (``str`` or ``os.PathLike``): that CA bundle file, or that directory of hashed
  certificates (what httpx's deprecated ``verify="path"`` did, without the warning);
- an :class:`ssl.SSLContext`: used as given (the SDK sets its ALPN protocols to
  ``http/1.1`` when it opens a connection, as httpx does);
- ``False``: no verification at all. The client warns (:class:`InsecureTLSWarning`) when it
  is made: anyone on the path can then read the credential.

A client or session you hand over keeps its own TLS settings for REST calls; ``verify``
still covers the realtime sessions, which never use it.
"""

from __future__ import annotations

import os
import ssl
import sys
import warnings
from typing import Union

from meshapi_core.errors import InsecureTLSWarning, InvalidArgumentError

__all__ = ["VerifyTypes", "ssl_context_of"]

VerifyTypes = Union[bool, str, "os.PathLike[str]", ssl.SSLContext]
"""What ``verify=`` takes."""


def _outside() -> int:
    """The ``stacklevel`` of the first caller outside the SDK (where the client was made)."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and str(frame.f_globals.get("__name__", "")).startswith(
        ("meshapi.", "meshapi_")
    ):
        frame = frame.f_back
        level += 1
    return level


def ssl_context_of(verify: object) -> ssl.SSLContext:
    """The SSL context for ``verify`` (see the module docs), checked like every setting:
    anything else, or a path that names no file or directory, is an
    :class:`~meshapi_core.errors.InvalidArgumentError`."""
    import httpx

    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is True:
        return httpx.create_ssl_context(verify=True)
    if verify is False:
        warnings.warn(
            "verify=False: this client accepts any TLS certificate, so anyone on the network "
            "path can read and change its traffic, the token included. Pass the CA bundle "
            "instead (verify='/path/to/ca.pem').",
            InsecureTLSWarning,
            stacklevel=_outside(),
        )
        return httpx.create_ssl_context(verify=False)
    if isinstance(verify, (str, os.PathLike)):
        path = os.fspath(verify)
        failure = None
        try:
            if os.path.isdir(path):
                return ssl.create_default_context(capath=path)
            if os.path.isfile(path):
                return ssl.create_default_context(cafile=path)
            failure = f"verify={path!r} names no CA bundle file or certificate directory"
        except (ssl.SSLError, OSError, ValueError) as exc:
            failure = f"verify={path!r} could not be loaded as CA certificates ({exc})"
        raise InvalidArgumentError(failure, param="verify")
    raise InvalidArgumentError(
        "verify must be True, False, a path to a CA bundle (file or directory) or an "
        f"ssl.SSLContext, not {type(verify).__name__}",
        param="verify",
    )
