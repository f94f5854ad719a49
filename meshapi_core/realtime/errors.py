"""How a WebSocket session fails: error events and close codes, as the SDK's exceptions.

The gateway reports a failure during a session as an error event just before it closes the
socket (``docs/gateway/errors.md`` §6)::

    {"type": "error", "error": {"code": "idle_timeout", "message": "...", "param": null},
     "request_id": "req_..."}

and says to branch on ``error.code``, the close code being incidental. Errors that are
OpenAI's own (a bad client event, ``invalid_request_error``) arrive the same way and leave the
session open. Each becomes a :class:`RealtimeError` (the vendor SDK's name, with its
``code``, ``message``, ``param``, ``request_id``) that is *also* the family the code belongs
to, so ``except RateLimitError`` catches ``concurrent_sessions_exceeded`` as it catches a 429::

    RealtimeError (APIStatusError)
    ├── RealtimeBadRequestError        also BadRequestError: a bad event, invalid_request_error
    ├── RealtimeAuthenticationError    also AuthenticationError: invalid_api_key
    ├── RealtimePaymentRequiredError   also PaymentRequiredError: insufficient_quota, 4402
    ├── RealtimePermissionDeniedError  also PermissionDeniedError: feature_not_enabled
    ├── RealtimeNotFoundError          also NotFoundError: model_not_found
    ├── RealtimeRateLimitError         also RateLimitError: concurrent_sessions_exceeded
    └── RealtimeServerError            also ServerError: provider_error, upstream_overload...

The lifecycle codes (``idle_timeout``, ``connection_timeout``, ``service_draining``,
``session_duration_exceeded``, ``provider_error``, ``upstream_overload``) set
:attr:`RealtimeError.reconnect`: the session is over, a new one may be opened.

A close frame with no error event before it is read by its code: 1000 is a clean end
(:class:`SessionClosedError` on the next ``receive``), 1008 a policy refusal, 1011 a server
failure, 4402 a quota or cap, other 4000-4999 codes forwarded from OpenAI. A connection lost
without a close frame is :class:`~meshapi_core.errors.StreamInterruptedError`.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Type

from ..errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    MeshAPIError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    error_from_frame,
)

__all__ = [
    "RECONNECT_CODES",
    "RealtimeAuthenticationError",
    "RealtimeBadRequestError",
    "RealtimeError",
    "RealtimeNotFoundError",
    "RealtimePaymentRequiredError",
    "RealtimePermissionDeniedError",
    "RealtimeRateLimitError",
    "RealtimeServerError",
    "SessionClosedError",
    "error_from_close",
    "error_from_event",
]

RECONNECT_CODES = frozenset(
    {
        "idle_timeout",
        "connection_timeout",
        "service_draining",
        "session_duration_exceeded",
        "provider_error",
        "upstream_overload",
        "going_away",
        "server_error",
    }
)
"""Codes that end a session for reasons of time or service: open a new one to go on."""


class RealtimeError(APIStatusError):
    """An error the gateway reported during a WebSocket session.

    ``code`` (also ``error_code``) is the gateway's ``error.code``; ``param`` the offending
    parameter, if any; ``request_id`` the session's id; ``close_code`` the WebSocket close code
    when the error is read from a close frame; ``reconnect`` is true when the session ended for
    time or service reasons and a new one may be opened.

    >>> err = RealtimeError("idle_timeout", "No client frames for 60 s.", request_id="req_1")
    >>> err.code, err.reconnect, str(err)
    ('idle_timeout', True, 'No client frames for 60 s. (code idle_timeout, request req_1)')
    """

    def __init__(
        self,
        code: str,
        message: str,
        param: Optional[str] = None,
        request_id: Optional[str] = None,
        *,
        close_code: Optional[int] = None,
        details: Any = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        super().__init__(
            message,
            status=0,
            error_code=code,
            request_id=request_id,
            details=details,
            headers=headers,
        )
        self.param = param
        self.close_code = close_code

    @property
    def code(self) -> str:
        """The gateway's ``error.code`` (the vendor SDK's name for ``error_code``)."""
        return self.error_code

    @property
    def reconnect(self) -> bool:
        """Whether the session ended for time or service reasons (open a new one)."""
        return self.error_code in RECONNECT_CODES


class RealtimeBadRequestError(RealtimeError, BadRequestError):
    """A client event the gateway or the model refused."""


class RealtimeAuthenticationError(RealtimeError, AuthenticationError):
    """The credential was refused during the session (``invalid_api_key``)."""


class RealtimePaymentRequiredError(RealtimeError, PaymentRequiredError):
    """No credit or a cap reached (``insufficient_quota``, ``session_token_cap_exceeded``)."""


class RealtimePermissionDeniedError(RealtimeError, PermissionDeniedError):
    """The credential may not use this (``feature_not_enabled``, a policy close)."""


class RealtimeNotFoundError(RealtimeError, NotFoundError):
    """The model does not exist or is not visible to this credential."""


class RealtimeRateLimitError(RealtimeError, RateLimitError):
    """Too many sessions at once (``concurrent_sessions_exceeded``)."""


class RealtimeServerError(RealtimeError, ServerError):
    """The gateway or the upstream failed (``provider_error``, ``upstream_overload``...)."""


class SessionClosedError(MeshAPIError):
    """The session is closed: it ended cleanly, or after an error already raised.

    ``receive`` raises it once the session is over (iteration just stops); ``send`` raises it
    for a session that is closed. ``close_code`` and ``close_reason`` are the close frame's.
    """

    def __init__(
        self,
        message: str,
        *,
        close_code: Optional[int] = None,
        close_reason: str = "",
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message, error_code="session_closed", request_id=request_id)
        self.close_code = close_code
        self.close_reason = close_reason


_FAMILIES: Dict[Type[MeshAPIError], Type[RealtimeError]] = {
    # Most specific first: ValidationError is a BadRequestError.
    BadRequestError: RealtimeBadRequestError,
    AuthenticationError: RealtimeAuthenticationError,
    PaymentRequiredError: RealtimePaymentRequiredError,
    PermissionDeniedError: RealtimePermissionDeniedError,
    NotFoundError: RealtimeNotFoundError,
    RateLimitError: RealtimeRateLimitError,
    ServerError: RealtimeServerError,
}

# WebSocket-only codes (``docs/gateway/errors.md`` §3, "WS") the REST mapping does not place.
_WS_FAMILIES: Dict[str, Type[RealtimeError]] = {
    "concurrent_sessions_exceeded": RealtimeRateLimitError,
    "session_token_cap_exceeded": RealtimePaymentRequiredError,
    "quota_exceeded": RealtimePaymentRequiredError,
    "provider_error": RealtimeServerError,
    "upstream_overload": RealtimeServerError,
    "service_draining": RealtimeServerError,
    "server_error": RealtimeServerError,
    "going_away": RealtimeServerError,
    "policy_violation": RealtimePermissionDeniedError,
}


def _family(code: str, error_type: Optional[str], frame: Dict[str, Any]) -> Type[RealtimeError]:
    if code in _WS_FAMILIES:
        return _WS_FAMILIES[code]
    rest = type(error_from_frame(frame, {}))
    for family, realtime in _FAMILIES.items():
        if issubclass(rest, family):
            return realtime
    if error_type == "invalid_request_error":
        return RealtimeBadRequestError
    if error_type == "server_error":
        return RealtimeServerError
    return RealtimeError


def error_from_event(
    event: Mapping[str, Any], headers: Optional[Mapping[str, str]] = None
) -> RealtimeError:
    """The error an error event reports: ``{"type": "error", "error": {...}, "request_id"}``.

    ``error`` may also be a bare string (the audio sockets' upstreams); the frame's
    ``request_id`` wins over the handshake's ``x-request-id``.

    >>> err = error_from_event({"type": "error", "request_id": "req_9",
    ...                         "error": {"code": "concurrent_sessions_exceeded",
    ...                                   "message": "Too many sessions."}})
    >>> type(err).__name__, err.code, err.request_id
    ('RealtimeRateLimitError', 'concurrent_sessions_exceeded', 'req_9')
    """
    headers = headers or {}
    raw = event.get("error")
    detail: Dict[str, Any] = raw if isinstance(raw, dict) else {}
    error_type = detail.get("type") if isinstance(detail.get("type"), str) else None
    code = detail.get("code")
    if not isinstance(code, str) or not code:
        code = error_type or "error"
    message = detail.get("message")
    if not isinstance(message, str) or not message:
        message = raw if isinstance(raw, str) and raw else "The gateway reported an error."
    param = detail.get("param") if isinstance(detail.get("param"), str) else None
    request_id = event.get("request_id") or detail.get("request_id")
    if not isinstance(request_id, str):
        request_id = headers.get("x-request-id")
    frame = {"error": {"code": code, "message": message}}
    family = _family(code, error_type, frame)
    return family(
        code,
        message,
        param,
        request_id,
        details=detail.get("details"),
        headers=headers,
    )


_CLOSE_CODES: Dict[int, str] = {
    1001: "going_away",
    1002: "protocol_error",
    1003: "unsupported_data",
    1007: "invalid_payload",
    1008: "policy_violation",
    1009: "message_too_big",
    1011: "server_error",
    1012: "service_restart",
    1013: "try_again_later",
    4402: "quota_exceeded",
}


def error_from_close(
    code: int, reason: str, headers: Optional[Mapping[str, str]] = None
) -> Optional[RealtimeError]:
    """The error a close frame with no error event before it means, or ``None`` for a clean
    end (1000, or no code at all).

    >>> error_from_close(1000, "") is None
    True
    >>> err = error_from_close(4402, "Out of credit")
    >>> type(err).__name__, err.code, err.close_code
    ('RealtimePaymentRequiredError', 'quota_exceeded', 4402)
    """
    if code in (1000, 1005):
        return None
    headers = headers or {}
    name = _CLOSE_CODES.get(code)
    if name is None:
        name = "upstream_close" if 4000 <= code <= 4999 else "abnormal_close"
    family = _WS_FAMILIES.get(name, RealtimeError)
    if name in ("protocol_error", "unsupported_data", "invalid_payload", "message_too_big"):
        family = RealtimeBadRequestError
    why = f": {reason}" if reason else ""
    return family(
        name,
        f"The gateway closed the session with code {code}{why}",
        None,
        headers.get("x-request-id"),
        close_code=code,
        headers=headers,
    )
