"""Structured outputs: a pydantic model as the JSON Schema a reply must follow, and the reply
parsed back into the model.

A model becomes a *strict* schema (:func:`to_strict_json_schema`), the form the gateway's
providers require for ``"strict": true``: every object closed (``additionalProperties:
false``) with every property listed in ``required`` (an optional field stays optional by
allowing ``null``), ``$defs`` kept and their objects made strict too, a ``$ref`` that has
other keys beside it replaced by what it names, a lone ``allOf`` merged in, ``oneOf`` read
as ``anyOf`` (strict mode knows only the latter) and ``null`` defaults dropped. From it come
chat's ``response_format`` (:func:`pydantic_response_format`), a function tool
(:func:`pydantic_function_tool`) and the Responses API's ``text.format``
(:func:`text_format_for`).

``.parse()`` also takes what meshapi 0.1.12's did (:func:`schema_reader`,
:func:`response_format_for`): another type pydantic reads (a TypedDict, a dataclass) and a
JSON Schema written as a dict, sent as it is and read as plain JSON.

The reply side is pure too: :func:`parse_chat_completion` reads each choice's content into
the model (``message.parsed``; ``None`` when the model refused, with ``message.refusal``
saying why) and each tool call's arguments into its tool's model
(``function.parsed_arguments``); :func:`parse_response` reads a response's output text
(``output_parsed``); :func:`parsed_value` is the first choice's ``message.parsed`` alone,
what meshapi 0.1.12's ``parse(params, response_format)`` returned. A reply cut at its token
limit, or stopped by a content filter, has nothing whole to parse and raises
:class:`~meshapi_core.errors.LengthFinishReasonError` or
:class:`~meshapi_core.errors.ContentFilterFinishReasonError`; content that does not fit the
model raises :class:`~meshapi_core.errors.ResponseDecodeError`.

>>> from typing import Optional
>>> from pydantic import BaseModel
>>> class Answer(BaseModel):
...     value: int
...     note: Optional[str] = None
>>> schema = to_strict_json_schema(Answer)
>>> schema["required"], schema["additionalProperties"]
(['value', 'note'], False)
"""

from __future__ import annotations

import copy
import json
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Type, TypeVar, Union

import pydantic

from .errors import (
    ContentFilterFinishReasonError,
    InvalidArgumentError,
    LengthFinishReasonError,
    ResponseDecodeError,
)
from .models.base import copy_stamp
from .models.chat import ChatCompletion
from .models.parsed import ParsedChatCompletion, ParsedResponse
from .models.responses import ResponsesResponse

__all__ = [
    "PydanticFunctionTool",
    "parse_chat_completion",
    "parse_response",
    "parsed_value",
    "pydantic_function_tool",
    "pydantic_response_format",
    "response_format_for",
    "schema_reader",
    "text_format_for",
    "to_strict_json_schema",
    "tool_parsers",
]

M = TypeVar("M", bound=pydantic.BaseModel)

SchemaSource = Union[Type[pydantic.BaseModel], "pydantic.TypeAdapter[Any]"]
"""What a schema is made from: a model class, or a ``pydantic.TypeAdapter``."""


# --- the request: models to strict schemas ---------------------------------------------------


def to_strict_json_schema(model: SchemaSource) -> Dict[str, Any]:
    """The JSON Schema of ``model`` (a pydantic model class or ``TypeAdapter``), strict: see
    the module docs for what that changes. A new dict each time."""
    if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
        schema = model.model_json_schema()
    elif isinstance(model, pydantic.TypeAdapter):
        schema = model.json_schema()
    else:
        raise InvalidArgumentError(
            f"a schema is made from a pydantic model class or a TypeAdapter, not {model!r}"
        )
    schema = copy.deepcopy(schema)
    return _strict(schema, schema, "#")


