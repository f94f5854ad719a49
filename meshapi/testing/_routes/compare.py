"""Model compare: ``POST /v1/chat/compare`` (``docs/gateway/api.md`` §2, ``streaming.md`` §3;
failures and event names: ``docs/data-plane/compare.md``). Each model answers as a chat
completion would; :data:`COMPARISON_MODEL` (or ``comparison_model``) writes the evaluation
unless ``skip_comparison``. Latencies are ``200 + 10 * completion tokens`` ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Tuple

from .._gateway.errors import GatewayError
from .._gateway.inference import find_template
from .._gateway.plan import ResponsePlan, dumps, json_plan, sse_plan
from .._gateway.replies import Completion, build_completion, split_words
from .._gateway.router import Route, RouteContext
from .._gateway.validate import (
    CHAT_MESSAGE,
    Checker,
    RequestSchema,
    boolean,
    dict_of,
    integer,
    list_of,
    nullable,
    number,
    obj,
    string,
)

TIMEOUT_MODEL = "mesh/timeout"
"""A model id whose answer always times out (a per-model failure)."""
COMPARISON_MODEL = "openai/gpt-4o-mini"
"""The comparison model used when the request names none (or an unknown one)."""

_OVERRIDE = obj(
    {
        "model": string(min_length=1),
        "temperature": nullable(number(ge=0, le=2)),
        "max_tokens": nullable(integer(ge=1)),
        "system_prompt": nullable(string()),
    },
    required=("model",),
)
_CHECKS: Dict[str, Checker] = {
    "models": list_of(string(min_length=1), min_length=2),
    "messages": list_of(CHAT_MESSAGE, min_length=1),
    "model_overrides": nullable(list_of(_OVERRIDE)),
    "comparison_model": nullable(string(min_length=1)),
    "comparison_instructions": nullable(string()),
    "temperature": nullable(number(ge=0, le=2)),
    "max_tokens": nullable(integer(ge=1)),
    "stream": nullable(boolean),
    "skip_comparison": nullable(boolean),
    "template": nullable(string(min_length=1)),
    "variables": nullable(dict_of(string())),
    "cache": nullable(boolean),
}
_REQUEST = RequestSchema(_CHECKS, required=("models", "messages"))


@dataclass
class _Result:
    model: str
    latency_ms: int
    request_id: str
    completion: Optional[Completion] = None
    error: Optional[str] = None
    error_code: Optional[str] = None

    def to_json(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {
            "model": self.model,
            "content": None,
            "response_body": None,
            "latency_ms": self.latency_ms,
            "error": self.error,
            "error_code": self.error_code,
            "usage": _usage(self.completion),
            "request_id": self.request_id,
        }
        if self.completion is not None:
            out["content"] = self.completion.text
            out["response_body"] = {
                "object": "chat.completion",
                "model": self.model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": self.completion.text},
                        "finish_reason": self.completion.finish_reason,
                    }
                ],
                "usage": _usage(self.completion),
            }
        return out


def _usage(completion: Optional[Completion]) -> Optional[Dict[str, int]]:
    if completion is None:
        return None
    return {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "total_tokens": completion.prompt_tokens + completion.completion_tokens,
    }


def _answer(
    ctx: RouteContext, model: str, messages: List[Dict[str, Any]], body: Dict[str, Any]
) -> _Result:
    request_id = ctx.state.ids.request_id()
    info = ctx.state.catalog.get(model)
    failure: Optional[Tuple[int, str, str]] = None
    if model == TIMEOUT_MODEL:
        failure = (120_000, "Model timed out after 120 s.", "gateway_timeout")
    elif info is None or info.get("model_type") != "text":
        failure = (0, f"Model '{model}' not found.", "model_not_found")
    if failure is not None:
        latency, error, code = failure
        return _Result(model, latency, request_id, error=error, error_code=code)
    override: Dict[str, Any] = next(
        (o for o in body.get("model_overrides") or () if o.get("model") == model), {}
    )
    own = list(messages)
    if override.get("system_prompt"):
        own = [{"role": "system", "content": override["system_prompt"]}, *own]
    max_tokens = override.get("max_tokens") or body.get("max_tokens")
    completion = build_completion(
        model, own, seed=None, max_tokens=max_tokens, scripted=ctx.state.script.take(model, False)
    )
    return _Result(model, 200 + 10 * completion.completion_tokens, request_id, completion)


def _comparison(answered: List[_Result]) -> Completion:
    names = ", ".join(r.model for r in answered)
    shortest = min(answered, key=lambda r: (r.completion.completion_tokens, r.model))  # type: ignore[union-attr]
    text = f"Compared {len(answered)} answers ({names}); the most concise is {shortest.model}."
    return Completion(tuple(split_words(text)), "stop", 10 * len(answered))


def compare(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    template = find_template(ctx, body)
    messages = [dict(m) for m in body["messages"]]
    if template is not None:
        messages = template.render(body.get("variables") or {}) + messages
    ctx.entry.messages = messages
    models = list(dict.fromkeys(body["models"]))
    results = [_answer(ctx, model, messages, body) for model in models]
    answered = [r for r in results if r.completion is not None]
    if not answered:
        raise GatewayError(
            502,
            "all_models_failed",
            "Every compared model failed.",
            details=[
                {"model": r.model, "error": r.error, "error_code": r.error_code} for r in results
            ],
        )
    skip = bool(body.get("skip_comparison"))
    comparison = _comparison(answered) if not skip and len(answered) >= 2 else None
    judge = body.get("comparison_model") or COMPARISON_MODEL
    fallback = judge not in ctx.state.catalog
    if fallback:
        judge = COMPARISON_MODEL
    for result in answered:  # N answers and the comparison: N+1 usage events, one request
        done = result.completion
        assert done is not None
        ctx.charge(result.model, done.prompt_tokens, done.completion_tokens)
    if comparison is not None:
        ctx.charge(judge, comparison.prompt_tokens, comparison.completion_tokens)
    comparison_latency = 200 + 10 * comparison.completion_tokens if comparison else 0
    summary: Dict[str, Any] = {
        "comparison_id": "cmp_" + ctx.state.ids.alnum(24),
        "object": "chat.compare",
        "created": int(ctx.now),
        "models": models,
        "results": [r.to_json() for r in results],
        "comparison": comparison.text if comparison else None,
        "comparison_model": judge if comparison else None,
        "comparison_usage": _usage(comparison),
        "comparison_fallback_used": fallback and comparison is not None,
        "total_latency_ms": max(r.latency_ms for r in results) + comparison_latency,
        "partial": len(answered) < len(results),
        "skip_comparison": skip,
    }
    if body.get("stream"):
        return sse_plan(_events(summary, results, comparison))
    return json_plan(200, summary)


def _pick(source: Dict[str, Any], *names: str) -> Dict[str, Any]:
    """The entries ``names`` of ``source``, in that order (an event's fields)."""
    return {name: source[name] for name in names}


def _frame(name: str, data: Dict[str, Any]) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + dumps(data) + b"\n\n"


def _events(
    summary: Dict[str, Any], results: List[_Result], comparison: Optional[Completion]
) -> Iterator[bytes]:
    skip = summary["skip_comparison"]
    yield _frame("start", _pick(summary, "comparison_id", "models", "skip_comparison"))
    for result in results:
        if result.error is not None:
            failure = _pick(vars(result), "model", "error", "error_code", "latency_ms")
            yield _frame("model_error", failure)
    answered = [r for r in results if r.completion is not None]
    if skip:
        pending = {r.model: list(r.completion.deltas) for r in answered}  # type: ignore[union-attr]
        while any(pending.values()):
            for model, deltas in pending.items():
                if deltas:
                    yield _frame("delta", {"model": model, "delta": deltas.pop(0)})
    for result in answered:
        done: Dict[str, Any] = {
            "model": result.model,
            "finish_reason": result.completion.finish_reason,  # type: ignore[union-attr]
            "latency_ms": result.latency_ms,
            "usage": _usage(result.completion),
        }
        if not skip:
            done["content"] = result.completion.text  # type: ignore[union-attr]
        yield _frame("model_done", done)
    if comparison is not None:
        for piece in comparison.deltas:
            yield _frame("delta", {"model": summary["comparison_model"], "delta": piece})
        yield _frame(
            "comparison_done",
            {"comparison_model": summary["comparison_model"], "usage": _usage(comparison)},
        )
    ending = ("comparison_id", "total_latency_ms", "partial", "comparison_fallback_used")
    yield _frame("done", _pick(summary, *ending))
    yield b"data: [DONE]\n\n"


ROUTES: List[Route] = [Route("POST", "/v1/chat/compare", ["dp"], compare, request=_REQUEST)]
