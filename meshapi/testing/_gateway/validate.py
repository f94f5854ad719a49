"""Request-body validation with FastAPI/pydantic-style problem reports.

The gateway validates JSON bodies with pydantic and answers ``422 validation_error`` whose
``details`` list every problem as ``{type, loc, msg}`` (``loc`` starts with ``"body"``).
This module reproduces that for the emulated endpoints, with pydantic v2's type names and
messages. It is deliberately *strict*: a number sent as a string, or a boolean where a number
is expected, is reported, so an SDK that serialises the wrong type is caught here rather than
in production.

A checker is called as ``(value, loc, problems) -> None`` and appends what it finds. The
factories (``string``, ``integer``, ``obj``...) return small frozen dataclasses, so a checker
is also data: its ``kind``, its bounds (``ge``, ``le``, ``gt``, ``min_length``,
``max_length``), its literal ``choices``, the checkers it wraps (``inner``, ``item``,
``options``, ``fields``) and its ``required`` keys can be read, which is how
``tests/testing/test_schema_parity.py`` compares this reading of the gateway's schema with the
SDK's params models. A :class:`RequestSchema` is a whole request body: fields and required.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Dict, List, Mapping, Optional, Sequence, Tuple

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
    check_bounds(value, loc, problems, ge, le)
    return value


def check_bounds(
    value: float,
    loc: Loc,
    problems: Problems,
    ge: Optional[float],
    le: Optional[float],
    gt: Optional[float] = None,
    spec: str = "",
) -> None:
    """Append pydantic's problem for the first bound ``value`` breaks (``spec`` formats the
    bound in the message: ``"g"`` for floats, ``""`` for ints)."""
    if gt is not None and not value > gt:
        problems.append(detail("greater_than", loc, f"Input should be greater than {gt:{spec}}"))
    elif ge is not None and value < ge:
        message = f"Input should be greater than or equal to {ge:{spec}}"
        problems.append(detail("greater_than_equal", loc, message))
    elif le is not None and value > le:
        message = f"Input should be less than or equal to {le:{spec}}"
        problems.append(detail("less_than_equal", loc, message))


def _check_length(
    size: int, loc: Loc, problems: Problems, min_length: int, max_length: Optional[int], what: str
) -> None:
    """Append pydantic's problem for a ``"string"`` or ``"list"`` of ``size`` out of bounds."""
    if max_length is not None and size > max_length:
        problem, bound, side = "too_long", max_length, "most"
    elif size < min_length:
        problem, bound, side = "too_short", min_length, "least"
    else:
        return
    plural = "" if bound == 1 else "s"
    if what == "string":
        message = f"String should have at {side} {bound} character{plural}"
        problems.append(detail(f"string_{problem}", loc, message))
    else:
        message = f"List should have at {side} {bound} item{plural} after validation, not {size}"
        problems.append(detail(problem, loc, message))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and not (
        isinstance(value, float) and (math.isnan(value) or math.isinf(value))
    )


class Check:
    """Base of the checkers: ``kind`` names what a checker accepts, for readers such as the
    schema parity test; calling one checks a value."""

    kind: ClassVar[str] = "any"

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class String(Check):
    """A ``str``, at most ``max_length`` and at least ``min_length`` characters long."""

    kind: ClassVar[str] = "string"
    max_length: Optional[int] = None
    min_length: int = 0

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        if not isinstance(value, str):
            problems.append(detail("string_type", loc, "Input should be a valid string"))
        else:
            _check_length(len(value), loc, problems, self.min_length, self.max_length, "string")


string = String
"""A ``str`` field, optionally bounded in length."""


@dataclass(frozen=True)
class Boolean(Check):
    """A JSON ``true`` or ``false``."""

    kind: ClassVar[str] = "boolean"

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        if not isinstance(value, bool):
            problems.append(detail("bool_type", loc, "Input should be a valid boolean"))


boolean = Boolean()
"""A ``bool`` field (JSON ``true``/``false`` only)."""


@dataclass(frozen=True)
class Number(Check):
    """A JSON number (not a boolean or string), within the bounds that are set."""

    kind: ClassVar[str] = "number"
    ge: Optional[float] = None
    le: Optional[float] = None
    gt: Optional[float] = None

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        if not _is_number(value):
            problems.append(detail("float_type", loc, "Input should be a valid number"))
        else:
            check_bounds(value, loc, problems, self.ge, self.le, self.gt, "g")


number = Number
"""A ``float`` field (JSON number, not a boolean or string), optionally bounded."""


@dataclass(frozen=True)
class Integer(Check):
    """A whole JSON number within ``[ge, le]`` (the bounds that are set)."""

    kind: ClassVar[str] = "integer"
    ge: Optional[int] = None
    le: Optional[int] = None

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
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
        check_bounds(value, loc, problems, self.ge, self.le)


integer = Integer
"""An ``int`` field (a whole JSON number), optionally bounded."""


@dataclass(frozen=True)
class Choice(Check):
    """One of the strings in ``choices``."""

    kind: ClassVar[str] = "literal"
    choices: Tuple[str, ...]

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        if value not in self.choices or not isinstance(value, str):
            quoted = [f"'{item}'" for item in self.choices]
            expected = (
                quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
            )
            problems.append(detail("literal_error", loc, f"Input should be {expected}"))


def literal(*allowed: str) -> Choice:
    """One of the given strings."""
    return Choice(tuple(allowed))


@dataclass(frozen=True)
class Nullable(Check):
    """``inner``, or JSON ``null``."""

    kind: ClassVar[str] = "nullable"
    inner: Checker

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        if value is not None:
            self.inner(value, loc, problems)