def _strict(node: Any, root: Dict[str, Any], where: str) -> Dict[str, Any]:
    if not isinstance(node, dict):
        raise InvalidArgumentError(f"the schema at {where} is not an object: {node!r}")
    for key in ("$defs", "definitions"):
        defs = node.get(key)
        if isinstance(defs, dict):
            for name, item in defs.items():
                defs[name] = _strict(item, root, f"{where}/{key}/{name}")
    if node.get("type") == "object" and "additionalProperties" not in node:
        node["additionalProperties"] = False
    properties = node.get("properties")
    if isinstance(properties, dict):
        node["required"] = list(properties)
        for name, item in properties.items():
            properties[name] = _strict(item, root, f"{where}/properties/{name}")
    items = node.get("items")
    if isinstance(items, dict):
        node["items"] = _strict(items, root, f"{where}/items")
    if "oneOf" in node and "anyOf" not in node:
        node["anyOf"] = node.pop("oneOf")
    node.pop("discriminator", None)  # pydantic's hint for oneOf; strict mode has no such key
    for key in ("prefixItems", "anyOf"):
        options = node.get(key)
        if isinstance(options, list):
            node[key] = [_strict(o, root, f"{where}/{key}/{i}") for i, o in enumerate(options)]
    all_of = node.get("allOf")
    if isinstance(all_of, list):
        if len(all_of) == 1:
            node.pop("allOf")
            node.update(_strict(all_of[0], root, f"{where}/allOf/0"))
        else:
            node["allOf"] = [_strict(o, root, f"{where}/allOf/{i}") for i, o in enumerate(all_of)]
    if "default" in node and node["default"] is None:
        del node["default"]
    ref = node.get("$ref")
    if isinstance(ref, str) and len(node) > 1:
        # A $ref may not have siblings (a description, a title): put in what it names.
        del node["$ref"]
        merged = {**copy.deepcopy(_resolve(root, ref)), **node}
        node.clear()
        node.update(merged)
        return _strict(node, root, where)
    return node


def _resolve(root: Dict[str, Any], ref: str) -> Dict[str, Any]:
    if not ref.startswith("#/"):
        raise InvalidArgumentError(f"cannot follow $ref {ref!r}: only #/... references are")
    node: Any = root
    for part in ref[2:].split("/"):
        node = (
            node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
        )
        if node is None:
            raise InvalidArgumentError(f"$ref {ref!r} names nothing in the schema")
    if not isinstance(node, dict):
        raise InvalidArgumentError(f"$ref {ref!r} names {node!r}, not a schema")
    return node


def _name_of(model: SchemaSource, name: Optional[str]) -> str:
    if name is not None:
        return name
    if isinstance(model, type):
        return model.__name__
    return str(getattr(getattr(model, "_type", None), "__name__", None) or "response")


def pydantic_response_format(
    model: SchemaSource, *, name: Optional[str] = None, description: Optional[str] = None
) -> Dict[str, Any]:
    """Chat's ``response_format`` for replies shaped as ``model``: its strict schema, named
    after it.

    >>> from pydantic import BaseModel
    >>> class Answer(BaseModel):
    ...     value: int
    >>> pydantic_response_format(Answer)["json_schema"]["name"]
    'Answer'
    """
    json_schema: Dict[str, Any] = {
        "name": _name_of(model, name),
        "schema": to_strict_json_schema(model),
        "strict": True,
    }
    if description is not None:
        json_schema["description"] = description
    return {"type": "json_schema", "json_schema": json_schema}


def schema_reader(response_format: Any) -> Any:
    """What ``.parse()`` reads a reply into for ``response_format``: a model class or a
    ``TypeAdapter`` as it is; a dict (a JSON Schema) as plain JSON (``json``, unchecked); any
    other type pydantic reads (a TypedDict, a dataclass) as a ``TypeAdapter`` of it.

    >>> schema_reader({"type": "object"}) is json
    True
    """
    if _parses(response_format):
        return response_format
    if isinstance(response_format, Mapping):
        return json
    if isinstance(response_format, type):
        try:
            return pydantic.TypeAdapter(response_format)
        except pydantic.PydanticUserError:
            pass
    raise InvalidArgumentError(
        "response_format: a pydantic model, another type pydantic reads (a TypedDict, a "
        f"dataclass) or a JSON Schema as a dict, not {response_format!r}"
    )


