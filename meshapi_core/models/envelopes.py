"""The gateway's JSON error envelope as models (``docs/gateway/errors.md`` §1.1), under the
names meshapi 0.1.11 gives them.

The SDK itself never needs these: every error response becomes a
:class:`~meshapi_core.errors.MeshAPIError` carrying the same facts. They are for code that
reads envelopes itself (logs, a proxy, recorded fixtures).

>>> envelope = ApiErrorEnvelope.model_validate_json(
...     b'{"error": {"code": "rate_limit_exceeded", "message": "Slow down.",'
...     b' "retry_after_seconds": 5}, "request_id": "req_01"}')
>>> envelope.error.code, envelope.error.retry_after_seconds, envelope.request_id
('rate_limit_exceeded', 5, 'req_01')
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from .base import ResponseModel

__all__ = ["ApiErrorBody", "ApiErrorEnvelope"]


class ApiErrorBody(ResponseModel):
    """The ``error`` object: ``code`` to branch on, ``message`` to show, and context."""

    code: str
    """The stable error code to branch on, e.g. ``rate_limit_exceeded`` (``docs/gateway/errors.md``
    §3)."""
    message: str = ""
    """Text for people; it may change, so do not branch on it."""
    provider_code: Optional[str] = None
    """The more specific upstream reason (newer gateways, provider failures only)."""
    details: Any = None
    """A list of ``{type, loc, msg}`` for ``validation_error``; other errors may put an
    object here."""
    provider_error: Optional[Dict[str, Any]] = None
    """The upstream's error, as older gateways send it."""
    retry_after_seconds: Optional[int] = None
    """On a 429: how many seconds to wait (the ``Retry-After`` header comes first)."""
    request_id: Optional[str] = None
    """Where one survey saw the request id (inside ``error``); usually it is beside it."""


class ApiErrorEnvelope(ResponseModel):
    """A whole error body: ``{"error": {...}, "request_id": "req_..."}``."""

    error: ApiErrorBody
    """The error itself."""
    request_id: Optional[str] = None
    """The gateway's ``req_...`` id of the request, as in the ``x-request-id`` header."""
