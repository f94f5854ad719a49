"""Structured output in the emulator: what it generates validates against the schema.

The validator below is written independently of the generator, for the keywords the
generator documents; examples come from hand-written structured-output schemas and from
Hypothesis.
"""

from __future__ import annotations

import math
import re
from typing import Any, Dict, List

from hypothesis import given
from hypothesis import strategies as st

from meshapi.testing._gateway.schema import instance_of

_FORMATS = {
    "date-time": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z",
    "date": r"\d{4}-\d{2}-\d{2}",
    "email": r"[^@\s]+@[^@\s]+\.[a-z]+",
    "uri": r"https?://\S+",
    "uuid": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
}


def problems(value: Any, schema: Any, root: Any, where: str = "$") -> List[str]:
    """Where ``value`` breaks ``schema`` (an empty list when it validates)."""
    if schema is True or schema == {}:
        return []
    if "$ref" in schema:
        node = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        return problems(value, node, root, where)
    found: List[str] = []
    if "const" in schema and value != schema["const"]:
        found.append(f"{where}: not const")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: not in enum")
    for key in ("anyOf", "oneOf"):
        if key in schema and all(problems(value, s, root, where) for s in schema[key]):
            found.append(f"{where}: matches no {key} option")
    for sub in schema.get("allOf", ()):
        found += problems(value, sub, root, where)
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        checks = {
            "object": lambda v: isinstance(v, dict),
            "array": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
            "null": lambda v: v is None,
        }
        if not any(checks[k](value) for k in kinds):
            return [*found, f"{where}: not {kind}"]
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                found.append(f"{where}: missing {name}")
        properties = schema.get("properties", {})
        for name, sub in properties.items():
            if name in value:
                found += problems(value[name], sub, root, f"{where}.{name}")
        if schema.get("additionalProperties") is False:
            found += [f"{where}: extra {k}" for k in value if k not in properties]
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append(f"{where}: too few items")
        if len(value) > schema.get("maxItems", math.inf):
            found.append(f"{where}: too many items")
        if schema.get("uniqueItems") and len({repr(v) for v in value}) != len(value):
            found.append(f"{where}: items not unique")
        for index, item in enumerate(value):
            prefix = schema.get("prefixItems", [])
            sub = prefix[index] if index < len(prefix) else schema.get("items", {})
            found += problems(item, sub, root, f"{where}[{index}]")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 1e9):
            found.append(f"{where}: bad length")
        fmt = schema.get("format")
        if fmt in _FORMATS and not re.fullmatch(_FORMATS[fmt], value):
            found.append(f"{where}: not a {fmt}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{where}: below minimum")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{where}: above maximum")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            found.append(f"{where}: not above exclusiveMinimum")
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            found.append(f"{where}: not below exclusiveMaximum")
        step = schema.get("multipleOf")
        if step and not math.isclose(value / step, round(value / step), abs_tol=1e-9):
            found.append(f"{where}: not a multiple of {step}")
    return found


EVENT = {
    "type": "object",
    "$defs": {
        "person": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 2},
                "email": {"type": "string", "format": "email"},
                "age": {"type": ["integer", "null"], "minimum": 18, "maximum": 120},
            },
            "required": ["name", "email", "age"],
            "additionalProperties": False,
        }
    },
    "properties": {
        "title": {"type": "string", "maxLength": 5},
        "when": {"type": "string", "format": "date-time"},
        "id": {"type": "string", "format": "uuid"},
        "kind": {"enum": ["meeting", "call"]},
        "version": {"const": 2},
        "host": {"$ref": "#/$defs/person"},
        "guests": {"type": "array", "items": {"$ref": "#/$defs/person"}, "minItems": 2},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 3, "uniqueItems": True},
        "point": {"type": "array", "prefixItems": [{"type": "number"}, {"type": "boolean"}]},
        "score": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "slots": {"type": "integer", "minimum": 7, "multipleOf": 5},
        "note": {"anyOf": [{"type": "null"}, {"type": "string"}]},
        "extra": {"allOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                            {"properties": {"b": {"type": "boolean"}}, "required": ["b"]}]},
    },
    "required": ["title", "when", "id", "kind", "version", "host", "guests", "tags"],
    "additionalProperties": False,
}  # fmt: skip


def test_a_realistic_schema() -> None:
    value = instance_of(EVENT, "A long reply text")
    assert problems(value, EVENT, EVENT) == []
    assert value["title"] == "A lon"
    assert value["slots"] == 10
    assert value["note"] is not None
    assert instance_of(EVENT, "A long reply text") == value


def test_the_first_string_is_the_reply() -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "string"},
              "other": {"type": "string"}}}  # fmt: skip
    assert instance_of(schema, "2 + 2 = 4.") == {"answer": "2 + 2 = 4.", "other": "other"}


def test_recursion_stops() -> None:
    tree = {"$defs": {"node": {"type": "object", "properties": {
        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
        "$ref": "#/$defs/node"}  # fmt: skip
    value = instance_of(tree)
    assert isinstance(value, dict) and "children" in value


_SCALARS = st.one_of(
    st.builds(
        lambda low, span, step: {
            "type": "integer",
            **({"minimum": low} if low is not None else {}),
            **({"maximum": low + span} if low is not None and span is not None else {}),
            **({"multipleOf": step} if step and span is None else {}),
        },
        st.one_of(st.none(), st.integers(-50, 50)),
        st.one_of(st.none(), st.integers(0, 20)),
        st.one_of(st.none(), st.integers(1, 7)),
    ),
    st.builds(
        lambda low, span, exclusive: {
            "type": "number",
            ("exclusiveMinimum" if exclusive else "minimum"): low,
            ("exclusiveMaximum" if exclusive else "maximum"): low + span,
        },
        st.floats(-100, 100),
        st.floats(0.5, 10),
        st.booleans(),
    ),
    st.builds(
        lambda low, extra: {"type": "string", "minLength": low, "maxLength": low + extra},
        st.integers(0, 10),
        st.integers(0, 10),
    ),
    st.sampled_from(
        [
            {"type": "boolean"},
            {"type": "null"},
            {"enum": ["a", 1, None]},
            {"const": [1]},
            {"type": "string", "format": "date"},
            {"type": ["null", "number"]},
        ]
    ),
)


def _extend(children: st.SearchStrategy[Dict[str, Any]]) -> st.SearchStrategy[Dict[str, Any]]:
    return st.one_of(
        st.builds(
            lambda props, strict: {
                "type": "object",
                "properties": props,
                "required": sorted(props),
                **({"additionalProperties": False} if strict else {}),
            },
            st.dictionaries(st.text("abcdefgh", min_size=1, max_size=4), children, max_size=4),
            st.booleans(),
        ),
        st.builds(
            lambda item, low: {"type": "array", "items": item, "minItems": low},
            children,
            st.integers(0, 3),
        ),
        st.builds(lambda options: {"anyOf": options}, st.lists(children, min_size=1, max_size=3)),
    )


@given(st.recursive(_SCALARS, _extend, max_leaves=12), st.text(max_size=20))
def test_generated_values_validate(schema: Dict[str, Any], text: str) -> None:
    assert problems(instance_of(schema, text), schema, schema) == []