def response_format_for(response_format: Any) -> Dict[str, Any]:
    """Chat's ``response_format`` for ``.parse()``'s: a model or another type pydantic reads
    as its strict schema (:func:`pydantic_response_format`); a dict, a JSON Schema, as it is,
    wrapped and named ``response`` unless it is already a whole ``{"type": "json_schema",
    "json_schema": {...}}`` (then only named ``response`` if it has no name).

    >>> response_format_for({"type": "object"})["json_schema"]
    {'name': 'response', 'schema': {'type': 'object'}}
    """
    if not isinstance(response_format, Mapping):
        return pydantic_response_format(schema_reader(response_format))
    given = dict(response_format)
    if given.get("type") != "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "response", "schema": given}}
    inner = given.get("json_schema")
    if not isinstance(inner, Mapping) or not isinstance(inner.get("schema", {}), Mapping):
        raise InvalidArgumentError(
            f"response_format: its json_schema must be an object with a schema, not {inner!r}"
        )
    return {**given, "json_schema": {"name": "response", **inner}}


def text_format_for(model: SchemaSource, *, name: Optional[str] = None) -> Dict[str, Any]:
    """The Responses API's ``text.format`` for output shaped as ``model``."""
    return {
        "type": "json_schema",
        "name": _name_of(model, name),
        "schema": to_strict_json_schema(model),
        "strict": True,
    }


class PydanticFunctionTool(Dict[str, Any]):
    """A function tool made from a model (:func:`pydantic_function_tool`): the dict chat's
    ``tools`` takes, which also remembers its ``model``, so that ``.parse()`` reads each call
    of it into that model (``function.parsed_arguments``)."""

    model: Type[pydantic.BaseModel]
    """The model the tool's arguments are read into."""


def pydantic_function_tool(
    model: Type[pydantic.BaseModel],
    *,
    name: Optional[str] = None,
    description: Optional[str] = None,
) -> PydanticFunctionTool:
    """A strict function tool whose arguments are ``model``'s fields: named after the model
    (or ``name``), described by its docstring (or ``description``).

    >>> from pydantic import BaseModel
    >>> class GetWeather(BaseModel):
    ...     '''The weather in a city.'''
    ...     city: str
    >>> tool = pydantic_function_tool(GetWeather)
    >>> tool["function"]["name"], tool["function"]["strict"], tool.model is GetWeather
    ('GetWeather', True, True)
    """
    function: Dict[str, Any] = {
        "name": name or model.__name__,
        "parameters": to_strict_json_schema(model),
        "strict": True,
    }
    described = description if description is not None else (model.__doc__ or "").strip()
    if described:
        function["description"] = described
    tool = PydanticFunctionTool(type="function", function=function)
    tool.model = model
    return tool


# --- the reply: parsed into the models ---------------------------------------------------------


def tool_parsers(tools: Optional[Iterable[Any]]) -> Dict[str, Any]:
    """What each function of ``tools`` (chat's ``tools``, as given) has its arguments read
    into: the model of a :class:`PydanticFunctionTool`, ``json`` for another strict
    function (plain JSON), nothing for the rest."""
    parsers: Dict[str, Any] = {}
    for tool in tools or ():
        model = getattr(tool, "model", None)
        function = (
            tool.get("function") if isinstance(tool, Mapping) else getattr(tool, "function", None)
        )
        if isinstance(function, Mapping):
            name, strict = function.get("name"), function.get("strict")
        else:
            name, strict = getattr(function, "name", None), getattr(function, "strict", None)
        if not isinstance(name, str):
            continue
        if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
            parsers[name] = model
        elif strict is True:
            parsers[name] = json
    return parsers


def _read(target: Any, text: str, what: str, request_id: Optional[str]) -> Any:
    """``text`` (JSON) read as ``target``: a model class, a TypeAdapter, or ``json``."""
    try:
        if target is json:
            return json.loads(text)
        if isinstance(target, pydantic.TypeAdapter):
            return target.validate_json(text)
        return target.model_validate_json(text)
    except (ValueError, pydantic.ValidationError) as exc:
        problem = _problem(exc)
    raise ResponseDecodeError(
        f"{what} is not a valid {_name_of(target, None) if target is not json else 'JSON value'}: "
        f"{problem}",
        error_code="parse_error",
        request_id=request_id,
    )


def _problem(exc: Exception) -> str:
    if isinstance(exc, pydantic.ValidationError):
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "the top"
        return f"{first.get('msg', 'invalid')} at {where}"
    return "not JSON"


