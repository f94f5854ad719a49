"""The SDK's exceptions, and how a gateway response becomes one.

Every failure a user can see is a :class:`MeshAPIError`. Subclasses name the family, so a
caller can ``except RateLimitError`` precisely while ``except MeshAPIError`` still catches
everything::

    MeshAPIError
    ├── APIStatusError            the gateway answered with an error
    │   ├── BadRequestError           400, 413 and other 4xx: fix the request
    │   │   ├── ConflictError             409: the resource is not in a state that allows it
    │   │   └── UnprocessableEntityError  422 and ``validation_error``: see ``details``
    │   ├── AuthenticationError       401
    │   ├── PaymentRequiredError      402: out of credit or over a spend cap
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── RateLimitError            429
    │   └── ServerError               5xx
    ├── ResponseDecodeError       a body that is not what the gateway promised (``parse_error``)
    │   ├── ResponseTooLargeError     ... or larger than the client accepts
    │   ├── LengthFinishReasonError   ``.parse()``: the reply was cut at its token limit
    │   └── ContentFilterFinishReasonError  ``.parse()``: the reply was filtered
    ├── InvalidArgumentError      an argument refused before sending (also a ValueError)
    ├── ClientContextError        a client used where its connections cannot work: another
    │                             event loop, a closed one, a forked child (also a RuntimeError)
    ├── APIConnectionError        no usable response: refused, reset, DNS, TLS ...
    │   ├── APITimeoutError           a time limit ran out
    │   ├── CertificateVerificationError  the server's TLS certificate failed verification
    │   └── StaleConnectionError      a reused connection the server had closed: no answer
    └── StreamInterruptedError    a stream ended before ``[DONE]`` (``stream_interrupted``)
        └── StreamTimeoutError        ... because a time limit ran out (also an APITimeoutError)

openai-python's names are the same classes (see the end of this module): ``APIError`` is
``MeshAPIError``, ``InternalServerError`` is ``ServerError``, ``APIResponseValidationError``
is ``ResponseDecodeError``; ``err.status_code`` and ``err.response`` (status, headers, text,
``json()``) read as they do there.

The mapping from a response follows ``docs/gateway/errors.md``: the JSON envelope
``{"error": {"code", "message", ...}, "request_id"}`` (``request_id`` also accepted inside
``error``), FastAPI's ``{"detail": ...}`` in both forms, Anthropic's
``{"type": "error", "error": {"type", "message"}}``, and anything else (an HTML page from a
proxy, the edge's 413 page, truncated JSON) by status alone. Messages never contain a
credential: they are built from the gateway's own words and the status, and a server that
echoes a call's secret (its token, a provider key among its params) back has it taken out
again by :func:`redact` before the error is raised.

Whatever a server sends, an error stays small: the gateway's ``message`` is cut at
:data:`MAX_MESSAGE` characters, codes and ids at :data:`MAX_CODE`, and ``details`` is a copy
holding at most about :data:`MAX_DETAILS` characters of strings and keys. Mapping a body never
raises: JSON nested too deep to parse, or numbers too large for a float, read as no JSON and no
number.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence, Type, TypeVar
from urllib.parse import urlsplit

__all__ = [
    "MAX_CODE",
    "MAX_DETAILS",
    "MAX_MESSAGE",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CertificateVerificationError",
    "ClientContextError",
    "ConflictError",
    "ContentFilterFinishReasonError",
    "ErrorResponse",
    "InsecureTLSWarning",
    "InternalServerError",
    "InvalidArgumentError",
    "LengthFinishReasonError",
    "MeshAPIError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "Seconds",
    "ServerError",
    "StaleConnectionError",
    "StreamInterruptedError",
    "StreamTimeoutError",
    "UnprocessableEntityError",
    "ValidationError",
    "body_failure",
    "certificate_failure",
    "error_from_frame",
    "error_from_response",
    "inband_error",
    "not_a_stream",
    "parse_retry_after",
    "redact",
    "shorten",
    "stream_failure",
    "transport_failure",
    "with_problems",
]

MAX_MESSAGE = 2000
"""How many characters of a gateway's (or a transport's) message an error keeps."""
MAX_CODE = 200
"""How many characters of an error code, provider code or request id an error keeps."""
MAX_DETAILS = 64 * 1024
"""About how many characters of strings and keys an error's ``details`` keeps."""


