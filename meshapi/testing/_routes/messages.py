"""Anthropic Messages: ``POST /v1/messages`` (``docs/gateway/api.md`` §16; in the emulator:
``docs/data-plane/messages.md``). The reply is the chat completion of the same conversation as
an Anthropic message (``text`` or ``tool_use`` blocks), every error in Anthropic's envelope.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterator, List, Optional

from .._gateway.errors import GatewayError
from .._gateway.inference import AUTO_MODEL, resolve_model
from .._gateway.plan import ResponsePlan, dumps, json_plan, sse_plan
from .._gateway.replies import Completion, build_completion, last_user_text
from .._gateway.router import Route, RouteContext
from .._gateway.tools import decide_tool_calls, messages_tool_request
from .._gateway.validate import (
    Checker,
    RequestSchema,
    any_object,
    anything,
    boolean,
    integer,
    list_of,
    literal,
    nullable,
    number,
    obj,
    string,
    union,
)

ANTHROPIC_ERROR_TYPES: Dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}
"""Anthropic's error types and their statuses."""
ERROR_MARKER = re.compile(r"\[\[error:([a-z_]+)\]\]")
"""``[[error:overloaded_error]]`` in the last user message fails the call with that type."""

_BLOCK = obj({"type": string(min_length=1)}, required=("type",))
_MESSAGE = obj(
    {"role": literal("user", "assistant"), "content": union(string(), list_of(_BLOCK))},
    required=("role", "content"),
)
_TOOL = obj(
    {
        "name": string(min_length=1),
        "description": nullable(string()),
        "input_schema": nullable(any_object),
    },
    required=("name",),
)
_CHECKS: Dict[str, Checker] = {
    "model": nullable(string(min_length=1)),
    "max_tokens": integer(ge=1),
    "messages": list_of(_MESSAGE, min_length=1),
    "system": nullable(union(string(), list_of(_BLOCK))),
    "temperature": nullable(number(ge=0, le=1)),
    "top_p": nullable(number(ge=0, le=1)),
    "top_k": nullable(integer(ge=0)),
    "stop_sequences": nullable(list_of(string())),
    "tools": nullable(list_of(_TOOL)),
    "tool_choice": nullable(any_object),
    "thinking": nullable(any_object),
    "metadata": nullable(any_object),
    "stream": nullable(boolean),
    "service_tier": nullable(anything),
}
_REQUEST = RequestSchema(_CHECKS, required=("max_tokens", "messages"))
_BY_STATUS = {status: kind for kind, status in ANTHROPIC_ERROR_TYPES.items()}


def _error_plan(ctx: RouteContext, kind: str, message: str) -> ResponsePlan:
    status = ANTHROPIC_ERROR_TYPES.get(kind, 500)
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return json_plan(status, {**body, "request_id": ctx.request_id})


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts: List[str] = []
    for block in content or ():
        if not isinstance(block, dict):
            continue
        if isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif block.get("type") == "tool_result":
            parts.append(_text(block.get("content")))
    return "".join(parts)


def create_message(ctx: RouteContext) -> ResponsePlan:
    """Handle ``POST /v1/messages``: every error in Anthropic's envelope."""
    try:
        return _create(ctx)
    except GatewayError as error:
        if error.status == 422:
            first = (error.details or [{}])[0]
            loc = tuple(first.get("loc", ()))
            where = ".".join(str(p) for p in loc[1:]) or "body"
            message = f"{where}: {first.get('msg', 'invalid request')}"
            if first.get("type") == "json_invalid" or loc == ("body",):
                message = "There was an error parsing the body"
            return _error_plan(ctx, "invalid_request_error", message)
        kind = _BY_STATUS.get(error.status, "api_error")
        return _error_plan(ctx, kind, error.message)


