"""Requests to hosts other than the gateway: signed upload URLs and result downloads.

Some endpoints hand the caller a URL on another host: ``POST /v1/files`` answers with a
*signed URL* the file's bytes are ``PUT`` to (``docs/gateway/api.md`` §13), a finished video task
names the URL of its video, an image may come back as a URL. The SDK sends those requests
through the client's own transport, with the client's timeouts, retry policy and error
family, but they are built here, apart from :meth:`ClientConfig.build_request
<meshapi_core.config.ClientConfig.build_request>`, because they must carry nothing of the
gateway's:

- no ``Authorization`` header, no default headers, no per-call ``extra_headers`` (any of
  which may hold the credential): a signed URL is its own authorization, and the host behind
  it is not the gateway;
- no SDK or version headers, no ``Idempotency-Key``, no ``extra_query``.

The URL is checked like a base URL, but on its own terms: ``https://``, or ``http://`` only to
a loopback host (a local emulator) unless the client allows insecure http. The base URL's
host does not apply: another host is the point.

>>> from meshapi_core.config import ClientConfig
>>> config = ClientConfig.create(base_url="https://api.meshapi.ai", token="rsk_x")
>>> request = external_request(config, "PUT", "https://storage.example/u/1?sig=abc",
...                            body=b"data", content_type="text/plain")
>>> [name for name, _ in request.headers]
['accept', 'content-type']
>>> "sig=abc" in repr(request)
False
"""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar

from .calls import Call, Runtime
from .config import NO_OPTIONS, CallOptions, ClientConfig, _is_loopback
from .errors import InvalidArgumentError
from .http import Body, Request, Response, StreamedBody, Timeout, check_url
from .uploads import check_content_type

__all__ = ["check_external_url", "external_call", "external_request"]

T = TypeVar("T")


def check_external_url(url: Any, *, allow_insecure_http: bool, param: str = "url") -> str:
    """``url`` if the SDK may send a request to it, else an
    :class:`~meshapi_core.errors.InvalidArgumentError` naming ``param``.

    >>> check_external_url("http://storage.example/x", allow_insecure_http=False)
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: url 'http://storage.example/x' is plain \
http:// to a host that is not loopback; use https://, or allow_insecure_http=True if this \
network is trusted
    """
    parts = check_url(url, param=param)
    host = parts.hostname or ""
    if parts.username or parts.password:
        raise InvalidArgumentError(f"{param} must not carry credentials", param=param)
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(host):
        raise InvalidArgumentError(
            f"{param} {_without_query(url)!r} is plain http:// to a host that is not loopback; "
            "use https://, or allow_insecure_http=True if this network is trusted",
            param=param,
        )
    return str(url).strip()


def _without_query(url: str) -> str:
    # A signed URL's query is its signature: never shown in a message.
    return url.split("?", 1)[0].split("#", 1)[0]


def external_request(
    config: ClientConfig,
    method: str,
    url: str,
    *,
    body: Optional[Body] = None,
    content_type: Optional[str] = None,
    accept: str = "*/*",
    options: CallOptions = NO_OPTIONS,
    stream: bool = False,
    param: str = "url",
) -> Request:
    """A request to ``url`` with only the headers it needs (see the module docs), the
    client's (or the call's) timeout and the client's response-size bound."""
    checked = check_external_url(url, allow_insecure_http=config.allow_insecure_http, param=param)
    headers = [("accept", accept)]
    if content_type is not None:
        headers.append(("content-type", check_content_type(content_type, "content_type")))
    if isinstance(body, StreamedBody) and body.length is not None:
        headers.append(("content-length", str(body.length)))
    timeout = config.timeout if options.timeout is None else Timeout.of(options.timeout)
    return Request(
        method.upper(),
        checked,
        tuple(headers),
        body,
        timeout=timeout,
        stream=stream,
        max_body=config.max_response_size,
        secret_query=True,
    )


def external_call(
    config: ClientConfig,
    runtime: Runtime,
    request: Request,
    *,
    decode: Callable[[Response], T],
    options: CallOptions = NO_OPTIONS,
    retryable: bool = True,
) -> Call[T]:
    """The call machine for an external request: the client's retry policy (with the call's
    ``max_retries``) and deadline. A body that cannot be replayed is never retried, nor sent
    again on a fresh connection."""
    body = request.body
    replayable = not isinstance(body, StreamedBody) or body.replayable
    return Call(
        request,
        decode=decode,
        policy=config.retry_policy(options),
        runtime=runtime,
        retryable=retryable and not request.stream,
        replayable=replayable,
        deadline=options.deadline if options.deadline is not None else config.deadline,
    )
