"""Structured output: a deterministic JSON value that validates against a JSON Schema.

``json_schema`` response formats are answered with :func:`instance_of` the schema, JSON mode
with an instance of :data:`JSON_OBJECT`; the first string the value needs carries the model's
ordinary reply, other strings are named after their property. Honoured: ``type``,
``properties`` (all filled), ``required``, ``items``/``prefixItems`` and their counts,
``enum``, ``const``, ``anyOf``/``oneOf``/``allOf``, ``$ref`` (recursion stops at depth 16),
string lengths and ``format``, numeric bounds and ``multipleOf``. Not honoured: ``pattern``,
``not``, conditionals, ``dependentSchemas``, ``patternProperties``.
"""

from __future__ import annotations

import json
import math
from typing import Any, Dict, List, Optional

from .replies import Completion, split_words

_MAX_DEPTH = 16
_FORMATS = {
    "date-time": "2026-09-01T00:00:00Z",
    "date": "2026-09-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
}


class _Builder:
    def __init__(self, root: Any, text: str) -> None:
        self.root = root
        self.text: Optional[str] = text or None

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return {}
        node: Any = self.root
        for part in ref[1:].split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return {}
        return node

    def value(self, schema: Any, name: str, index: int, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            return None
        if schema is True or not isinstance(schema, dict):
            return self.string({}, name, index)
        if "$ref" in schema:
            target = self.resolve(str(schema["$ref"]))
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            merged = {**target, **rest} if isinstance(target, dict) else rest
            return self.value(merged, name, index, depth + 1)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][index % len(schema["enum"])]
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                chosen = next((o for o in options if not _is_null(o)), options[0])
                rest = {k: v for k, v in schema.items() if k != key}
                merged = {**rest, **chosen} if isinstance(chosen, dict) else chosen
                return self.value(merged, name, index, depth + 1)
        if isinstance(schema.get("allOf"), list):
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                if isinstance(part, dict) and "$ref" in part:
                    part = self.resolve(str(part["$ref"]))
                if isinstance(part, dict):
                    merged = _merge(merged, part)
            return self.value(merged, name, index, depth + 1)
        kind = _type_of(schema)
        if kind == "object":
            return self.object(schema, depth)
        if kind == "array":
            return self.array(schema, name, depth)
        if kind == "integer":
            return int(self.number(schema, integer=True, index=index))
        if kind == "number":
            return self.number(schema, integer=False, index=index)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self.string(schema, name, index)

    def object(self, schema: Dict[str, Any], depth: int) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for key, sub in properties.items():
                out[key] = self.value(sub, key, 0, depth + 1)
        for key in schema.get("required") or ():
            if isinstance(key, str) and key not in out:
                out[key] = self.string({}, key, 0)
        return out

    def array(self, schema: Dict[str, Any], name: str, depth: int) -> List[Any]:
        prefix = schema.get("prefixItems")
        items = schema.get("items")
        low_items, high_items = schema.get("minItems"), schema.get("maxItems")
        low: int = low_items if isinstance(low_items, int) else 0
        high: Optional[int] = high_items if isinstance(high_items, int) else None
        count = max(low, len(prefix) if isinstance(prefix, list) else 0, 1)
        if high is not None:
            count = min(count, high)
        out: List[Any] = []
        for index in range(count):
            if isinstance(prefix, list) and index < len(prefix):
                sub: Any = prefix[index]
            elif isinstance(items, (dict, bool)):
                sub = items
            else:
                sub = {}
            out.append(self.value(sub, name, index, depth + 1))
        return out

    def string(self, schema: Dict[str, Any], name: str, index: int) -> str:
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS:
            text = _FORMATS[fmt]
            if fmt == "uuid" and index:
                text = text[:-12] + f"{index:012d}"
            elif fmt in ("email", "uri", "url", "hostname") and index:
                text = text.replace("example", f"example{index}")
            return text
        if self.text is not None:
            text, self.text = self.text, None
        else:
            text = name or "value"
        if index:
            text = f"{text} {index}"
        low = schema.get("minLength")
        high = schema.get("maxLength")
        if isinstance(low, int) and len(text) < low:
            text += "x" * (low - len(text))
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        return text

    def number(self, schema: Dict[str, Any], *, integer: bool, index: int) -> float:
        low, low_strict = _limit(schema, "minimum", "exclusiveMinimum", max)
        high, high_strict = _limit(schema, "maximum", "exclusiveMaximum", min)
        if integer:
            if low is not None:
                low = float(math.floor(low) + 1 if low_strict else math.ceil(low))
                low_strict = False
            if high is not None:
                high = float(math.ceil(high) - 1 if high_strict else math.floor(high))
                high_strict = False

        def fits(value: float) -> bool:
            above = low is None or (value > low if low_strict else value >= low)
            below = high is None or (value < high if high_strict else value <= high)
            return above and below

        value = float(index)
        if not fits(value):
            if low is not None and high is not None:
                value = low if not low_strict else (high if not high_strict else (low + high) / 2)
            elif low is not None:
                value = low + 1 if low_strict else low
            elif high is not None:
                value = high - 1 if high_strict else high
        step = _number(schema.get("multipleOf"))
        if step is not None and step > 0:
            start = math.ceil((low if low is not None else value) / step)
            for k in range(start, start + 1000):
                candidate = k * step
                if fits(candidate) and (not integer or float(candidate).is_integer()):
                    value = candidate
                    break
        return float(round(value)) if integer else float(value)


