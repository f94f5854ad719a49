"""What the inference routes share: choosing the model, reading conversations, usage.

Model resolution follows ``docs/gateway/api.md`` §0, as ``/v1/chat/completions`` does: the request
body's ``model``, else the key's ``default_model``, else the template's (400 ``bad_request``
if none); ``auto`` is the Auto Router's pick; the model must be in the catalog (404
``model_not_found``), allowed for the key (403 ``forbidden``) and of the endpoint's type (400
``model_capability_not_supported``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from .errors import GatewayError
from .replies import message_text
from .router import RouteContext
from .state import Template

AUTO_MODEL = "openai/gpt-4o-mini"
"""The model the emulated Auto Router (``model: "auto"``) always picks."""
UNAVAILABLE_PREFIX = "mesh/unavailable/"
"""Model ids under this prefix are down: they answer nothing, and a ``models`` list moves on."""


def find_template(ctx: RouteContext, body: Dict[str, Any]) -> Optional[Template]:
    """The template a body names (``template``: a name or UUID), or ``None``; 404 if it
    names one the caller cannot see."""
    name = body.get("template")
    if not name:
        return None
    template = ctx.state.find_template(ctx.principal.owner, name)
    if template is None:
        raise GatewayError(404, "not_found", f"Template '{name}' not found.")
    return template


def resolve_model(
    ctx: RouteContext,
    requested: Optional[str],
    *,
    template: Optional[Template] = None,
    types: Sequence[str] = ("text",),
    auto: str,
    what: str,
) -> Tuple[str, Dict[str, Any]]:
    """The model id that serves the request and its catalog entry; see the module docs.

    ``types`` are the catalog types the endpoint accepts, ``auto`` the model ``"auto"``
    stands for, ``what`` the endpoint's name for messages."""
    key = ctx.principal.key
    chosen = (
        requested
        or (key.default_model if key is not None else None)
        or (template.model if template is not None else None)
    )
    if not chosen:
        raise GatewayError(
            400,
            "bad_request",
            "No model specified: pass `model`, or set a default model on the key or template.",
        )
    model = auto if chosen == "auto" else chosen
    info = ctx.state.catalog.get(model)
    if info is None:
        raise GatewayError(404, "model_not_found", f"Model '{chosen}' not found.")
    if key is not None and key.allowed_models and model not in key.allowed_models:
        raise GatewayError(403, "forbidden", f"Model '{model}' is not allowed for this API key.")
    if info.get("model_type") not in types:
        raise GatewayError(
            400, "model_capability_not_supported", f"Model '{model}' cannot serve {what}."
        )
    ctx.entry.model = model
    return model, info


def input_messages(value: Any) -> List[Dict[str, Any]]:
    """Chat-style messages from a Responses ``input``: a string is one user message; a list
    keeps its items that have a ``role``, with ``input_text``/``output_text`` parts read as
    text."""
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    out: List[Dict[str, Any]] = []
    for item in value if isinstance(value, list) else ():
        if not isinstance(item, dict) or not isinstance(item.get("role"), str):
            continue
        out.append({"role": item["role"], "content": message_text(item)})
    return out
