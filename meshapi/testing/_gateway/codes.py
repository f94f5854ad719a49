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
    "bad_request": Documented(400, "Bad request."),
    "invalid_request": Documented(400, "Invalid parameter for this model.", "invalid_request"),
    "invalid_input": Documented(400, "The attached file could not be read.", "invalid_input"),
    "context_window_exceeded": Documented(
        400,
        "This model's maximum context length is 128000 tokens.",
        "context_window_exceeded",
    ),
    "content_policy_violation": Documented(
        400, "The provider's content filter refused the request.", "content_policy_violation"
    ),
    "invalid_api_version": Documented(400, "Unknown X-Mesh-Version."),
    "model_capability_not_supported": Documented(400, "The model cannot serve this request."),
    "model_not_available_on_pinned_provider": Documented(
        400, "The key's pinned provider does not serve this model."
    ),
    "unsupported_operation": Documented(
        400, "The model does not support this operation.", "unsupported_operation"
    ),
    "model_brand_unknown": Documented(400, "The model policy needs a brand; the model has none."),
    "pii_redaction_unavailable": Documented(400, "PII redaction could not run."),
    "unauthorized": Documented(401, "Invalid or missing API key."),
    "upstream_auth_error": Documented(401, "The provider rejected your key.", "invalid_auth"),
    "spend_limit_exceeded": Documented(402, "Spend limit exceeded."),
    "insufficient_credits": Documented(
        402, "Your provider account is out of credit.", "insufficient_credits"
    ),
    "forbidden": Documented(403, "Forbidden."),
    "model_excluded": Documented(403, "The model policy excludes this model."),
    "feature_not_enabled": Documented(403, "This feature is not enabled for your account."),
    "model_not_found": Documented(404, "Model not found.", "model_not_found"),
    "not_found": Documented(404, "Not found."),
    "resource_not_found": Documented(404, "Referenced resource not found.", "resource_not_found"),
    "provider_resource_not_found": Documented(404, "The provider no longer has this task."),
    "conflict": Documented(409, "Conflict."),
    "unprocessable_entity": Documented(422, "The request cannot be processed."),
    "validation_error": Documented(422, "Request validation failed."),
    "rate_limit_exceeded": Documented(429, "Rate limit exceeded.", retry_after=5),
    "upstream_rate_limit_error": Documented(
        429, "The provider throttled the request.", "rate_limit_exceeded", retry_after=5
    ),
    "batch_limit_exceeded": Documented(
        429, "You already have 10 batches in progress.", retry_after=60
    ),
    "internal_error": Documented(500, "Internal server error."),
    "provider_job_failed": Documented(500, "The provider's job failed; you were not charged."),
    "api_version_migration_failed": Documented(
        500, "Down-conversion to the pinned version failed."
    ),
    "secret_provision_failed": Documented(500, "Could not store the provider secret."),
    "invalid_search_parameter": Documented(400, "Invalid search parameter."),
    "not_implemented": Documented(501, "The provider does not implement this operation."),
    "upstream_error": Documented(502, "Provider failed.", "bad_response"),
    "byok_fallback_disabled": Documented(502, "Your provider key failed and fallback is off."),
    "all_models_failed": Documented(502, "Every model failed."),
    "provider_not_available": Documented(503, "Provider not available."),
    "model_policy_unavailable": Documented(503, "The model policy could not be evaluated."),
    "gateway_timeout": Documented(504, "Gateway timeout.", "provider_timeout"),
}
"""Every HTTP error code of ``docs/gateway/errors.md`` §3, by code."""


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
