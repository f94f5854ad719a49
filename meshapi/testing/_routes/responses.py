"""The Responses API, ``/v1/responses`` (``docs/gateway/api.md`` §3, ``streaming.md`` §4). A
response answers like a chat completion of the same conversation; background jobs, their
statuses on the clock and the streams' ends: ``docs/data-plane/responses.md`` (in the emulator).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional

from .._gateway.errors import GatewayError
from .._gateway.inference import AUTO_MODEL, find_template, input_messages, resolve_model
from .._gateway.plan import ResponsePlan, dumps, json_plan, sse_plan
from .._gateway.replies import Completion, build_completion, last_user_text, message_text
from .._gateway.router import Route, RouteContext
from .._gateway.schema import response_schema, structured_completion
from .._gateway.stores import cursor_page
from .._gateway.tools import decide_tool_calls, responses_tool_request
from .._gateway.validate import (
    Checker,
    RequestSchema,
    any_object,
    anything,
    boolean,
    dict_of,
    integer,
    list_of,
    nullable,
    number,
    obj,
    string,
    union,
)

QUEUED_SECONDS = 1.0
"""How long a background job stays ``queued``."""
DONE_SECONDS = 3.0
"""When a background job finishes, in seconds after its creation."""
FAIL_MARKER = "[job-fail]"
"""Input text containing this makes a background job end ``failed``."""
MAX_ACTIVE_JOBS = 10
"""Unfinished background jobs allowed per owner."""

_TOOL = obj({"type": string(min_length=1), "name": string(min_length=1)}, required=("type",))
_CHECKS: Dict[str, Checker] = {
    "input": union(string(), list_of(any_object)),
    "model": nullable(string(min_length=1)),
    "template": nullable(string(min_length=1)),
    "variables": nullable(dict_of(string())),
    "session_id": nullable(string()),
    "instructions": nullable(string()),
    "previous_response_id": nullable(string(min_length=1)),
    "stream": nullable(boolean),
    "max_output_tokens": nullable(integer(ge=1)),
    "temperature": nullable(number(ge=0, le=2)),
    "top_p": nullable(number(ge=0, le=1)),
    "seed": nullable(integer()),
    "reasoning": nullable(any_object),
    "tools": nullable(list_of(_TOOL)),
    "tool_choice": nullable(union(string(), any_object)),
    "max_tool_calls": nullable(integer(ge=1, le=10)),
    "text": nullable(obj({"format": nullable(obj({"type": string()}, required=("type",)))})),
    "response_format": nullable(any_object),
    "include": nullable(list_of(anything)),
    "background": nullable(boolean),
    "store": nullable(boolean),
    "plugins": nullable(list_of(anything)),
    "user": nullable(string(max_length=256)),
    "thinking": nullable(any_object),
    "caching": nullable(any_object),
    "expire_at": nullable(integer()),
    "context_management": nullable(any_object),
    "metadata": nullable(any_object),
    "timeout": nullable(number(gt=0)),
}
_FIELDS = frozenset(_CHECKS)
_REQUEST = RequestSchema(_CHECKS, required=("input",))


@dataclass
class StoredResponse:
    """One stored response: its object as decided at creation, and for a background job
    the times that drive its status."""

    id: str
    owner: str
    created_at: float
    body: Dict[str, Any]
    messages: List[Dict[str, Any]]
    provider: Optional[str]
    background: bool = False
    fails: bool = False
    usage_synced: bool = False

    def status(self, now: float) -> str:
        """The status at ``now`` (a synchronous response keeps its own)."""
        if not self.background:
            return str(self.body["status"])
        age = now - self.created_at
        if age < QUEUED_SECONDS:
            return "queued"
        if age < DONE_SECONDS:
            return "in_progress"
        return "failed" if self.fails else str(self.body["status"])

    def finished(self, now: float) -> bool:
        """Whether the response has reached a terminal status."""
        return self.status(now) not in ("queued", "in_progress")

    def view(self, now: float) -> Dict[str, Any]:
        """The response object as ``GET`` shows it at ``now``."""
        status = self.status(now)
        out = copy.deepcopy(self.body)
        out["status"] = status
        if status in ("queued", "in_progress"):
            out["output"] = []
            out["usage"] = None
        elif status == "failed":
            out["output"] = []
            out["error"] = {
                "code": "provider_job_failed",
                "message": "The provider failed the job; it was not charged.",
            }
        return out

    def list_item(self, now: float) -> Dict[str, Any]:
        """The entry of ``GET /v1/responses``."""
        finished = self.finished(now)
        return {
            "id": self.id,
            "object": "response",
            "model": self.body.get("model"),
            "provider": self.provider,
            "status": self.status(now),
            "created_at": int(self.created_at),
            "completed_at": int(self.created_at + DONE_SECONDS) if finished else None,
            "usage_synced": self.usage_synced,
        }


def _stored(ctx: RouteContext) -> Dict[str, StoredResponse]:
    """The stored responses of the gateway, by id, in creation order."""
    return ctx.state.store("responses", dict)


def _visible(ctx: RouteContext, response_id: str) -> Optional[StoredResponse]:
    """The caller's response with this id, if any."""
    found = _stored(ctx).get(response_id)
    return found if found is not None and found.owner == ctx.principal.owner else None