def _limit(schema: Dict[str, Any], inclusive: str, exclusive: str, pick: Any) -> Any:
    """The tighter of an inclusive and an exclusive bound, and whether it is exclusive."""
    bound, edge = _number(schema.get(inclusive)), _number(schema.get(exclusive))
    if edge is not None and (bound is None or pick(bound, edge) == edge):
        return edge, True
    return bound, False


def _number(value: Any) -> Optional[float]:
    """A JSON number (not a boolean) as a float, else ``None``."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def _type_of(schema: Dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if isinstance(k, str)]
        non_null = [k for k in kinds if k != "null"]
        return (non_null or kinds or ["string"])[0]
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
        return "number"
    return "string"


def _merge(left: Dict[str, Any], right: Dict[str, Any]) -> Dict[str, Any]:
    out = dict(left)
    for key, value in right.items():
        if key == "properties" and isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = {**out[key], **value}
        elif key == "required" and isinstance(out.get(key), list) and isinstance(value, list):
            out[key] = out[key] + [v for v in value if v not in out[key]]
        else:
            out[key] = value
    return out


JSON_OBJECT: Dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string"}},
    "required": ["answer"],
}
"""What JSON mode (``{"type": "json_object"}``) answers: ``{"answer": <the model's reply>}``."""


def response_schema(response_format: Any) -> Optional[Any]:
    """The schema a ``response_format`` (chat) or ``text.format`` (Responses) asks the reply
    to follow: a ``json_schema``'s schema (nested under ``json_schema`` in chat, inline in
    Responses), :data:`JSON_OBJECT` for JSON mode, ``None`` for text."""
    if not isinstance(response_format, dict):
        return None
    kind = response_format.get("type")
    if kind == "json_object":
        return JSON_OBJECT
    if kind != "json_schema":
        return None
    inner = response_format.get("json_schema")
    holder = inner if isinstance(inner, dict) else response_format
    return holder.get("schema", {})


def instance_of(schema: Any, text: str = "") -> Any:
    """A value that validates against ``schema``; the first string it needs is ``text``.

    >>> instance_of({"type": "object", "properties": {"answer": {"type": "string"},
    ...     "confidence": {"type": "number", "minimum": 0.5, "maximum": 1}},
    ...     "required": ["answer", "confidence"]}, "4")
    {'answer': '4', 'confidence': 0.5}
    """
    return _Builder(schema, text).value(schema, "", 0, 0)


def structured_completion(
    completion: Completion, schema: Any, max_tokens: Optional[int]
) -> Completion:
    """``completion`` with its text replaced by :func:`instance_of` ``schema`` as JSON (one
    delta per JSON token run), cut at ``max_tokens`` deltas like any other reply. A tool
    call is left alone."""
    if completion.tool_call is not None:
        return completion
    text = json.dumps(instance_of(schema, completion.text or ""), ensure_ascii=False)
    deltas = split_words(text)
    finish = "stop"
    if max_tokens is not None and len(deltas) > max_tokens:
        deltas, finish = deltas[:max_tokens], "length"
    return Completion(tuple(deltas), finish, completion.prompt_tokens)
