"""``POST /v1/chat/completions`` (``docs/gateway/api.md`` §1; in the emulator:
``docs/data-plane/chat.md``).

Decisions in the gateway's order: validation (422), the ``template`` (404, 422 for a missing
slot), the model (body -> key default -> template; ``mesh/error/<code>`` answers that error,
:mod:`~meshapi.testing._gateway.codes`), then the ``models`` fallback list past unavailable
models (``mesh/unavailable/...``), announced in ``X-Mesh-Routing-*`` headers (502
``all_models_failed`` when none serves). A repeated cacheable request is a cache hit
(:mod:`~meshapi.testing._gateway.cache`); otherwise the reply comes from
:mod:`~meshapi.testing._gateway.replies`, :mod:`~meshapi.testing._gateway.tools` and
:mod:`~meshapi.testing._gateway.schema`. Streams follow ``docs/gateway/streaming.md`` §2 byte
for byte, produced lazily.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from .._gateway.cache import cache_key, response_cache
from .._gateway.codes import documented_error, model_trigger
from .._gateway.errors import GatewayError, validation_error
from .._gateway.inference import AUTO_MODEL, UNAVAILABLE_PREFIX, resolve_model
from .._gateway.plan import ResponsePlan, dumps, json_plan, sse_plan
from .._gateway.replies import Completion, build_completion, last_user_text
from .._gateway.router import Route, RouteContext
from .._gateway.schema import response_schema, structured_completion
from .._gateway.tools import chat_tool_request, decide_tool_calls
from .._gateway.validate import CHAT_FIELDS, validate_chat


def _provider(catalog: Dict[str, Dict[str, Any]], model: str) -> str:
    info = catalog.get(model) or {}
    return str(info.get("provider") or model.split("/", 1)[0])


def _serving(ctx: RouteContext, model: str, fallbacks: Any) -> Tuple[str, int]:
    """The first available model of ``model`` then ``fallbacks`` (the body's ``models``),
    and how many were tried; the error of the only model, or ``all_models_failed``."""
    chain = [model] + [m for m in fallbacks or () if isinstance(m, str) and m != model]
    error = None
    for attempt, candidate in enumerate(chain, 1):
        model_trigger(candidate)  # mesh/error/<code>: the documented error, as if from here
        if candidate.startswith(UNAVAILABLE_PREFIX):
            error = documented_error("provider_not_available", candidate)
        elif candidate not in ctx.state.catalog:
            error = GatewayError(404, "model_not_found", f"Model '{candidate}' not found.")
        else:
            return candidate, attempt
    if len(chain) > 1:
        raise documented_error("all_models_failed")
    assert error is not None
    raise error


def _usage(completion: Completion) -> Dict[str, Any]:
    return {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "total_tokens": completion.prompt_tokens + completion.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
    }


def _events(
    completion_id: str, created: int, model: str, completion: Completion, call_ids: List[str]
) -> Iterator[bytes]:
    """The SSE events of one streamed completion, lazily. Each tool call opens with its id,
    name and empty arguments, then its arguments follow in fragments, as providers send them."""
    head = dumps(
        {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}
    )[:-1]
    opening = b"data: " + head + b',"choices":[{"index":0,"delta":'

    def chunk(delta: Dict[str, Any], finish_reason: Optional[str] = None) -> bytes:
        return opening + dumps(delta) + b',"finish_reason":' + dumps(finish_reason) + b"}]}\n\n"

    if completion.tool_calls:
        for index, (call, pieces) in enumerate(
            zip(completion.tool_calls, completion.argument_deltas)
        ):
            header: Dict[str, Any] = {
                "index": index,
                "id": call_ids[index],
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            first = {"role": "assistant", "tool_calls": [header]} if index == 0 else {}
            yield chunk(first or {"tool_calls": [header]})
            for piece in pieces:
                yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    else:
        deltas = completion.deltas
        yield chunk({"role": "assistant", "content": deltas[0] if deltas else ""})
        for piece in deltas[1:]:
            yield chunk({"content": piece})
    yield chunk({}, completion.finish_reason)
    yield b"data: " + head + b',"choices":[],"usage":' + dumps(_usage(completion)) + b"}\n\n"
    yield b"data: [DONE]\n\n"


def _body(
    completion_id: str, created: int, model: str, completion: Completion, call_ids: List[str]
) -> Dict[str, Any]:
    message: Dict[str, Any] = {"role": "assistant", "content": completion.text}
    if completion.tool_calls:
        message["tool_calls"] = [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call, call_id in zip(completion.tool_calls, call_ids)
        ]
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": completion.finish_reason}],
        "usage": _usage(completion),
    }


def create_chat_completion(ctx: RouteContext) -> ResponsePlan:
    body = ctx.json_body()
    problems = validate_chat(body)
    if problems:
        raise validation_error(problems)
    ctx.entry.unknown_fields = tuple(sorted(k for k in body if k not in CHAT_FIELDS))
    state, key = ctx.state, ctx.principal.key

    messages: List[Dict[str, Any]] = [dict(m) for m in body["messages"]]
    template = None
    if body.get("template"):
        template = state.find_template(ctx.principal.owner, body["template"])
        if template is None:
            raise GatewayError(404, "not_found", f"Template '{body['template']}' not found.")
        messages = template.render(body.get("variables") or {}) + messages
    ctx.entry.messages = messages

    requested = (
        body.get("model")
        or (key.default_model if key is not None else None)
        or (template.model if template is not None else None)
    )
    if not requested:
        raise GatewayError(
            400,
            "bad_request",
            "No model specified: pass `model`, or set a default model on the key or template.",
        )
    wanted = AUTO_MODEL if requested == "auto" else requested
    ctx.entry.model = wanted
    model, attempts = _serving(ctx, wanted, body.get("models"))
    resolve_model(ctx, model, auto=AUTO_MODEL, what="chat completions")  # allowed, a text model

    params: Dict[str, Any] = template.params if template is not None else {}
    max_tokens = body.get("max_tokens")
    if max_tokens is None and isinstance(params.get("max_tokens"), int):
        max_tokens = params["max_tokens"]
    tools = chat_tool_request(body)
    has_tools = tools is not None and tools.choice != "none"
    scripted = state.script.take(model, has_tools)
    cache = response_cache(ctx)
    key_of_cache = cache_key(ctx, body) if scripted is None else None
    if key_of_cache is not None:
        kept = cache.get(key_of_cache, ctx.now)
        if kept is not None:
            ctx.extra_headers.append(("x-cache", "HIT"))
            usage = kept.get("usage") or {}
            ctx.charge(
                model, usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0), cached=True
            )
            return json_plan(200, kept)
    completion = build_completion(
        model,
        messages,
        seed=body.get("seed"),
        max_tokens=int(max_tokens) if max_tokens is not None else None,
        scripted=scripted,
        calls=decide_tool_calls(tools, last_user_text(messages)),
    )
    schema = response_schema(body.get("response_format"))
    if scripted is None and schema is not None:
        completion = structured_completion(
            completion, schema, int(max_tokens) if max_tokens is not None else None
        )
    ctx.charge(model, completion.prompt_tokens, completion.completion_tokens)
    completion_id = state.ids.completion_id()
    call_ids = [call.call_id or state.ids.call_id() for call in completion.tool_calls]
    created = int(ctx.now)

    if body.get("stream"):
        headers = [("x-resolved-model-id", model)] if requested == "auto" else []
        return sse_plan(
            _events(completion_id, created, model, completion, call_ids), headers=headers
        )
    payload = _body(completion_id, created, model, completion, call_ids)
    if requested == "auto":
        payload["x_resolved_model_id"] = model
        payload["x_auto_routed_fallback"] = False
    if key_of_cache is not None:
        cache.put(key_of_cache, ctx.now, payload)
    if attempts > 1:
        moved = _provider(state.catalog, model) != _provider(state.catalog, wanted)
        ctx.extra_headers += [
            ("x-mesh-routing-attempts", str(attempts)),
            ("x-mesh-routing-fallback", "true" if moved else "false"),
            ("x-mesh-routing-model", model),
        ]
    return json_plan(200, payload)


ROUTES: List[Route] = [Route("POST", "/v1/chat/completions", ["dp"], create_chat_completion)]
