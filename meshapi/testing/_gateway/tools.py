"""When the emulated models call tools, which ones, and with what arguments.

One deterministic rule serves chat completions, Responses and Messages (the table in
``docs/testing.md``, "Tools and JSON modes, unscripted"), in this order: no tools or
``none``: no call; the last turn is a tool's result: text, so a tool loop ends; a choice
naming a function: that call (an unknown name is a 400); else every tool the last user
message mentions (its name, case aside, ``_``/``-`` read as spaces), or only the first
without parallel calls; else ``required`` (Messages: ``any``) calls the first tool and
``auto`` answers in text. Arguments are :func:`~meshapi.testing._gateway.schema.instance_of`
the tool's parameter schema, streamed in fragments
(:func:`~meshapi.testing._gateway.replies.argument_pieces`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Tuple

from .errors import GatewayError
from .replies import ToolCallReply
from .schema import instance_of


@dataclass(frozen=True)
class ToolRequest:
    """What a request says about tools, read from whichever API shape it came in.

    ``tools`` pairs each function's name with its parameter schema; ``choice`` is ``"auto"``,
    ``"required"``, ``"none"`` or the name of the one function to call; ``answered`` is true
    when the conversation's last turn is a tool's result.
    """

    tools: Tuple[Tuple[str, Any], ...]
    choice: str = "auto"
    parallel: bool = True
    answered: bool = False


def _mentions(text: str, name: str) -> bool:
    folded = text.lower()
    spaced = re.sub(r"[_\-]+", " ", name.lower())
    return name.lower() in folded or spaced in folded


def decide_tool_calls(request: Optional[ToolRequest], last_user_text: str) -> List[ToolCallReply]:
    """The calls the model makes for ``request`` (see the module docstring); ``[]`` for text."""
    if request is None or not request.tools or request.choice == "none" or request.answered:
        return []
    by_name = dict(request.tools)
    if request.choice not in ("auto", "required"):
        if request.choice not in by_name:
            raise GatewayError(
                400,
                "bad_request",
                f"Invalid tool_choice: no function named '{request.choice}' among the tools.",
            )
        chosen = [request.choice]
    else:
        chosen = [name for name, _ in request.tools if _mentions(last_user_text, name)]
        if not chosen and request.choice == "required":
            chosen = [request.tools[0][0]]
        if not request.parallel:
            chosen = chosen[:1]
    return [
        ToolCallReply(name, json.dumps(instance_of(by_name[name] or {"type": "object"})))
        for name in chosen
    ]


def _last(turns: Any) -> Mapping[str, Any]:
    """The last turn of a conversation (a message or an input item), ``{}`` if none."""
    last = turns[-1] if isinstance(turns, list) and turns else None
    return last if isinstance(last, Mapping) else {}


def _function_name(choice: Any, *path: str) -> Optional[str]:
    node = choice
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, str) else None


def chat_tool_request(body: Mapping[str, Any]) -> Optional[ToolRequest]:
    """The tools of a chat completion request (``tools``, ``tool_choice``,
    ``parallel_tool_calls``; the last message's role ``tool`` means answered)."""
    tools = tuple(
        (str(_function_name(t, "function", "name")), (t.get("function") or {}).get("parameters"))
        for t in body.get("tools") or ()
        if isinstance(t, Mapping) and _function_name(t, "function", "name")
    )
    if not tools:
        return None
    choice = body.get("tool_choice") or "auto"
    if not isinstance(choice, str):
        choice = _function_name(choice, "function", "name") or "auto"
    answered = _last(body.get("messages")).get("role") == "tool"
    parallel = body.get("parallel_tool_calls") is not False
    return ToolRequest(tools, choice, parallel, answered)


def responses_tool_request(body: Mapping[str, Any]) -> Optional[ToolRequest]:
    """The function tools of a Responses request (``{"type": "function", "name",
    "parameters"}``); a last input item of type ``function_call_output`` means answered."""
    tools = tuple(
        (str(t["name"]), t.get("parameters"))
        for t in body.get("tools") or ()
        if isinstance(t, Mapping) and t.get("type") == "function" and isinstance(t.get("name"), str)
    )
    if not tools:
        return None
    choice = body.get("tool_choice") or "auto"
    if not isinstance(choice, str):
        choice = _function_name(choice, "name") or "auto"
    answered = _last(body.get("input")).get("type") == "function_call_output"
    parallel = body.get("parallel_tool_calls") is not False
    return ToolRequest(tools, choice, parallel, answered)


_MESSAGES_CHOICES = {"auto": "auto", "any": "required", "none": "none"}


def messages_tool_request(body: Mapping[str, Any]) -> Optional[ToolRequest]:
    """The tools of a Messages request (``{"name", "input_schema"}``; ``tool_choice``
    ``auto``/``any``/``tool``/``none`` with ``disable_parallel_tool_use``); a last user
    message holding a ``tool_result`` block means answered."""
    tools = tuple(
        (str(t["name"]), t.get("input_schema"))
        for t in body.get("tools") or ()
        if isinstance(t, Mapping) and isinstance(t.get("name"), str)
    )
    if not tools:
        return None
    choice_body = body.get("tool_choice") or {}
    kind = choice_body.get("type", "auto") if isinstance(choice_body, Mapping) else "auto"
    choice = (
        _function_name(choice_body, "name") or "auto"
        if kind == "tool"
        else _MESSAGES_CHOICES.get(kind, "auto")
    )
    content = _last(body.get("messages")).get("content")
    blocks: List[Any] = content if isinstance(content, list) else []
    answered = any(isinstance(b, Mapping) and b.get("type") == "tool_result" for b in blocks)
    parallel = not (
        isinstance(choice_body, Mapping) and choice_body.get("disable_parallel_tool_use")
    )
    return ToolRequest(tools, choice, parallel, answered)