def _create(ctx: RouteContext) -> ResponsePlan:
    body = ctx.json_body()
    problems: List[Dict[str, Any]] = []
    _REQUEST(body, ("body",), problems)
    if problems:
        raise GatewayError(422, "validation_error", "invalid", details=problems)
    messages: List[Dict[str, Any]] = []
    if body.get("system"):
        messages.append({"role": "system", "content": _text(body["system"])})
    messages += [{"role": m["role"], "content": _text(m["content"])} for m in body["messages"]]
    ctx.entry.messages = messages
    model, _ = resolve_model(ctx, body.get("model"), auto=AUTO_MODEL, what="messages")

    last = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    forced = ERROR_MARKER.search(last)
    failure = forced.group(1) if forced else None
    if failure is not None and not body.get("stream"):
        return _error_plan(ctx, failure, f"Forced {failure} for testing.")

    tools = messages_tool_request(body)
    has_tools = tools is not None and tools.choice != "none"
    completion = build_completion(
        model,
        messages,
        seed=None,
        max_tokens=body["max_tokens"],
        scripted=ctx.state.script.take(model, has_tools),
        calls=decide_tool_calls(tools, last_user_text(messages)),
    )
    if failure is None:
        ctx.charge(model, completion.prompt_tokens, completion.completion_tokens)
    message_id = "msg_" + ctx.state.ids.alnum(24)
    tool_ids = [
        call.call_id or "toolu_" + ctx.state.ids.alnum(24) for call in completion.tool_calls
    ]
    message = _message(message_id, model, completion, tool_ids)
    if body.get("stream"):
        return sse_plan(_events(message, completion, failure))
    return json_plan(200, message)


def _message(
    message_id: str, model: str, completion: Completion, tool_ids: List[str]
) -> Dict[str, Any]:
    content: List[Dict[str, Any]]
    if completion.tool_calls:
        content = [
            {"type": "tool_use", "id": tool_id, "name": call.name, "input": _input(call.arguments)}
            for call, tool_id in zip(completion.tool_calls, tool_ids)
        ]
        stop = "tool_use"
    else:
        content = [{"type": "text", "text": completion.text or ""}]
        stop = "max_tokens" if completion.finish_reason == "length" else "end_turn"
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": completion.prompt_tokens,
            "output_tokens": completion.completion_tokens,
        },
    }


def _input(arguments: str) -> Any:
    """A tool call's arguments as the ``input`` object of a ``tool_use`` block."""
    try:
        return json.loads(arguments)
    except ValueError:
        return {}


def _frame(kind: str, **data: Any) -> bytes:
    return b"event: " + kind.encode() + b"\ndata: " + dumps({"type": kind, **data}) + b"\n\n"


def _events(
    message: Dict[str, Any], completion: Completion, failure: Optional[str]
) -> Iterator[bytes]:
    usage = message["usage"]
    opening = {
        **message,
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": usage["input_tokens"], "output_tokens": 1},
    }
    yield _frame("message_start", message=opening)
    if failure is not None:
        error = {"type": failure, "message": f"Forced {failure} for testing."}
        yield _frame("error", error=error)
        return
    if completion.tool_calls:
        for index, (block, pieces) in enumerate(
            zip(message["content"], completion.argument_deltas)
        ):
            yield _frame("content_block_start", index=index, content_block={**block, "input": {}})
            if index == 0:
                yield _frame("ping")
            for piece in pieces:
                delta = {"type": "input_json_delta", "partial_json": piece}
                yield _frame("content_block_delta", index=index, delta=delta)
            yield _frame("content_block_stop", index=index)
    else:
        yield _frame("content_block_start", index=0, content_block={"type": "text", "text": ""})
        yield _frame("ping")
        for piece in completion.deltas:
            delta = {"type": "text_delta", "text": piece}
            yield _frame("content_block_delta", index=0, delta=delta)
        yield _frame("content_block_stop", index=0)
    stop = {"stop_reason": message["stop_reason"], "stop_sequence": None}
    yield _frame("message_delta", delta=stop, usage={"output_tokens": usage["output_tokens"]})
    yield _frame("message_stop")


ROUTES: List[Route] = [Route("POST", "/v1/messages", ["dp"], create_message)]
