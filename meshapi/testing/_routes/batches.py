"""Batches, ``/v1/batches`` (``docs/gateway/api.md`` §12). Requests are answered at creation;
the status is read from the emulator's clock each time the batch is shown (phases, triggers and
limits: ``docs/data-plane/batches.md``, in the emulator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Set, Tuple

from .._gateway.codes import model_trigger
from .._gateway.errors import GatewayError, detail, validation_error
from .._gateway.plan import ResponsePlan, json_plan
from .._gateway.replies import build_completion
from .._gateway.router import Route, RouteContext
from .._gateway.stores import cursor_page
from .._gateway.validate import (
    RequestSchema,
    any_object,
    list_of,
    literal,
    nullable,
    obj,
    string,
    validate_chat,
)

PHASES: Tuple[Tuple[float, str], ...] = (
    (1.0, "validating"),
    (4.0, "in_progress"),
    (5.0, "finalizing"),
)
"""Each phase's status and the batch age (seconds) at which it ends."""
EXPIRY = 86_400.0
"""A batch's completion window: 24 hours."""
BATCH_LIMIT = 10
"""Unfinished batches an owner may have."""
TERMINAL = frozenset({"completed", "failed", "cancelled", "expired"})
CHAT_URL = "/v1/chat/completions"


@dataclass
class EmulatedBatch:
    """One batch as stored: what was asked, what it will answer, and how it was stopped."""

    id: str
    owner: str
    model: str
    provider: str
    created_at: float
    metadata: Optional[Dict[str, Any]]
    results: List[Dict[str, Any]]
    failures: List[Dict[str, Any]]
    cancelled_at: Optional[float] = None

    @property
    def held(self) -> bool:
        """Whether the ``emulator: hold`` trigger keeps it from finishing."""
        return isinstance(self.metadata, dict) and self.metadata.get("emulator") == "hold"

    def status_at(self, now: float) -> str:
        """The status at time ``now``."""
        age = now - self.created_at
        if self.cancelled_at is not None:
            return "cancelled"
        if self.held:
            if age >= EXPIRY:
                return "expired"
            return "validating" if age < PHASES[0][0] else "in_progress"
        for end, status in PHASES:
            if age < end:
                return status
        return "failed" if len(self.failures) == len(self.results) else "completed"

    def to_json(self, now: float) -> Dict[str, Any]:
        """The batch object of ``docs/gateway/api.md`` §12 at time ``now``."""
        status = self.status_at(now)
        finished = status in ("completed", "failed")
        failed = len(self.failures)
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": CHAT_URL,
            "status": status,
            "model": self.model,
            "provider": self.provider,
            "created_at": int(self.created_at),
            "completed_at": int(self.created_at + PHASES[-1][0]) if finished else None,
            "expires_at": int(self.created_at + EXPIRY),
            "completion_window": "24h",
            "usage_synced": finished,
            "request_counts": {
                "total": len(self.results),
                "completed": len(self.results) - failed if finished else 0,
                "failed": failed if finished else 0,
            },
            "metadata": self.metadata,
            "results": [dict(r) for r in self.results] if finished else None,
            "errors_detail": [dict(f) for f in self.failures] if finished and failed else None,
            "input_file_id": None,
            "output_file_id": None,
            "error_file_id": None,
        }


def _batches(ctx: RouteContext) -> Dict[str, EmulatedBatch]:
    """Every batch of the gateway, by id, oldest first."""
    return ctx.state.store("batches", dict)


_REQUEST = obj(
    {
        "custom_id": string(min_length=1),
        "method": nullable(literal("POST")),
        "url": nullable(literal(CHAT_URL)),
        "body": any_object,
    },
    required=("custom_id", "body"),
)
_CREATE_CHECKS = {
    "requests": list_of(_REQUEST, min_length=1),
    "completion_window": nullable(literal("24h")),
    "metadata": nullable(any_object),
}
_CREATE_REQUEST = RequestSchema(_CREATE_CHECKS, required=("requests",))


def _check_create(body: Any) -> None:
    problems: List[Dict[str, Any]] = []
    _CREATE_REQUEST(body, ("body",), problems)
    if not problems:
        seen: Set[str] = set()
        for index, item in enumerate(body["requests"]):
            if item["custom_id"] in seen:
                message = f"Value error, duplicate custom_id {item['custom_id']!r}"
                loc = ("body", "requests", index, "custom_id")
                problems.append(detail("value_error", loc, message))
            seen.add(item["custom_id"])
    if problems:
        raise validation_error(problems)


