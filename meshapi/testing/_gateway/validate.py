"""Request-body validation with FastAPI/pydantic-style problem reports.

The gateway validates JSON bodies with pydantic and answers ``422 validation_error`` whose
``details`` list every problem as ``{type, loc, msg}`` (``loc`` starts with ``"body"``).
This module reproduces that for the emulated endpoints, with pydantic v2's type names and
messages. It is deliberately *strict*: a number sent as a string, or a boolean where a number
is expected, is reported, so an SDK that serialises the wrong type is caught here rather than
in production.

A checker is a function ``(value, loc, problems) -> None`` that appends what it finds.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from .errors import Loc, detail

Problems = List[Dict[str, Any]]
Checker = Callable[[Any, Loc, Problems], None]

_MODEL_TYPE_MSG = "Input should be a valid dictionary or object to extract fields from"


def parse_int(
    text: Optional[str],
    loc: Loc,
    problems: Problems,
    *,
    ge: Optional[int] = None,
    le: Optional[int] = None,
) -> Optional[int]:
    """``text`` (a query or form value) as an int within ``[ge, le]``; otherwise FastAPI's
    problem is appended to ``problems``. ``None`` when absent or not an integer."""
    if text is None or text == "":
        return None
    try:
        value = int(text)
    except ValueError:
        message = "Input should be a valid integer, unable to parse string as an integer"
        problems.append(detail("int_parsing", loc, message))
        return None
    if ge is not None and value < ge:
        problems.append(
            detail("greater_than_equal", loc, f"Input should be greater than or equal to {ge}")
        )
    elif le is not None and value > le:
        problems.append(
            detail("less_than_equal", loc, f"Input should be less than or equal to {le}")
        )
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and not (
        isinstance(value, float) and (math.isnan(value) or math.isinf(value))
    )


def string(max_length: Optional[int] = None, min_length: int = 0) -> Checker:
    """A ``str`` field, optionally bounded in length."""

    def check(value: Any, loc: Loc, problems: Problems) -> None:
        if not isinstance(value, str):
            problems.append(detail("string_type", loc, "Input should be a valid string"))
        elif max_length is not None and len(value) > max_length:
            problems.append(
                detail(
                    "string_too_long", loc, f"String should have at most {max_length} characters"
                )
            )
        elif len(value) < min_length:
            problems.append(
                detail(
                    "string_too_short",
                    loc,
                    f"String should have at least {min_length} character"
                    + ("s" if min_length != 1 else ""),
                )
            )

    return check


def boolean(value: Any, loc: Loc, problems: Problems) -> None:
    """A ``bool`` field (JSON ``true``/``false`` only)."""
    if not isinstance(value, bool):
        problems.append(detail("bool_type", loc, "Input should be a valid boolean"))


def number(
    ge: Optional[float] = None, le: Optional[float] = None, gt: Optional[float] = None
) -> Checker:
    """A ``float`` field (JSON number, not a boolean or string), optionally bounded."""

    def check(value: Any, loc: Loc, problems: Problems) -> None:
        if not _is_number(value):
            problems.append(detail("float_type", loc, "Input should be a valid number"))
        elif gt is not None and not value > gt:
            problems.append(detail("greater_than", loc, f"Input should be greater than {gt:g}"))
        elif ge is not None and value < ge:
            problems.append(
                detail(
                    "greater_than_equal", loc, f"Input should be greater than or equal to {ge:g}"
                )
            )
        elif le is not None and value > le:
            problems.append(
                detail("less_than_equal", loc, f"Input should be less than or equal to {le:g}")
            )

    return check


def integer(ge: Optional[int] = None, le: Optional[int] = None) -> Checker:
    """An ``int`` field (a whole JSON number), optionally bounded."""

    def check(value: Any, loc: Loc, problems: Problems) -> None:
        # float.is_integer (every Python 3); vermin takes it for int.is_integer (3.12).
        if isinstance(value, float) and _is_number(value) and not value.is_integer():  # novermin
            problems.append(
                detail(
                    "int_from_float",
                    loc,
                    "Input should be a valid integer, got a number with a fractional part",
                )
            )
            return
        if not (_is_int(value) or (isinstance(value, float) and _is_number(value))):
            problems.append(detail("int_type", loc, "Input should be a valid integer"))
            return
        if ge is not None and value < ge:
            problems.append(
                detail("greater_than_equal", loc, f"Input should be greater than or equal to {ge}")
            )
        elif le is not None and value > le:
            problems.append(
                detail("less_than_equal", loc, f"Input should be less than or equal to {le}")
            )

    return check


def literal(*allowed: str) -> Checker:
    """One of the given strings."""
    quoted = [f"'{item}'" for item in allowed]
    expected = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]

    def check(value: Any, loc: Loc, problems: Problems) -> None:
        if value not in allowed or not isinstance(value, str):
            problems.append(detail("literal_error", loc, f"Input should be {expected}"))

    return check


def nullable(inner: Checker) -> Checker:
    """``inner`` or JSON ``null``."""

    def check(value: Any, loc: Loc, problems: Problems) -> None:
        if value is not None:
            inner(value, loc, problems)

    return check


def list_of(item: Checker, min_length: int = 0) -> Checker:
    """A JSON array whose items pass ``item``."""

    def check(value: Any, loc: Loc, problems: Problems) -> None:
        if not isinstance(value, list):
            problems.append(detail("list_type", loc, "Input should be a valid list"))
            return
        if len(value) < min_length:
            problems.append(
                detail(
                    "too_short",
                    loc,
                    f"List should have at least {min_length} item"
                    f"{'s' if min_length != 1 else ''} after validation, not {len(value)}",
                )
            )
        for index, element in enumerate(value):
            item(element, (*loc, index), problems)

    return check


def dict_of(item: Checker) -> Checker:
    """A JSON object whose values pass ``item``."""

    def check(value: Any, loc: Loc, problems: Problems) -> None:
        if not isinstance(value, dict):
            problems.append(detail("dict_type", loc, "Input should be a valid dictionary"))
            return
        for key, element in value.items():
            item(element, (*loc, key), problems)

    return check


def any_object(value: Any, loc: Loc, problems: Problems) -> None:
    """Any JSON object."""
    if not isinstance(value, dict):
        problems.append(detail("dict_type", loc, "Input should be a valid dictionary"))


def union(*options: Checker) -> Checker:
    """The first option that accepts the value; otherwise every option's problems."""

    def check(value: Any, loc: Loc, problems: Problems) -> None:
        collected: Problems = []
        for option in options:
            attempt: Problems = []
            option(value, loc, attempt)
            if not attempt:
                return
            collected.extend(attempt)
        problems.extend(collected)

    return check


