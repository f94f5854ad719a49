"""Error responses in the gateway's exact shapes (``docs/gateway/errors.md``).

Route handlers raise :class:`GatewayError`; the gateway turns it into the standard envelope
``{"error": {"code", "message", ...}, "request_id": "req_..."}`` with the response's own
request id. Validation problems are FastAPI-style ``details`` items ``{type, loc, msg}``.
The edge's 413 and proxy-style failures are HTML pages with no JSON and no request id.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from .plan import ResponsePlan, bytes_plan, json_plan

Loc = Tuple[Union[str, int], ...]

REASONS: Dict[int, str] = {
    100: "Continue", 200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request",
    401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
    413: "Request Entity Too Large", 422: "Unprocessable Entity", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
}  # fmt: skip

# The code the gateway sends for a status when nothing more specific applies.
DEFAULT_CODES: Dict[int, str] = {
    400: "bad_request", 401: "unauthorized", 402: "spend_limit_exceeded", 403: "forbidden",
    404: "not_found", 405: "method_not_allowed", 409: "conflict", 422: "validation_error",
    429: "rate_limit_exceeded", 500: "internal_error", 501: "not_implemented",
    502: "upstream_error", 503: "provider_not_available", 504: "gateway_timeout",
}  # fmt: skip

DEFAULT_MESSAGES: Dict[str, str] = {
    "bad_request": "Bad request.", "unauthorized": "Invalid or missing API key.",
    "spend_limit_exceeded": "Spend limit exceeded.", "forbidden": "Forbidden.",
    "not_found": "Not found.", "conflict": "Conflict.",
    "validation_error": "Request validation failed.",
    "rate_limit_exceeded": "Rate limit exceeded.", "internal_error": "Internal server error.",
    "not_implemented": "Not implemented.", "upstream_error": "Provider failed.",
    "provider_not_available": "Provider not available.", "gateway_timeout": "Gateway timeout.",
}  # fmt: skip


class GatewayError(Exception):
    """An error response a handler decided on: status, code, message and extras.

    ``extra`` fields go inside ``error`` (e.g. ``retry_after_seconds``); ``headers`` are added
    to the response (e.g. ``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Any = None,
        extra: Optional[Mapping[str, Any]] = None,
        headers: Sequence[Tuple[str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.extra: Mapping[str, Any] = extra or {}
        self.headers = tuple(headers)


def detail(type_: str, loc: Loc, msg: str) -> Dict[str, Any]:
    """One FastAPI-style validation problem."""
    return {"type": type_, "loc": list(loc), "msg": msg}


def validation_error(details: List[Dict[str, Any]]) -> GatewayError:
    """The 422 ``validation_error`` carrying ``details``."""
    return GatewayError(422, "validation_error", "Request validation failed.", details=details)


def invalid(type_: str, loc: Loc, msg: str) -> GatewayError:
    """The 422 of one problem (:func:`detail`)."""
    return validation_error([detail(type_, loc, msg)])


def envelope(
    code: str,
    message: str,
    request_id: Optional[str],
    *,
    details: Any = None,
    extra: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """The standard error envelope; ``request_id=None`` leaves it out (old stream frames)."""
    error: Dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    if extra:
        error.update(extra)
    body: Dict[str, Any] = {"error": error}
    if request_id is not None:
        body["request_id"] = request_id
    return body


def error_plan(error: GatewayError, request_id: str) -> ResponsePlan:
    """The JSON response for ``error``."""
    body = envelope(error.code, error.message, request_id, details=error.details, extra=error.extra)
    return json_plan(error.status, body, headers=error.headers)


def html_page(status: int) -> bytes:
    """A minimal nginx-style HTML error page, as an edge proxy sends it."""
    title = f"{status} {REASONS.get(status, 'Error')}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        f"</body>\r\n</html>\r\n"
    ).encode("ascii")


def too_large_plan() -> ResponsePlan:
    """The edge's HTML 413 for a body over 32 MiB; the connection is closed afterwards."""
    return bytes_plan(413, html_page(413), "text/html", close=True)
