"""Every HTTP error code of ``docs/gateway/errors.md`` §3, with the status and extras it comes with.

Any of them is reached by the fault :class:`~meshapi.testing.faults.Error`, or by the model id
``mesh/error/<code>`` at a route's real decision point (after authentication and validation).
Where the catalogue gives a range the status is a documented pick, and ``provider_code`` its
first; 429s carry ``Retry-After``. WebSocket-only codes and the Anthropic envelope are not
here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from .catalog import shipped
from .errors import GatewayError, detail

ERROR_MODEL_PREFIX = "mesh/error/"
"""Model ids under this prefix answer with the error their last segment names."""


@dataclass(frozen=True)
class Documented:
    """One documented error: its status, upstream reason and the wait a 429 asks for."""

    status: int
    message: str
    provider_code: Optional[str] = None
    retry_after: Optional[int] = None


ERROR_CODES: Dict[str, Documented] = {
    code: Documented(**fields) for code, fields in shipped("error_codes.json").items()
}
"""Every HTTP error code of ``docs/gateway/errors.md`` §3, by code (``data/error_codes.json``)."""


def documented_error(code: str, model: Optional[str] = None) -> GatewayError:
    """The :class:`GatewayError` the gateway answers with for ``code``.

    >>> documented_error("gateway_timeout").status
    504
    """
    documented = ERROR_CODES[code]
    extra: Dict[str, Any] = {}
    headers: Tuple[Tuple[str, str], ...] = ()
    details: Any = None
    if documented.provider_code is not None:
        extra["provider_code"] = documented.provider_code
    if documented.retry_after is not None:
        extra["retry_after_seconds"] = documented.retry_after
        headers = (("retry-after", str(documented.retry_after)),)
    if code == "validation_error":
        details = [detail("missing", ("body", "messages"), "Field required")]
    elif code == "model_not_available_on_pinned_provider":
        details = {"pinned_provider": "openai", "model": model}
    return GatewayError(
        documented.status,
        code,
        documented.message,
        details=details,
        extra=extra,
        headers=headers,
    )


def model_trigger(model: Optional[str]) -> None:
    """Raise the documented error a ``mesh/error/<code>`` model id asks for; nothing for
    any other id (an unknown code is an unknown model, answered as usual)."""
    if model and model.startswith(ERROR_MODEL_PREFIX):
        code = model[len(ERROR_MODEL_PREFIX) :]
        if code in ERROR_CODES:
            raise documented_error(code, model)