def obj(fields: Mapping[str, Checker], required: Sequence[str] = ()) -> Checker:
    """A JSON object with these (optional unless ``required``) fields; others are ignored."""

    def check(value: Any, loc: Loc, problems: Problems) -> None:
        check_object(value, loc, problems, fields, required)

    return check


def check_object(
    value: Any,
    loc: Loc,
    problems: Problems,
    fields: Mapping[str, Checker],
    required: Sequence[str] = (),
) -> None:
    """Check ``value`` as an object with ``fields``, appending problems."""
    if not isinstance(value, dict):
        problems.append(detail("model_attributes_type", loc, _MODEL_TYPE_MSG))
        return
    for name in required:
        if name not in value:
            problems.append(detail("missing", (*loc, name), "Field required"))
    for name, checker in fields.items():
        if name in value:
            checker(value[name], (*loc, name), problems)


_CONTENT = nullable(union(string(), list_of(obj({"type": string()}, required=("type",)))))
_FUNCTION = obj(
    {
        "name": string(min_length=1),
        "description": nullable(string()),
        "parameters": nullable(any_object),
    },
    required=("name",),
)
_TOOL = obj({"type": literal("function"), "function": _FUNCTION}, required=("type", "function"))
_TOOL_CALL = obj(
    {"id": string(), "type": string(), "function": obj({"name": string(), "arguments": string()})},
)
_MESSAGE = obj(
    {
        "role": literal("system", "user", "assistant", "tool", "developer"),
        "content": _CONTENT,
        "name": nullable(string()),
        "tool_call_id": nullable(string()),
        "tool_calls": nullable(list_of(_TOOL_CALL)),
    },
    required=("role",),
)
_TOOL_CHOICE = union(
    literal("auto", "none", "required"),
    obj(
        {"type": literal("function"), "function": obj({"name": string()}, required=("name",))},
        required=("type", "function"),
    ),
)
_RESPONSE_FORMAT = obj(
    {"type": literal("text", "json_object", "json_schema"), "json_schema": any_object},
    required=("type",),
)