def _schema_of(body: Dict[str, Any]) -> Optional[Any]:
    """The JSON Schema the output must follow, from ``text.format`` or ``response_format``."""
    text = body.get("text")
    return response_schema(text.get("format") if isinstance(text, dict) else None) or (
        response_schema(body.get("response_format"))
    )


def _output(ctx: RouteContext, completion: Completion, item_id: str) -> List[Dict[str, Any]]:
    if completion.tool_calls:
        return [
            {
                "type": "function_call",
                "id": f"fc_{item_id}" if index == 0 else f"fc_{item_id}_{index}",
                "call_id": call.call_id or ctx.state.ids.call_id(),
                "name": call.name,
                "arguments": call.arguments,
                "status": "completed",
            }
            for index, call in enumerate(completion.tool_calls)
        ]
    return [
        {
            "type": "message",
            "id": "msg_" + item_id,
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": completion.text or "", "annotations": []}],
        }
    ]


def create_response(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    ctx.entry.unknown_fields = tuple(sorted(k for k in body if k not in _FIELDS))
    store, owner = _stored(ctx), ctx.principal.owner

    template = find_template(ctx, body)
    messages: List[Dict[str, Any]] = []
    if body.get("instructions"):
        messages.append({"role": "system", "content": body["instructions"]})
    if template is not None:
        messages += template.render(body.get("variables") or {})
    previous_id = body.get("previous_response_id")
    if previous_id:
        previous = _visible(ctx, previous_id)
        if previous is None:
            raise GatewayError(
                404, "resource_not_found", f"Previous response '{previous_id}' not found."
            )
        text = "".join(
            part.get("text", "")
            for item in previous.body.get("output") or ()
            for part in item.get("content") or ()
            if isinstance(part, dict)
        )
        messages += [*previous.messages, {"role": "assistant", "content": text}]
    messages += input_messages(body["input"])
    ctx.entry.messages = messages
    model, info = resolve_model(
        ctx, body.get("model"), template=template, auto=AUTO_MODEL, what="responses"
    )

    tools = body.get("tools") or []
    background = bool(body.get("background")) or any(
        str(t.get("type", "")).startswith("web_search_preview") for t in tools
    )
    if background and body.get("stream") and body.get("background"):
        raise GatewayError(
            400,
            "bad_request",
            "Background responses are not streamed: poll GET /v1/responses/{id} instead.",
        )
    if background:
        active = sum(1 for r in store.values() if r.owner == owner and not r.finished(ctx.now))
        if active >= MAX_ACTIVE_JOBS:
            raise GatewayError(
                429,
                "rate_limit_exceeded",
                f"At most {MAX_ACTIVE_JOBS} background responses may be active at once.",
            )

    functions = responses_tool_request(body)
    has_tools = functions is not None and functions.choice != "none"
    max_tokens = body.get("max_output_tokens")
    scripted = ctx.state.script.take(model, has_tools)
    completion = build_completion(
        model,
        messages,
        seed=body.get("seed"),
        max_tokens=max_tokens,
        scripted=scripted,
        calls=decide_tool_calls(functions, last_user_text(messages)),
    )
    schema = _schema_of(body)
    if schema is not None and scripted is None:
        completion = structured_completion(completion, schema, max_tokens)

    ctx.charge(model, completion.prompt_tokens, completion.completion_tokens)
    response_id = "resp_" + ctx.state.ids.alnum(24)
    item_id = ctx.state.ids.alnum(24)
    incomplete = completion.finish_reason == "length"
    payload: Dict[str, Any] = {
        "id": response_id,
        "object": "response",
        "created_at": int(ctx.now),
        "status": "incomplete" if incomplete else "completed",
        "background": background,
        "model": model,
        "output": _output(ctx, completion, item_id),
        "usage": {
            "input_tokens": completion.prompt_tokens,
            "output_tokens": completion.completion_tokens,
            "total_tokens": completion.prompt_tokens + completion.completion_tokens,
        },
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
    }
    if body.get("instructions") is not None:
        payload["instructions"] = body["instructions"]
    if previous_id:
        payload["previous_response_id"] = previous_id
    stored = StoredResponse(
        id=response_id,
        owner=owner,
        created_at=ctx.now,
        body=payload,
        messages=messages,
        provider=info.get("provider"),
        background=background,
        fails=background and FAIL_MARKER in "".join(message_text(m) for m in messages),
    )
    if body.get("store") is not False or background:
        store[response_id] = stored
    if background:
        return json_plan(200, stored.view(ctx.now))
    if body.get("stream"):
        headers = [("x-resolved-model-id", model)] if body.get("model") == "auto" else []
        return sse_plan(_events(payload, completion, item_id), headers=headers)
    return json_plan(200, payload)


def _events(payload: Dict[str, Any], completion: Completion, item_id: str) -> Iterator[bytes]:
    """The ``response.*`` events of one streamed response, lazily."""
    sequence = 0

    def event(kind: str, **fields: Any) -> bytes:
        nonlocal sequence
        sequence += 1
        return b"data: " + dumps({"type": kind, "sequence_number": sequence, **fields}) + b"\n\n"

    opening = {**payload, "status": "in_progress", "output": [], "usage": None}
    opening["incomplete_details"] = None
    yield event("response.created", response=opening)
    yield event("response.in_progress", response=opening)
    item = payload["output"][0]
    if completion.tool_calls:
        for index, (call_item, pieces) in enumerate(
            zip(payload["output"], completion.argument_deltas)
        ):
            yield event(
                "response.output_item.added",
                output_index=index,
                item={**call_item, "arguments": "", "status": "in_progress"},
            )
            for piece in pieces:
                yield event(
                    "response.function_call_arguments.delta",
                    item_id=call_item["id"],
                    output_index=index,
                    delta=piece,
                )
            yield event(
                "response.function_call_arguments.done",
                item_id=call_item["id"],
                output_index=index,
                arguments=call_item["arguments"],
            )
            yield event("response.output_item.done", output_index=index, item=call_item)
    else:
        where = {"item_id": item["id"], "output_index": 0}
        yield event(
            "response.output_item.added",
            output_index=0,
            item={**item, "status": "in_progress", "content": []},
        )
        empty_part = {"type": "output_text", "text": "", "annotations": []}
        yield event("response.content_part.added", **where, content_index=0, part=empty_part)
        for piece in completion.deltas:
            yield event("response.output_text.delta", **where, content_index=0, delta=piece)
        text = completion.text or ""
        yield event("response.output_text.done", **where, content_index=0, text=text)
        yield event("response.content_part.done", **where, content_index=0, part=item["content"][0])
        yield event("response.output_item.done", output_index=0, item=item)
    terminal = "response.incomplete" if payload["status"] == "incomplete" else "response.completed"
    yield event(terminal, response=payload)


def list_responses(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/responses``: the owner's background jobs, newest first, by cursor."""
    owner, stored = ctx.principal.owner, reversed(list(_stored(ctx).values()))
    jobs = [r.list_item(ctx.now) for r in stored if r.owner == owner and r.background]
    return json_plan(200, cursor_page(ctx, jobs, unknown_after="empty"))


def get_response(ctx: RouteContext) -> ResponsePlan:
    response_id = ctx.params["response_id"]
    found = _visible(ctx, response_id)
    if found is None:
        raise GatewayError(404, "not_found", f"Response '{response_id}' not found.")
    view = found.view(ctx.now)
    if found.background and found.finished(ctx.now):
        found.usage_synced = True
    return json_plan(200, view)


ROUTES: List[Route] = [
    Route("POST", "/v1/responses", ["dp"], create_response, request=_REQUEST),
    Route("GET", "/v1/responses", ["dp"], list_responses),
    Route("GET", "/v1/responses/{response_id}", ["dp"], get_response),
]
