"""Moderations: ``POST /v1/moderations`` (``docs/gateway/api.md`` §8; in the emulator:
``docs/data-plane/moderations.md``). A text containing a word of :data:`FLAGGED_KEYWORDS`
is flagged in that word's category; only :data:`MODERATION_MODELS` are served.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Dict, List

from .._gateway.errors import GatewayError
from .._gateway.plan import ResponsePlan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.validate import (
    Checker,
    RequestSchema,
    list_of,
    literal,
    nullable,
    obj,
    string,
    union,
)

CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
    "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions", "sexual",
    "sexual/minors", "violence", "violence/graphic",
)  # fmt: skip
"""OpenAI's moderation categories, every one present in every result."""

FLAGGED_KEYWORDS: Dict[str, str] = {
    "kill": "violence",
    "murder": "violence",
    "gore": "violence/graphic",
    "bomb": "illicit/violent",
    "steal": "illicit",
    "hate": "hate",
    "harass": "harassment",
    "threaten": "harassment/threatening",
    "suicide": "self-harm",
    "nsfw": "sexual",
}
"""The words that flag an input, and the category each flags."""

MODERATION_MODELS = ("omni-moderation-latest", "text-moderation-latest")
"""The moderation models the emulator serves (``model`` may also carry ``openai/``)."""

_ITEM = obj(
    {
        "type": literal("text", "image_url"),
        "text": nullable(string()),
        "image_url": nullable(obj({"url": string()}, required=("url",))),
    },
    required=("type",),
)
_CHECKS: Dict[str, Checker] = {
    "input": union(string(), list_of(string()), list_of(_ITEM)),
    "model": nullable(string(min_length=1)),
}
_REQUEST = RequestSchema(_CHECKS, required=("input",))
_WORD = re.compile(r"[a-z]+")


def _result(text: str) -> Dict[str, Any]:
    found = {FLAGGED_KEYWORDS[w] for w in _WORD.findall(text.lower()) if w in FLAGGED_KEYWORDS}
    categories: Dict[str, bool] = {}
    scores: Dict[str, float] = {}
    for name in CATEGORIES:
        digest = hashlib.sha256(f"{name}\x00{text}".encode()).digest()
        categories[name] = name in found
        scores[name] = round(0.9 + digest[0] / 2550 if name in found else digest[0] / 25600, 6)
    return {"flagged": bool(found), "categories": categories, "category_scores": scores}


def create_moderation(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    model = body.get("model") or "omni-moderation-latest"
    if model.split("/", 1)[-1] not in MODERATION_MODELS:
        raise GatewayError(404, "model_not_found", f"Model '{model}' not found.")
    ctx.entry.model = model
    value = body["input"]
    if isinstance(value, str):
        results = [_result(value)]
    elif value and all(isinstance(v, dict) for v in value):
        text = " ".join(
            str(item.get("text") or "")
            if item.get("type") == "text"
            else str((item.get("image_url") or {}).get("url", ""))
            for item in value
        )
        results = [_result(text)]
    else:
        results = [_result(v) for v in value]
    return json_plan(
        200, {"id": "modr-" + ctx.state.ids.alnum(24), "model": model, "results": results}
    )


ROUTES: List[Route] = [
    Route("POST", "/v1/moderations", ["dp"], create_moderation, request=_REQUEST),
]