def _model_of(ctx: RouteContext, requests: List[Dict[str, Any]]) -> str:
    key = ctx.principal.key
    default = key.default_model if key is not None else None
    models = {r["body"].get("model") or default for r in requests}
    if len(models) != 1:
        raise GatewayError(
            400, "bad_request", "All requests in a batch must target the same model."
        )
    model = models.pop()
    if not isinstance(model, str) or not model:
        raise GatewayError(
            400, "bad_request", "No model specified: pass `model` in each request body."
        )
    return model


def _answer(model: str, custom_id: str, body: Dict[str, Any], ctx: RouteContext) -> Dict[str, Any]:
    """The result of one request, decided now (it is revealed when the batch completes)."""
    problems = validate_chat(body)
    if problems:
        where = ".".join(str(p) for p in problems[0]["loc"][1:])
        return {
            "custom_id": custom_id,
            "response": None,
            "error": {"code": "validation_error", "message": f"{where}: {problems[0]['msg']}"},
        }
    max_tokens = body.get("max_tokens")
    completion = build_completion(
        model,
        [dict(m) for m in body["messages"]],
        seed=body.get("seed"),
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        scripted=None,
    )
    usage = {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "total_tokens": completion.prompt_tokens + completion.completion_tokens,
    }
    reply = {
        "id": ctx.state.ids.completion_id(),
        "object": "chat.completion",
        "created": int(ctx.now),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": completion.text},
                "finish_reason": completion.finish_reason,
            }
        ],
        "usage": usage,
    }
    return {"custom_id": custom_id, "response": {"status_code": 200, "body": reply}, "error": None}


def create_batch(ctx: RouteContext) -> ResponsePlan:
    body = ctx.json_body()
    _check_create(body)
    requests: List[Dict[str, Any]] = body["requests"]
    model = _model_of(ctx, requests)
    model_trigger(model)
    info = ctx.state.catalog.get(model)
    if info is None:
        raise GatewayError(404, "model_not_found", f"Model '{model}' not found.")
    key = ctx.principal.key
    if key is not None and key.allowed_models and model not in key.allowed_models:
        raise GatewayError(403, "forbidden", f"Model '{model}' is not allowed for this API key.")
    if not info.get("supports_batching"):
        raise GatewayError(
            501, "not_implemented", f"The provider of '{model}' does not support batches."
        )
    batches = _batches(ctx)
    owner = ctx.principal.owner
    active = sum(
        1 for b in batches.values() if b.owner == owner and b.status_at(ctx.now) not in TERMINAL
    )
    if active >= BATCH_LIMIT:
        raise GatewayError(
            429,
            "batch_limit_exceeded",
            f"You already have {active} batches in progress; wait for one to finish.",
            extra={"retry_after_seconds": 60},
            headers=(("retry-after", "60"),),
        )
    results = [_answer(model, r["custom_id"], r["body"], ctx) for r in requests]
    failures = [
        {"custom_id": r["custom_id"], **r["error"]} for r in results if r["error"] is not None
    ]
    batch = EmulatedBatch(
        id="batch_" + ctx.state.ids.ulid(),
        owner=owner,
        model=model,
        provider=str(info.get("provider") or model.split("/", 1)[0]),
        created_at=ctx.now,
        metadata=body.get("metadata"),
        results=results,
        failures=failures,
    )
    batches[batch.id] = batch
    return json_plan(200, batch.to_json(ctx.now))


def _visible(ctx: RouteContext) -> EmulatedBatch:
    batch = _batches(ctx).get(ctx.params["batch_id"])
    if batch is None or batch.owner != ctx.principal.owner:
        raise GatewayError(404, "not_found", "Batch not found.")
    return batch


def list_batches(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/batches``: newest first, a cursor page."""
    batches = reversed(list(_batches(ctx).values()))
    mine = [b.to_json(ctx.now) for b in batches if b.owner == ctx.principal.owner]
    return json_plan(200, cursor_page(ctx, mine, unknown_after="empty"))


def get_batch(ctx: RouteContext) -> ResponsePlan:
    return json_plan(200, _visible(ctx).to_json(ctx.now))


def cancel_batch(ctx: RouteContext) -> ResponsePlan:
    batch = _visible(ctx)
    status = batch.status_at(ctx.now)
    if status in TERMINAL and status != "cancelled":
        raise GatewayError(409, "conflict", f"Batch {batch.id} is already {status}.")
    if batch.cancelled_at is None:
        batch.cancelled_at = ctx.now
    return json_plan(200, batch.to_json(ctx.now))


_REALMS = ["dp"]

ROUTES: List[Route] = [
    Route("POST", "/v1/batches", _REALMS, create_batch),
    Route("GET", "/v1/batches", _REALMS, list_batches),
    Route("GET", "/v1/batches/{batch_id}", _REALMS, get_batch),
    Route("POST", "/v1/batches/{batch_id}/cancel", _REALMS, cancel_batch),
]