class Seconds(float):
    """A number of seconds, as ``retry_after_seconds`` holds it: a float, written like an
    integer when it is a whole number.

    meshapi 0.1.11 kept the wait as an ``int``; code written for it prints it
    (``f"retry after {err.retry_after_seconds}s"``) and compares it. A ``Seconds`` is a
    ``float`` (arithmetic, ``time.sleep``, ``math`` take it as one, and an arithmetic result is
    a plain ``float``), whose ``str``, ``repr`` and default format write a whole number as the
    ``int`` did, and which takes the integer formats (``:d``, ``:x``...) when whole. Equality
    and hashing are the ``float``'s, which Python keeps consistent with the ``int``'s
    (``Seconds(3) == 3`` and ``hash(Seconds(3)) == hash(3)``, so it finds the same dict key).
    ``json.dumps`` writes ``3.0``: the same number to every JSON reader.

    >>> wait = Seconds(3)
    >>> wait, str(wait), f"{wait}s", f"{wait:d}", f"{wait:.1f}", wait == 3, wait + 0.5
    (3, '3', '3s', '3', '3.0', True, 3.5)
    >>> Seconds(1.5), f"{Seconds(1.5)}"
    (1.5, '1.5')
    """

    __slots__ = ()

    def _whole(self) -> bool:
        return self.is_integer()

    def __repr__(self) -> str:
        return str(int(self)) if self._whole() else float.__repr__(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        kind = spec[-1:] if spec[-1:].isalpha() or spec[-1:] == "%" else ""
        if self._whole() and "." not in spec and kind in ("", "b", "c", "d", "n", "o", "x", "X"):
            return format(int(self), spec)
        return float.__format__(self, spec)


def _seconds_or_none(value: Optional[float]) -> Optional[Seconds]:
    return None if value is None else Seconds(value)


def _as_list(details: Any) -> List[Any]:
    """``details`` as a list: none is ``[]``, a list is itself, one object is its one item."""
    if details is None:
        return []
    if isinstance(details, list):
        return details
    if isinstance(details, tuple):
        return list(details)
    return [details]


class MeshAPIError(Exception):
    """Base class of every error the SDK raises.

    Attributes:
        message: a human-readable explanation.
        status: the HTTP status, or ``0`` when no response was received.
        error_code: the gateway's stable ``error.code`` slug (branch on this), or a code the
            SDK synthesises: ``parse_error``, ``connection_error``, ``timeout``,
            ``certificate_verification_failed``, ``stream_interrupted``, ``event_too_large``,
            ``redirect``.
        request_id: the gateway's ``req_...`` id, from the body or the ``x-request-id`` header.
        retry_after_seconds: how long the gateway asked the caller to wait, if it said: a
            :class:`Seconds` (a ``float`` that writes a whole number as an integer, as
            meshapi 0.1.11's ``int`` did).
        details: structured context, always a list (``[]`` when there is none): e.g. the
            validation problems of a 422; a single object the gateway sent is its one item.
        provider_error: the upstream provider's error object (``error.provider_error``), when
            the gateway sends one, else ``None``.
        provider_code: the more specific upstream reason, when the gateway gives one.
        headers: the response headers (lower-case names), empty without a response.
        body: the error body as the gateway sent it: parsed JSON, else its text, ``None``
            without one; bounded like ``details`` (about ``MAX_DETAILS`` characters).
        status_code: the same as ``status``, as openai-python and httpx name it.

    It is constructed as meshapi 0.1.11's was (every argument after the message by keyword),
    so an error made in a test double reads like one the SDK raised:

    >>> err = MeshAPIError("Rate limit exceeded.", status=429, error_code="rate_limit_exceeded",
    ...                    request_id="req_1", retry_after_seconds=5)
    >>> str(err), err.details, err.retry_after_seconds
    ('Rate limit exceeded. (status 429, code rate_limit_exceeded, request req_1)', [], 5)
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        error_code: str = "error",
        request_id: Optional[str] = None,
        retry_after_seconds: Optional[float] = None,
        details: Any = None,
        provider_error: Optional[Dict[str, Any]] = None,
        provider_code: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.retry_after_seconds: Optional[Seconds] = _seconds_or_none(retry_after_seconds)
        self.details: List[Any] = _as_list(details)
        self.provider_error = provider_error
        self.provider_code = provider_code
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.body = body

    @classmethod
    def stream_interrupted(cls, cause: object) -> StreamInterruptedError:
        """The error of a stream cut short by ``cause`` (text or an exception), as
        meshapi 0.1.11 made it: a :class:`StreamInterruptedError`, code
        ``stream_interrupted``, status ``0``.

        >>> MeshAPIError.stream_interrupted("connection reset").message
        'Stream interrupted: connection reset'
        """
        return StreamInterruptedError(f"Stream interrupted: {cause}")

    @property
    def status_code(self) -> int:
        """The HTTP status (``0`` without a response): ``status`` by another name."""
        return self.status

    def __str__(self) -> str:
        facts = []
        if self.status:
            facts.append(f"status {self.status}")
        facts.append(f"code {self.error_code}")
        if self.request_id:
            facts.append(f"request {self.request_id}")
        return f"{self.message} ({', '.join(facts)})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status}, "
            f"error_code={self.error_code!r}, request_id={self.request_id!r})"
        )


class ErrorResponse:
    """The response an :class:`APIStatusError` came in, as openai-python's ``err.response``
    reads it: ``status_code``, ``headers``, ``text`` and ``json()``.

    The body is the error's own ``body`` (bounded like ``details``), so nothing here holds
    more than the error does.

    >>> err = error_from_response(404, {"x-request-id": "req_1"},
    ...                           b'{"error": {"code": "not_found", "message": "No."}}')
    >>> err.response.status_code, err.response.json()["error"]["code"]
    (404, 'not_found')
    """

    __slots__ = ("_body", "headers", "status_code")

    def __init__(self, status_code: int, headers: Mapping[str, str], body: Any) -> None:
        self.status_code = status_code
        """The HTTP status (``0`` for an error reported inside a stream)."""
        self.headers = headers
        """The response headers (lower-case names)."""
        self._body = body

    @property
    def text(self) -> str:
        """The body as text (JSON written back as text; ``""`` without a body)."""
        body = self._body
        if body is None:
            return ""
        return body if isinstance(body, str) else json.dumps(body)

    def json(self) -> Any:
        """The body parsed as JSON; a body that is not JSON raises
        :class:`ResponseDecodeError`."""
        body = self._body
        if not isinstance(body, str):
            return body
        try:
            return json.loads(body)
        except ValueError:
            raise ResponseDecodeError(
                "The error response's body is not JSON", error_code="parse_error"
            ) from None

    def __repr__(self) -> str:
        return f"<ErrorResponse [{self.status_code}]>"


class APIStatusError(MeshAPIError):
    """The gateway answered, with an error status or an in-band error body.

    ``response`` is that response as openai-python reads it (:class:`ErrorResponse`).
    """

    @property
    def response(self) -> ErrorResponse:
        """The response this error came in: ``status_code``, ``headers``, ``text``,
        ``json()``."""
        return ErrorResponse(self.status, self.headers, self.body)


class BadRequestError(APIStatusError):
    """The request was refused as it stands (400, 413, other 4xx); change it first."""


class ConflictError(BadRequestError):
    """The resource is not in a state that allows the request (409, ``conflict``): a name
    already taken, a job already finished. Also a :class:`BadRequestError`."""


class UnprocessableEntityError(BadRequestError):
    """The gateway's validation failed (422, ``validation_error``); ``details`` lists the
    problems and the message names the first few fields."""


ValidationError = UnprocessableEntityError
"""Deprecated: the old name of :class:`UnprocessableEntityError` (too easily confused with
pydantic's ``ValidationError``). ``meshapi.ValidationError`` warns when used."""


class AuthenticationError(APIStatusError):
    """The credential is missing, unknown or revoked (401)."""


class PaymentRequiredError(APIStatusError):
    """The balance is spent or a spend cap is reached (402)."""


class PermissionDeniedError(APIStatusError):
    """The credential is valid but not allowed to do this (403)."""


class NotFoundError(APIStatusError):
    """The model or resource does not exist, or is not visible to this credential (404)."""


class RateLimitError(APIStatusError):
    """Too many requests (429); ``retry_after_seconds`` says when to try again."""


class ServerError(APIStatusError):
    """The gateway or an upstream provider failed (5xx)."""


class ResponseDecodeError(MeshAPIError):
    """The body is not what the gateway documents: not JSON, or not the expected shape."""


class ResponseTooLargeError(ResponseDecodeError):
    """A body was larger than the client accepts (``max_response_size``); nothing past the
    limit was kept (``response_too_large``)."""


class LengthFinishReasonError(ResponseDecodeError):
    """``.parse()`` got a reply cut at its token limit (``finish_reason: "length"``), which
    cannot be whole JSON: raise ``max_tokens``, or ask for less (``length_limit``). The
    reply as it came is ``completion``."""

    completion: Any = None
    """The reply that was cut (a ``ChatCompletion``)."""


class ContentFilterFinishReasonError(ResponseDecodeError):
    """``.parse()`` got a reply stopped by a content filter (``finish_reason:
    "content_filter"``), so there is nothing to parse (``content_filter``). The reply as it
    came is ``completion``."""

    completion: Any = None
    """The reply that was stopped (a ``ChatCompletion``)."""


class InvalidArgumentError(MeshAPIError, ValueError):
    """An argument refused before anything was sent: ``param`` names it.

    Also a :class:`ValueError`, so code that guards calls with ``except ValueError`` keeps
    working.

    >>> err = InvalidArgumentError("temperature: Input should be less than or equal to 2",
    ...                            param="temperature")
    >>> err.param, err.error_code, isinstance(err, ValueError)
    ('temperature', 'invalid_argument', True)
    """

    def __init__(self, message: str, *, param: Optional[str] = None) -> None:
        MeshAPIError.__init__(self, message, error_code="invalid_argument")
        self.param = param

    def __str__(self) -> str:
        return self.message


class ClientContextError(MeshAPIError, RuntimeError):
    """A client used where its connections cannot work, refused before anything was sent
    (``client_context``): an :class:`~meshapi.AsyncMeshAPI` in an event loop other than the one it
    first ran in (or after that loop closed), a client in a process forked from the one whose
    connections it holds. The message says what to do instead.

    Also a :class:`RuntimeError`, which is what the event loop libraries raise for the same
    mistakes.
    """

    def __init__(self, message: str) -> None:
        MeshAPIError.__init__(self, message, error_code="client_context")

    def __str__(self) -> str:
        return self.message


class APIConnectionError(MeshAPIError):
    """No usable response: the connection failed, was refused, reset or cut short.

    ``response_started`` is true when the failure came after the response headers, so the
    server may already have acted on the request.
    """

    def __init__(
        self, message: str, *, response_started: bool = False, error_code: str = "connection_error"
    ) -> None:
        MeshAPIError.__init__(self, message, error_code=error_code)
        self.response_started = response_started


class APITimeoutError(APIConnectionError):
    """A time limit ran out: connect, read, write, pool, idle, or the call's deadline."""

    def __init__(self, message: str, *, response_started: bool = False) -> None:
        super().__init__(message, response_started=response_started, error_code="timeout")


class CertificateVerificationError(APIConnectionError):
    """The server's TLS certificate failed verification (``certificate_verification_failed``):
    nothing was sent, and the call is not retried (another attempt meets the same
    certificate).

    Attributes:
        host: the host the client connected to (``None`` if the transport did not say).
        reason: what was wrong: ``"unknown_ca"`` (issued by a certificate authority the
            client does not trust, self-signed included), ``"hostname_mismatch"`` (valid for
            other names), ``"expired"``, ``"not_yet_valid"``, ``"revoked"``, or
            ``"invalid"`` (anything else OpenSSL refused).
        verify_message: OpenSSL's own words, e.g. ``"certificate has expired"``.
    """

    def __init__(
        self, message: str, *, host: Optional[str], reason: str, verify_message: str
    ) -> None:
        super().__init__(message, error_code="certificate_verification_failed")
        self.host = host
        self.reason = reason
        self.verify_message = verify_message


class InsecureTLSWarning(UserWarning):
    """A client was made with ``verify=False``: it accepts any certificate, so anyone on the
    network path can read and change its traffic, the credential included."""


class StaleConnectionError(APIConnectionError):
    """A pooled keep-alive connection the server had closed: the request, sent on it, failed
    before any byte of a response arrived, so nothing was answered.

    Transports raise it only when they know all three: the connection had carried an earlier
    exchange, the failure says the peer closed or reset it, and no byte of this response came.
    The call machine sends such a request again at once, once, streams included (see
    :attr:`RetryPolicy.replay_stale_connections
    <meshapi_core.retry.RetryPolicy.replay_stale_connections>`); it is raised when that replay
    fails the same way.
    """


class StreamInterruptedError(MeshAPIError):
    """A stream ended before the gateway said ``[DONE]``; what arrived is incomplete."""

    def __init__(
        self,
        message: str,
        *,
        request_id: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        MeshAPIError.__init__(
            self,
            message,
            status=0,
            error_code="stream_interrupted",
            request_id=request_id,
            headers=headers,
        )


class StreamTimeoutError(StreamInterruptedError, APITimeoutError):
    """A stream was cut short because a time limit ran out (read or idle timeout)."""

    response_started = True


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to ``limit`` characters, saying how much was cut.

    >>> shorten("abcdef", 3)
    'abc... [3 more characters]'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit:,} more characters]"


def _describe(cause: BaseException) -> str:
    """A library exception as the SDK reports it: its type name and (shortened) text."""
    text = shorten(str(cause).strip(), 500)
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__


def _bounded(value: Any, budget: List[int], depth: int = 0) -> Any:
    """A copy of JSON ``value`` holding at most ``budget[0]`` characters of strings and keys
    (each other value counts 8), at most 32 levels deep; ``budget`` is spent in place."""
    if isinstance(value, str):
        left = budget[0]
        budget[0] -= len(value)
        return value if budget[0] >= 0 else shorten(value, max(left, 0))
    if isinstance(value, (dict, list)):
        if depth >= 32:
            budget[0] -= 8
            return "[nested too deep]"
        if isinstance(value, dict):
            copy: Dict[str, Any] = {}
            for key, item in value.items():
                if budget[0] <= 0:
                    copy["..."] = f"[{len(value) - len(copy)} more keys]"
                    break
                budget[0] -= len(key)
                copy[shorten(key, MAX_CODE)] = _bounded(item, budget, depth + 1)
            return copy
        items: List[Any] = []
        for item in value:
            if budget[0] <= 0:
                items.append(f"[{len(value) - len(items)} more items]")
                break
            items.append(_bounded(item, budget, depth + 1))
        return items
    budget[0] -= 8
    return value


def _bounded_details(value: Any) -> Any:
    return value if value is None else _bounded(value, [MAX_DETAILS])


def _short_id(value: Any) -> Optional[str]:
    return shorten(value, MAX_CODE) if isinstance(value, str) and value else None


# OpenSSL's X509_V_ERR_* codes, by what they mean to someone reading the error.
_VERIFY_REASONS = {
    2: "unknown_ca",  # unable to get issuer certificate
    18: "unknown_ca",  # self-signed certificate
    19: "unknown_ca",  # self-signed certificate in certificate chain
    20: "unknown_ca",  # unable to get local issuer certificate
    21: "unknown_ca",  # unable to verify the first certificate
    9: "not_yet_valid",
    10: "expired",
    23: "revoked",
    62: "hostname_mismatch",
    63: "hostname_mismatch",  # e-mail address mismatch
    64: "hostname_mismatch",  # IP address mismatch
}
_VERIFY_ADVICE = {
    "unknown_ca": "was not issued by a certificate authority this client trusts. If the "
    "gateway is reached through a TLS-inspecting proxy or has a private CA, pass "
    "verify='/path/to/ca-bundle.pem' (or an ssl.SSLContext) to the client, or set "
    "SSL_CERT_FILE",
    "hostname_mismatch": "is not valid for that host name: check the host in base_url",
    "expired": "has expired",
    "not_yet_valid": "is not valid yet: check this machine's clock",
    "revoked": "has been revoked",
    "invalid": "was refused",
}


def _verification_failure(cause: BaseException) -> Optional[BaseException]:
    """The certificate verification error (``ssl.SSLCertVerificationError``, recognised by
    its ``verify_code``) in ``cause`` or the exceptions it was raised from, if any."""
    seen = 0
    current: Optional[BaseException] = cause
    while current is not None and seen < 16:
        if isinstance(getattr(current, "verify_code", None), int):
            return current
        inner = getattr(current, "certificate_error", None)  # aiohttp's wrapper keeps it here
        if isinstance(inner, BaseException) and inner is not current:
            current = inner
        else:
            current = current.__cause__ or current.__context__
        seen += 1
    return None


def certificate_failure(
    cause: BaseException, host: Optional[str] = None
) -> Optional[CertificateVerificationError]:
    """The SDK error for a failed certificate verification in ``cause`` (or what it was
    raised from), naming ``host`` and the reason; ``None`` if ``cause`` is something else.
    :func:`transport_failure` calls it, so transports rarely need to."""
    found = _verification_failure(cause)
    if found is None:
        return None
    code = getattr(found, "verify_code", 0)
    said = str(getattr(found, "verify_message", "") or "").strip() or _describe(found)
    reason = _VERIFY_REASONS.get(code, "invalid")
    where = host or "the gateway"
    return CertificateVerificationError(
        shorten(
            f"TLS certificate verification failed for {where}: its certificate "
            f"{_VERIFY_ADVICE[reason]} (OpenSSL: {said})",
            MAX_MESSAGE,
        ),
        host=host,
        reason=reason,
        verify_message=shorten(said, 500),
    )


def transport_failure(
    cause: BaseException,
    *,
    timeout: bool,
    response_started: bool,
    stale: bool = False,
    host: Optional[str] = None,
) -> APIConnectionError:
    """The SDK error for a transport's failure to send a request or read a whole response.

    Transports classify their library's exception (``timeout``: did a time limit run out?
    ``stale``: was it a reused connection the server had closed, with no byte of a response?)
    and call this, so every transport words its errors the same way. The message names the
    cause's type and text, never the request's headers. A certificate that failed
    verification (found in ``cause`` or what it was raised from) is a
    :class:`CertificateVerificationError` naming ``host``, the host connected to.

    >>> transport_failure(OSError("refused"), timeout=False, response_started=False).message
    'Connection to the gateway failed before any response (OSError: refused)'
    """
    if not timeout and not response_started:
        refused = certificate_failure(cause, host)
        if refused is not None:
            return refused
    if stale and not timeout and not response_started:
        return StaleConnectionError(
            "The server had closed the reused connection the request was sent on: no response "
            f"({_describe(cause)})"
        )
    if timeout:
        return APITimeoutError(
            f"Timed out talking to the gateway ({_describe(cause)})",
            response_started=response_started,
        )
    when = "reading the response" if response_started else "before any response"
    return APIConnectionError(
        f"Connection to the gateway failed {when} ({_describe(cause)})",
        response_started=response_started,
    )


def stream_failure(cause: BaseException, *, timeout: bool) -> StreamInterruptedError:
    """The SDK error for a transport's failure in the middle of a streamed body."""
    if timeout:
        return StreamTimeoutError(f"The stream timed out waiting for data ({_describe(cause)})")
    return StreamInterruptedError(f"The stream's connection broke ({_describe(cause)})")


def body_failure(error: StreamInterruptedError) -> APIConnectionError:
    """The error for a whole (non-stream) body that broke off while it was being read:
    a connection failure after the response started, never retried."""
    if isinstance(error, APITimeoutError):
        return APITimeoutError(error.message, response_started=True)
    return APIConnectionError(error.message, response_started=True)


_BY_STATUS: Dict[int, Type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: BadRequestError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _codes(family: Type[APIStatusError], codes: str) -> Dict[str, Type[APIStatusError]]:
    return dict.fromkeys(codes.split(), family)


# The family of each documented code (``docs/gateway/errors.md`` §3). It decides for in-band errors,
# which have no status of their own, and refines the status where the two agree.
_BY_CODE: Dict[str, Type[APIStatusError]] = {
    **_codes(
        BadRequestError,
        "bad_request invalid_request invalid_request_error invalid_input "
        "context_window_exceeded content_policy_violation invalid_api_version "
        "model_capability_not_supported model_not_available_on_pinned_provider "
        "unsupported_operation invalid_search_parameter",
    ),
    **_codes(ConflictError, "conflict"),
    **_codes(UnprocessableEntityError, "validation_error unprocessable_entity"),
    **_codes(AuthenticationError, "unauthorized invalid_api_key"),
    **_codes(PaymentRequiredError, "spend_limit_exceeded insufficient_credits insufficient_quota"),
    **_codes(PermissionDeniedError, "forbidden model_excluded feature_not_enabled"),
    **_codes(NotFoundError, "not_found model_not_found resource_not_found"),
    **_codes(RateLimitError, "rate_limit_exceeded upstream_rate_limit_error batch_limit_exceeded"),
    **_codes(
        ServerError,
        "internal_error upstream_error provider_not_available gateway_timeout "
        "provider_job_failed model_policy_unavailable api_version_migration_failed "
        "secret_provision_failed",
    ),
    # Anthropic's error types, the codes of /v1/messages errors (its own envelope).
    **_codes(BadRequestError, "request_too_large"),
    **_codes(AuthenticationError, "authentication_error"),
    **_codes(PermissionDeniedError, "permission_error"),
    **_codes(NotFoundError, "not_found_error"),
    **_codes(RateLimitError, "rate_limit_error"),
    **_codes(ServerError, "api_error overloaded_error"),
}

# The code the gateway would have sent, for bodies that carry none (``docs/gateway/errors.md`` §8).
_CODE_BY_STATUS: Dict[int, str] = {
    400: "invalid_request",
    401: "unauthorized",
    402: "spend_limit_exceeded",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "request_too_large",
    422: "validation_error",
    429: "rate_limit_exceeded",
}

_MAX_RETRY_AFTER = 86_400.0  # a day; anything longer is not a wait, it is a refusal


def _class_for(status: int, code: str) -> Type[APIStatusError]:
    by_code = _BY_CODE.get(code)
    if by_code is not None and (status < 400 or issubclass(by_code, _family_of_status(status))):
        return by_code
    return _family_of_status(status) if status >= 400 else (by_code or APIStatusError)


def _family_of_status(status: int) -> Type[APIStatusError]:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return BadRequestError if 400 <= status < 500 else APIStatusError


def _default_code(status: int) -> str:
    if status in _CODE_BY_STATUS:
        return _CODE_BY_STATUS[status]
    return "upstream_error" if status >= 500 else "http_error"


def _seconds(value: Any) -> Optional[float]:
    """A finite, non-negative number of seconds from a JSON or header value, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)):
        return None
    if isinstance(value, int):  # a JSON integer may be too large for a float
        return None if value < 0 else float(min(value, int(_MAX_RETRY_AFTER)))
    if math.isnan(value) or value < 0:
        return None
    return min(value, _MAX_RETRY_AFTER)


def parse_retry_after(headers: Mapping[str, str], now: Optional[float] = None) -> Optional[float]:
    """How long the response asks the caller to wait, in seconds, or ``None``.

    Reads ``retry-after-ms``, then ``Retry-After`` as seconds (fractions allowed) or as an
    HTTP-date, which needs ``now``, the current Unix time. Negative, non-numeric and NaN
    values are ignored; an infinite or absurd value is capped at one day.

    >>> parse_retry_after({"retry-after": "5"})
    5.0
    >>> parse_retry_after({"retry-after-ms": "1500"})
    1.5
    >>> parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, now=1445412480.0)
    10.0
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        value = _seconds(millis)
        if value is not None:
            return min(value / 1000.0, _MAX_RETRY_AFTER)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    value = _seconds(raw)
    if value is not None or now is None:
        return value
    when = _parse_http_date(raw)
    return None if when is None else _seconds(max(0.0, when - now))


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_HTTP_DATES = (
    # IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    re.compile(r"[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT"),
    # RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    re.compile(r"[A-Za-z]+, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT"),
)
# asctime: Sun Nov  6 08:49:37 1994
_ASCTIME = re.compile(r"[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})")


def _parse_http_date(text: str) -> Optional[float]:
    """The Unix time of an HTTP-date (RFC 9110 section 5.6.7, all three forms), or None."""
    text = text.strip()
    fields: Optional[tuple[str, ...]] = None
    for pattern in _HTTP_DATES:
        match = pattern.fullmatch(text)
        if match:
            day, month, year, hh, mm, ss = match.groups()
            if len(year) == 2:  # RFC 850 years: 50 and later are 19xx
                year = ("19" if int(year) >= 50 else "20") + year
            fields = (year, month, day, hh, mm, ss)
    match = _ASCTIME.fullmatch(text)
    if match:
        month, day, hh, mm, ss, year = match.groups()
        fields = (year, month, day, hh, mm, ss)
    if fields is None or fields[1].title() not in _MONTHS:
        return None
    year, month, day, hh, mm, ss = fields
    try:
        moment = datetime(
            int(year), _MONTHS[month.title()], int(day), int(hh), int(mm), int(ss),
            tzinfo=timezone.utc,
        )  # fmt: skip
    except ValueError:
        return None
    return moment.timestamp()


def _json_or_none(body: bytes) -> Any:
    """``body`` parsed as JSON, or ``None`` when it is not JSON the SDK can read: not UTF-8,
    not JSON, nested deeper than the parser's recursion limit, or an integer too long to
    convert."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


_XML_FIELDS = re.compile(r"<(Code|Message)>([^<]{1,300})</\1>")


def _text_excerpt(body: bytes, content_type: str) -> str:
    text = body[:4096].decode("utf-8", "replace")
    if "xml" in content_type or text.lstrip().startswith("<?xml"):
        # A storage host's error (a signed upload URL): <Error><Code>..</Code><Message>..
        found = dict(_XML_FIELDS.findall(text))
        if found:
            return ": ".join(v.strip() for k, v in sorted(found.items()) if v.strip())
    if "html" in content_type or text.lstrip().startswith("<"):
        lower = text.lower()
        start, end = lower.find("<title>"), lower.find("</title>")
        if start != -1 and end > start:
            text = text[start + 7 : end]
        else:
            return "an HTML page"
    text = " ".join(text.split())
    return text[:200] + ("..." if len(text) > 200 else "")


def error_from_response(
    status: int, headers: Mapping[str, str], body: bytes, *, now: Optional[float] = None
) -> MeshAPIError:
    """The :class:`MeshAPIError` that an error response (or a 200 with an error body) means.

    ``headers`` has lower-case names; ``now`` is the current Unix time, used only to read a
    ``Retry-After`` given as an HTTP-date.

    >>> err = error_from_response(
    ...     429,
    ...     {"retry-after": "5", "x-request-id": "req_2"},
    ...     b'{"error": {"code": "rate_limit_exceeded", "message": "Slow down."}}',
    ... )
    >>> type(err).__name__, err.error_code, err.retry_after_seconds, err.request_id
    ('RateLimitError', 'rate_limit_exceeded', 5, 'req_2')
    """
    content_type = headers.get("content-type", "")
    payload: Any = None
    if body:
        payload = _json_or_none(body)
    if 300 <= status < 400:
        return _redirect_error(status, headers, payload if payload is not None else body)
    retry_after = parse_retry_after(headers, now)
    if isinstance(payload, dict):
        error = _from_payload(status, payload, headers, retry_after)
        if error is not None:
            return error
    code = _default_code(status)
    if body:
        what = "a JSON body in an unknown shape" if payload is not None else "a non-JSON body"
        message = f"HTTP {status} with {what}: {_text_excerpt(body, content_type)}"
    else:
        message = f"HTTP {status} with an empty body"
    return _class_for(status, code)(
        message,
        status=status,
        error_code=code,
        request_id=headers.get("x-request-id"),
        retry_after_seconds=retry_after,
        headers=headers,
        body=_bounded_details(payload if payload is not None else _text_body(body)),
    )


def _redirect_error(status: int, headers: Mapping[str, str], body: Any) -> APIStatusError:
    """A 3xx: the SDK follows no redirect (a request and its credential go only where they
    were sent), so a redirect is an error naming where it pointed (origin only: a path or a
    query may carry a signature)."""
    return APIStatusError(
        f"HTTP {status} redirect to {_origin_of(headers.get('location', ''))} not followed: "
        "the SDK follows no redirect, so a request and its credential go only to the address "
        "it was sent to (for the gateway, base_url: set it to the final address if you trust it)",
        status=status,
        error_code="redirect",
        request_id=_short_id(headers.get("x-request-id")),
        headers=headers,
        body=_bounded_details(body if not isinstance(body, bytes) else _text_body(body)),
    )


def _origin_of(location: str) -> str:
    """Where a ``Location`` points, as ``scheme://host[:port]``, without path or query."""
    try:
        parts = urlsplit(location.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return "an unreadable location"
    if not host:
        return "another path on the same host" if location.strip() else "nowhere (no location)"
    return shorten(f"{parts.scheme}://{host}" + (f":{port}" if port else ""), 200)


def _from_payload(
    status: int,
    payload: Dict[str, Any],
    headers: Mapping[str, str],
    retry_after: Optional[float],
) -> Optional[MeshAPIError]:
    error = payload.get("error")
    request_id = payload.get("request_id")
    detail = payload.get("detail")
    provider_error: Any = None
    if isinstance(error, dict):
        code = error.get("code") or error.get("type") or _default_code(status)
        message = error.get("message") or f"HTTP {status}"
        request_id = request_id or error.get("request_id")
        body_wait = _seconds(error.get("retry_after_seconds"))
        details = error.get("details")
        provider_error = error.get("provider_error")
        provider_code = error.get("provider_code")
    elif isinstance(detail, str):
        code, message, body_wait, details, provider_code = (
            _default_code(status),
            detail,
            None,
            None,
            None,
        )
    elif isinstance(detail, list):
        code, message, body_wait, details, provider_code = (
            "validation_error",
            "Request validation failed.",
            None,
            detail,
            None,
        )
    else:
        return None
    code = shorten(code, MAX_CODE) if isinstance(code, str) else _default_code(status)
    return _class_for(status, code)(
        with_problems(
            shorten(message if isinstance(message, str) else _short_repr(message)), details
        ),
        status=status,
        error_code=code,
        request_id=_short_id(request_id) or headers.get("x-request-id"),
        retry_after_seconds=retry_after if retry_after is not None else body_wait,
        details=_bounded_details(details),
        provider_error=(
            _bounded_details(provider_error) if isinstance(provider_error, dict) else None
        ),
        provider_code=_short_id(provider_code),
        headers=headers,
        body=_bounded_details(payload),
    )


_PROBLEMS_SHOWN = 3  # validation problems named in a message; the rest are counted
_PROBLEM_LIMIT = 120  # characters of one problem's text


def with_problems(message: str, details: Any) -> str:
    """``message`` followed by the first few validation problems of ``details`` (FastAPI's
    ``[{loc, msg, type}]``), each as ``field: problem``, so a 422 names its field. Anything
    else in ``details`` leaves the message as it is. Bounded whatever the list's size.

    >>> with_problems("Request validation failed.", [
    ...     {"type": "missing", "loc": ["body", "messages"], "msg": "Field required"}])
    'Request validation failed. messages: Field required'
    """
    if not isinstance(details, list):
        return message
    problems = []
    for item in details:
        if not isinstance(item, dict) or not isinstance(item.get("msg"), str):
            continue
        loc = item.get("loc")
        parts = [str(p) for p in loc] if isinstance(loc, (list, tuple)) else []
        if len(parts) > 1 and parts[0] in ("body", "query", "path", "header"):
            parts = parts[1:]
        text = f"{'.'.join(parts)}: {item['msg']}" if parts else item["msg"]
        problems.append(text if len(text) <= _PROBLEM_LIMIT else text[: _PROBLEM_LIMIT - 3] + "...")
    if not problems:
        return message
    shown = "; ".join(problems[:_PROBLEMS_SHOWN])
    if len(problems) > _PROBLEMS_SHOWN:
        shown += f" (and {len(problems) - _PROBLEMS_SHOWN} more)"
    separator = " " if message.rstrip().endswith((".", ":", "!", "?")) else ": "
    return f"{message.rstrip()}{separator}{shown}"


def _text_body(body: bytes) -> Optional[str]:
    """A body that is not JSON, as text for ``error.body`` (``None`` when empty)."""
    return body.decode("utf-8", "replace") or None


def _short_repr(value: Any) -> str:
    """A non-string ``message`` as text, without turning all of a huge value into a string."""
    return str(_bounded(value, [MAX_MESSAGE]))


def inband_error(status: int, headers: Mapping[str, str], body: bytes) -> Optional[MeshAPIError]:
    """The error a 2xx body reports in-band (``{"error": {...}}``), or ``None``.

    Only an error *envelope* is one: an object whose keys are ``error`` and perhaps
    ``request_id`` (and Anthropic's ``"type": "error"``). A resource that carries an
    ``error`` among its own fields (a failed background response or video task, ``{"id",
    "status": "failed", "error": {...}}``) is data, returned as it is.

    >>> inband_error(200, {}, b'{"error": {"code": "context_window_exceeded"}}').error_code
    'context_window_exceeded'
    >>> inband_error(200, {}, b'{"choices": []}') is None
    True
    >>> inband_error(200, {}, b'{"id": "resp_1", "status": "failed", "error": {}}') is None
    True
    """
    if b'"error"' not in body:
        return None
    payload = _json_or_none(body)
    if (
        isinstance(payload, dict)
        and isinstance(payload.get("error"), dict)
        and all(key in _ENVELOPE_KEYS for key in payload)
        and payload.get("type", "error") == "error"
    ):
        return error_from_response(status, headers, body)
    return None


_ENVELOPE_KEYS = frozenset({"error", "request_id", "type"})


def not_a_stream(
    status: int, headers: Mapping[str, str], body: bytes, expected: str
) -> MeshAPIError:
    """The error for a 2xx answer to a stream request that is not a stream: the error the
    body reports in-band, else a :class:`ResponseDecodeError` that shows what came."""
    reported = inband_error(status, headers, body)
    if reported is not None:
        return reported
    content_type = headers.get("content-type", "no content type")
    return ResponseDecodeError(
        f"Expected a stream ({expected}) but got HTTP {status} with {content_type}: "
        f"{_text_excerpt(body, content_type) if body else 'an empty body'}",
        status=status,
        error_code="parse_error",
        request_id=headers.get("x-request-id"),
        headers=headers,
    )


def error_from_frame(frame: Dict[str, Any], headers: Mapping[str, str]) -> MeshAPIError:
    """The error that an in-band ``{"error": {...}}`` stream frame reports.

    The frame's own ``request_id`` wins; older gateways leave it out, so the response's
    ``x-request-id`` header stands in.
    """
    error = _from_payload(0, frame, headers, None)
    if error is None:  # callers pass frames whose "error" is an object; this is a fallback
        return APIStatusError(
            "The stream reported an error it did not describe",
            error_code="upstream_error",
            request_id=headers.get("x-request-id"),
            headers=headers,
        )
    return error


REDACTED = "[redacted]"
_MIN_SECRET = 4  # a shorter "secret" would take ordinary words out of messages
E = TypeVar("E", bound=MeshAPIError)


def _scrub_text(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
        if "..." in text:  # shortening may have cut a secret: its start, then "..."
            parts = text.split("...")
            for index, head in enumerate(parts[:-1]):
                for size in range(min(len(secret) - 1, len(head)), _MIN_SECRET - 1, -1):
                    if head.endswith(secret[:size]):
                        parts[index] = head[:-size] + REDACTED
                        break
            text = "...".join(parts)
    return text


def _scrub(value: Any, secrets: Sequence[str]) -> Any:
    if isinstance(value, str):
        return _scrub_text(value, secrets)
    if isinstance(value, dict):
        return {_scrub_text(k, secrets): _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    return value


def redact(error: E, secrets: Sequence[str]) -> E:
    """``error``, with each of ``secrets`` taken out of everything it shows (its message,
    args, body, details, codes, ids and header values), in place.

    A call's error is built from what a server sent, and a server may echo a call's secret:
    a token in "unknown key rsk_...", a provider key in a validation error. ``secrets``
    shorter than four characters are left alone.

    >>> error = error_from_response(400, {}, b'{"error": {"message": "bad key sk-live-123"}}')
    >>> redact(error, ["sk-live-123"]).message
    'bad key [redacted]'
    """
    secrets = [s for s in secrets if len(s) >= _MIN_SECRET]
    if not secrets:
        return error
    error.message = _scrub_text(error.message, secrets)
    error.args = tuple(_scrub(arg, secrets) for arg in error.args)
    for name in ("body", "details", "provider_code", "error_code", "request_id"):
        value = getattr(error, name, None)
        if value is not None:
            setattr(error, name, _scrub(value, secrets))
    if any(secret in value for value in error.headers.values() for secret in secrets):
        error.headers = {name: _scrub_text(value, secrets) for name, value in error.headers.items()}
    return error


# --- openai-python's names for the same classes ------------------------------------------
# Code written for openai-python catches these; each is a class above, not a copy.

APIError = MeshAPIError
"""openai-python's name for :class:`MeshAPIError`, the base of every error the SDK raises."""
InternalServerError = ServerError
"""openai-python's name for :class:`ServerError` (5xx)."""
APIResponseValidationError = ResponseDecodeError
"""openai-python's name for :class:`ResponseDecodeError`: a body that is not what was
promised."""