nullable = Nullable
"""``inner`` or JSON ``null``."""


@dataclass(frozen=True)
class ListOf(Check):
    """A JSON array of at least ``min_length`` (and at most ``max_length``) items, each
    passing ``item``."""

    kind: ClassVar[str] = "list"
    item: Checker
    min_length: int = 0
    max_length: Optional[int] = None

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        if not isinstance(value, list):
            problems.append(detail("list_type", loc, "Input should be a valid list"))
            return
        _check_length(len(value), loc, problems, self.min_length, self.max_length, "list")
        for index, element in enumerate(value):
            self.item(element, (*loc, index), problems)


list_of = ListOf
"""A JSON array whose items pass ``item``, optionally bounded in length."""


@dataclass(frozen=True)
class DictOf(Check):
    """A JSON object whose values each pass ``item``."""

    kind: ClassVar[str] = "dict"
    item: Checker

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        if not isinstance(value, dict):
            problems.append(detail("dict_type", loc, "Input should be a valid dictionary"))
            return
        for key, element in value.items():
            self.item(element, (*loc, key), problems)


dict_of = DictOf
"""A JSON object whose values pass ``item``."""


@dataclass(frozen=True)
class AnyObject(Check):
    """Any JSON object, its contents unchecked."""

    kind: ClassVar[str] = "any_object"

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        if not isinstance(value, dict):
            problems.append(detail("dict_type", loc, "Input should be a valid dictionary"))


any_object = AnyObject()
"""Any JSON object."""


@dataclass(frozen=True)
class Anything(Check):
    """Any JSON value at all."""

    kind: ClassVar[str] = "any"

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        return None


anything = Anything()
"""A checker that accepts any JSON value."""


@dataclass(frozen=True)
class OneOf(Check):
    """The first of ``options`` that accepts the value; otherwise every option's problems."""

    kind: ClassVar[str] = "union"
    options: Tuple[Checker, ...]

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        collected: Problems = []
        for option in self.options:
            attempt: Problems = []
            option(value, loc, attempt)
            if not attempt:
                return
            collected.extend(attempt)
        problems.extend(collected)


def union(*options: Checker) -> OneOf:
    """The first option that accepts the value; otherwise every option's problems."""
    return OneOf(tuple(options))


@dataclass(frozen=True)
class Object(Check):
    """A JSON object with these ``fields`` (optional unless named in ``required``); other
    keys are ignored."""

    kind: ClassVar[str] = "object"
    fields: Mapping[str, Checker]
    required: Tuple[str, ...] = ()

    def __call__(self, value: Any, loc: Loc, problems: Problems) -> None:
        check_object(value, loc, problems, self.fields, self.required)


def obj(fields: Mapping[str, Checker], required: Sequence[str] = ()) -> Object:
    """A JSON object with these (optional unless ``required``) fields; others are ignored."""
    return Object(fields, tuple(required))


@dataclass(frozen=True)
class RequestSchema(Object):
    """An endpoint's request body: its ``fields`` and the ``required`` ones.

    ``validate(body)`` lists the problems of a body, located under ``"body"`` as the gateway
    reports them; a field not in ``fields`` is ignored.
    """

    def validate(self, body: Any) -> Problems:
        """The problems with ``body`` (empty when it is valid)."""
        problems: Problems = []
        check_object(body, ("body",), problems, self.fields, self.required)
        return problems


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
        "strict": nullable(boolean),
    },
    required=("name",),
)
_TOOL = obj({"type": literal("function"), "function": _FUNCTION}, required=("type", "function"))
_TOOL_CALL = obj(
    {
        "id": string(),
        "type": literal("function"),
        "function": obj({"name": string(), "arguments": string()}, required=("name",)),
        "thought_signature": nullable(string()),
    },
    required=("id", "type", "function"),
)
_MESSAGE = obj(
    {
        "role": literal("system", "user", "assistant", "tool", "developer"),
        "content": _CONTENT,
        "name": nullable(string()),
        "tool_call_id": nullable(string()),
        "tool_calls": nullable(list_of(_TOOL_CALL)),
        "reasoning_details": nullable(list_of(any_object)),
    },
    required=("role",),
)
CHAT_MESSAGE = _MESSAGE
"""One message of a chat conversation (chat completions, compare, router select)."""
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
    "max_completion_tokens": nullable(integer(ge=1)),
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
    "modalities": nullable(list_of(literal("text", "audio", "image"))),
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

CHAT_REQUEST = RequestSchema(_CHAT_CHECKS, required=("messages",))
"""The body of ``POST /v1/chat/completions`` (and of each request of a batch)."""
CHAT_FIELDS = frozenset(_CHAT_CHECKS)
"""Every body field chat completions knows; anything else is ignored (and recorded)."""


def validate_chat(body: Any) -> Problems:
    """Problems with a chat completion request body (empty when valid)."""
    return CHAT_REQUEST.validate(body)


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


TEMPLATE_CREATE = RequestSchema(_TEMPLATE_CHECKS, required=("name",))
"""The body of ``POST /v1/templates``."""
TEMPLATE_UPDATE = RequestSchema(_TEMPLATE_CHECKS)
"""The body of ``PATCH /v1/templates/{template_id}``: every field optional."""


def validate_template(body: Any, *, partial: bool) -> Problems:
    """Problems with a template create (``partial=False``) or PATCH (``partial=True``) body."""
    problems = (TEMPLATE_UPDATE if partial else TEMPLATE_CREATE).validate(body)
    if partial and isinstance(body, dict) and "name" in body and body["name"] is None:
        problems.append(detail("string_type", ("body", "name"), "Input should be a valid string"))
    return problems