def _parses(response_format: Any) -> bool:
    return isinstance(response_format, pydantic.TypeAdapter) or (
        isinstance(response_format, type) and issubclass(response_format, pydantic.BaseModel)
    )


def parse_chat_completion(
    completion: ChatCompletion,
    response_format: Any = None,
    tools: Optional[Mapping[str, Any]] = None,
) -> ParsedChatCompletion[Any]:
    """``completion`` with each choice's content read into ``response_format`` (a model
    class, a TypeAdapter, or ``json``: see :func:`schema_reader`; anything else parses
    nothing) as ``message.parsed``, and each
    tool call's arguments read by ``tools`` (:func:`tool_parsers`) as
    ``function.parsed_arguments``. See the module docs for what raises."""
    request_id = completion.request_id
    data = completion.model_dump(by_alias=True, exclude_unset=True)
    parsers = tools or {}
    for index, choice in enumerate(completion.choices):
        if choice.finish_reason == "length":
            raise _finish_error(LengthFinishReasonError, completion, request_id)
        if choice.finish_reason == "content_filter":
            raise _finish_error(ContentFilterFinishReasonError, completion, request_id)
        raw_choice = data["choices"][index]
        message = raw_choice.setdefault("message", {})
        reply = choice.message
        reads = response_format is json or _parses(response_format)
        if reads and reply.content and not reply.refusal:
            message["parsed"] = _read(
                response_format, reply.content, "The reply's content", request_id
            )
        raw_calls = message.get("tool_calls") or []
        for call, raw_call in zip(reply.tool_calls or (), raw_calls):
            parser = parsers.get(call.function.name)
            if parser is not None:
                raw_call.setdefault("function", {})["parsed_arguments"] = _read(
                    parser, call.function.arguments, f"The arguments of {call.function.name}",
                    request_id,
                )  # fmt: skip
    parsed: ParsedChatCompletion[Any] = ParsedChatCompletion.model_validate(data)
    copy_stamp(completion, parsed)
    return parsed


def parsed_value(
    completion: ChatCompletion,
    parse: Callable[[ChatCompletion], ParsedChatCompletion[Any]],
) -> Any:
    """The first choice's ``message.parsed`` of ``parse(completion)`` (a
    :func:`parse_chat_completion`), alone: what meshapi 0.1.12's ``parse(params,
    response_format)`` returned. A reply with nothing to read (no choice, no content, a
    refusal) raises :class:`~meshapi_core.errors.ResponseDecodeError`, as there."""
    parsed = parse(completion)
    message = parsed.choices[0].message if parsed.choices else None
    if message is not None and message.content and not message.refusal:
        return message.parsed
    why = f"the model refused: {message.refusal}" if message and message.refusal else "no content"
    raise ResponseDecodeError(
        f"The reply has nothing to parse ({why})",
        error_code="parse_error",
        request_id=completion.request_id,
    )


def _finish_error(cls: Any, completion: ChatCompletion, request_id: Optional[str]) -> Any:
    if cls is LengthFinishReasonError:
        usage = completion.usage
        used = f" ({usage.completion_tokens} tokens)" if usage and usage.completion_tokens else ""
        message = (
            f"The reply was cut at its token limit{used}, so it is not whole JSON: raise "
            "max_tokens (or max_completion_tokens), or ask for less"
        )
        code = "length_limit"
    else:
        message = "The reply was stopped by a content filter: there is nothing to parse"
        code = "content_filter"
    error = cls(message, error_code=code, request_id=request_id)
    error.completion = completion
    return error


def parse_response(response: ResponsesResponse, text_format: Any = None) -> ParsedResponse[Any]:
    """``response`` with its output text read into ``text_format`` (a model class or
    TypeAdapter) as ``output_parsed`` (``None`` without output text, e.g. a refusal)."""
    request_id = response.request_id
    data = response.model_dump(by_alias=True, exclude_unset=True)
    text = response.output_text
    if _parses(text_format) and text:
        data["output_parsed"] = _read(text_format, text, "The response's output text", request_id)
    parsed: ParsedResponse[Any] = ParsedResponse.model_validate(data)
    copy_stamp(response, parsed)
    return parsed