_CHAT_CHECKS: Dict[str, Checker] = {
    "messages": list_of(_MESSAGE, min_length=1),
    "model": nullable(string(min_length=1)),
    "template": nullable(string(min_length=1)),
    "variables": nullable(dict_of(string())),
    "session_id": nullable(string()),
    "stream": nullable(boolean),
    "temperature": nullable(number(ge=0, le=2)),
    "max_tokens": nullable(integer(ge=1)),
    "top_p": nullable(number(ge=0, le=1)),
    "frequency_penalty": nullable(number(ge=-2, le=2)),
    "presence_penalty": nullable(number(ge=-2, le=2)),
    "stop": nullable(union(string(), list_of(string()))),
    "seed": nullable(integer()),
    "reasoning_effort": nullable(literal("none", "minimal", "low", "medium", "high")),
    "tools": nullable(list_of(_TOOL)),
    "tool_choice": nullable(_TOOL_CHOICE),
    "response_format": nullable(_RESPONSE_FORMAT),
    "transforms": nullable(list_of(string())),
    "models": nullable(list_of(string())),
    "user": nullable(string(max_length=256)),
    "modality": nullable(literal("text", "image")),
    "image": nullable(any_object),
    "async_mode": nullable(boolean),
    "modalities": nullable(list_of(string())),
    "audio": nullable(any_object),
    "timeout": nullable(number(gt=0)),
    "cache": nullable(boolean),
    "weight_profile": nullable(string()),
    "service_tier": nullable(string()),
    "stream_options": nullable(any_object),
    "n": nullable(integer(ge=1, le=1)),
    "logprobs": nullable(boolean),
    "top_logprobs": nullable(integer(ge=0, le=20)),
    "parallel_tool_calls": nullable(boolean),
    "metadata": nullable(any_object),
}

CHAT_FIELDS = frozenset(_CHAT_CHECKS)
"""Every body field chat completions knows; anything else is ignored (and recorded)."""


def validate_chat(body: Any) -> Problems:
    """Problems with a chat completion request body (empty when valid)."""
    problems: Problems = []
    check_object(body, ("body",), problems, _CHAT_CHECKS, required=("messages",))
    return problems


_TEMPLATE_MESSAGE = obj(
    {"role": literal("system", "user", "assistant"), "content": string()},
    required=("role", "content"),
)
_TEMPLATE_CHECKS: Dict[str, Checker] = {
    "name": string(min_length=1, max_length=200),
    "description": nullable(string()),
    "system": nullable(string()),
    "messages": nullable(list_of(_TEMPLATE_MESSAGE)),
    "model": nullable(string(min_length=1)),
    "params": nullable(any_object),
    "variables": nullable(list_of(string())),
    "team_id": nullable(string()),
}


def validate_template(body: Any, *, partial: bool) -> Problems:
    """Problems with a template create (``partial=False``) or PATCH (``partial=True``) body."""
    problems: Problems = []
    required: Tuple[str, ...] = () if partial else ("name",)
    check_object(body, ("body",), problems, _TEMPLATE_CHECKS, required=required)
    if partial and isinstance(body, dict) and "name" in body and body["name"] is None:
        problems.append(detail("string_type", ("body", "name"), "Input should be a valid string"))
    return problems
