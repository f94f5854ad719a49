"""Router select: ``POST /v1/router/select`` (``docs/gateway/api.md`` §10; how the emulator
picks: ``docs/data-plane/router.md``).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from .._gateway.plan import ResponsePlan, json_plan
from .._gateway.replies import message_text
from .._gateway.router import Route, RouteContext
from .._gateway.validate import (
    CHAT_MESSAGE,
    Checker,
    RequestSchema,
    list_of,
    literal,
    nullable,
    string,
)

PREFERRED = {
    "completions": "openai/gpt-4o-mini",
    "responses": "openai/gpt-4o-mini",
    "embeddings": "openai/text-embedding-3-small",
}
"""The model each ``api_type`` routes to when nothing else decides (also the fallback)."""
CLASSIFIER_FAILURE_MARKER = "[classifier-timeout]"
"""A last user message containing this makes the classifier fail (a soft fallback)."""

_CHECKS: Dict[str, Checker] = {
    "messages": list_of(CHAT_MESSAGE, min_length=1),
    "api_type": nullable(literal("completions", "responses", "embeddings")),
    "exclude_models": nullable(list_of(string())),
    "candidate_models": nullable(list_of(string())),
}
_REQUEST = RequestSchema(_CHECKS, required=("messages",))
_HARD = re.compile(r"\b(prove|derive|step by step|theorem)\b", re.IGNORECASE)


def select(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    api_type = body.get("api_type") or "completions"
    kind = "embedding" if api_type == "embeddings" else "text"
    excluded = set(body.get("exclude_models") or ())
    catalog = ctx.state.catalog

    def eligible(model: str) -> bool:
        info = catalog.get(model)
        return info is not None and info.get("model_type") == kind and model not in excluded

    last = next(
        (message_text(m) for m in reversed(body["messages"]) if m.get("role") == "user"), ""
    )
    reason: Optional[str] = None
    candidates = body.get("candidate_models")
    if CLASSIFIER_FAILURE_MARKER in last:
        chosen, reason = None, "classifier_timeout"
    elif candidates is not None:
        chosen = next((m for m in candidates if eligible(m)), None)
    elif eligible(PREFERRED[api_type]):
        chosen = PREFERRED[api_type]
    else:
        chosen = next((m for m in catalog if eligible(m)), None)
    if chosen is None:
        chosen, reason = PREFERRED[api_type], reason or "no_eligible_model"
    ctx.entry.model = chosen
    meta: Dict[str, Any] = {"fallback_used": reason is not None}
    if reason is not None:
        meta["fallback_reason"] = reason
    effort = "high" if _HARD.search(last) else "low"
    payload = {"model": chosen, "auto_router": meta, "reasoning_effort": effort}
    return json_plan(200, payload)


ROUTES: List[Route] = [Route("POST", "/v1/router/select", ["dp"], select, request=_REQUEST)]
