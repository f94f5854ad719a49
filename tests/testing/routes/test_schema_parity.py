"""The emulator's reading of each request schema agrees with the SDK's, field by field.

The emulator validates request bodies with its own checkers (``meshapi/testing/_gateway/validate.py``),
written from the gateway's documentation and never derived from the SDK, so it can catch an
SDK that sends what the gateway refuses. That independence lets the two readings drift apart;
this test compares them. For every endpoint whose params travel as a JSON body, the
emulator's :class:`RequestSchema` is compared with the core's params model: the field names
(as sent on the wire, by alias), which are required, numeric bounds, string and list
lengths, literal choices, and nullability where it changes what the wire accepts (the SDK can
send ``null`` for a field the emulator refuses it for). Nested objects and list items are
compared the same way, except that a nested field only the SDK names is not reported (inside
a body the emulator checks the fields that matter to it, and ignores the rest as the gateway
passes them through); where a side leaves a value unchecked (the emulator's
``any_object``/``anything``, the SDK's ``Any``) nothing below it is compared. A field the SDK
sends even when left at its default (a ``type`` tag, ``org_id``) counts as required, and a
type whose validator changes what is sent (:data:`SENT_AS`) as what it sends. Multipart
bodies and query strings are not compared.

A drift fails the endpoint's test with a message naming the endpoint, the field and what
differs. Where the emulator disagrees with the SDK on purpose, the difference is listed in
:data:`DELIBERATE` with the reason; :func:`test_the_deliberate_drifts_are_current` keeps that
list from going stale, and :func:`test_a_mutated_schema_is_reported` shows that the
comparison can fail.

The emulator's schema for an endpoint is found by :func:`emulator_schema`: the ``request``
its route declares, which the dispatcher checks, else the one its handler checks
(:data:`_SCHEMAS`).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import fnmatch
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

import annotated_types
import pydantic
import pytest
from pydantic.fields import FieldInfo

from meshapi.testing._gateway import validate as _validate
from meshapi.testing._gateway.validate import (
    Check,
    Checker,
    Choice,
    DictOf,
    Integer,
    ListOf,
    Nullable,
    Number,
    Object,
    OneOf,
    RequestSchema,
    String,
)
from meshapi.testing._routes import ROUTES
from meshapi.testing._routes import batches as _routes_batches
from meshapi.testing._routes import images as _routes_images
from meshapi.testing._routes import keys as _routes_keys
from meshapi.testing._routes import memories as _routes_memories
from meshapi.testing._routes import messages as _routes_messages
from meshapi.testing._routes import orgs as _routes_orgs
from meshapi.testing._routes import provider_keys as _routes_provider_keys
from meshapi_core.endpoint import Endpoint, Send
from meshapi_core.endpoints import all_endpoints
from meshapi_core.models.money import Amount
from meshapi_core.models.provider_keys import NonEmptySecret, ServiceAccount

# --- where the emulator's schemas are ------------------------------------------------------

_SCHEMAS: Dict[Tuple[str, str], Callable[[], RequestSchema]] = {
    ("POST", "/v1/chat/completions"): lambda: _validate.CHAT_REQUEST,
    ("POST", "/v1/messages"): lambda: _routes_messages._REQUEST,
    ("POST", "/v1/images/edits"): lambda: _routes_images._EDIT_REQUEST,
    ("POST", "/v1/batches"): lambda: _routes_batches._CREATE_REQUEST,
    ("POST", "/v1/templates"): lambda: _validate.TEMPLATE_CREATE,
    ("PATCH", "/v1/templates/{template_id}"): lambda: _validate.TEMPLATE_UPDATE,
    ("POST", "/v1/keys"): lambda: _routes_keys._KEY_REQUEST,
    ("PATCH", "/v1/keys/{key_id}"): lambda: _routes_keys._KEY_REQUEST,
    ("POST", "/v1/admin-keys/{key_id}/rotate"): lambda: _routes_keys._ROTATE_REQUEST,
    ("PATCH", "/v1/memories/{slug}"): lambda: _routes_memories._UPDATE_REQUEST,
    ("POST", "/v1/memories/{slug}/items"): lambda: _routes_memories._ITEM_CREATE_REQUEST,
    ("PATCH", "/v1/memories/{slug}/items/{item_id}"): (
        lambda: _routes_memories._ITEM_UPDATE_REQUEST
    ),
    ("POST", "/v1/orgs/current/members"): lambda: _routes_orgs._INVITE_REQUEST,
    ("POST", "/v1/orgs/current/transfer-ownership"): lambda: _routes_orgs._TRANSFER_REQUEST,
}
"""The emulator's request schema of each JSON endpoint whose route does not declare one
(its handler checks the body itself, after a decision of its own), by method and path."""

_PROVIDER_KEYS = "/v1/provider-keys/"


def emulator_schema(method: str, path: str) -> RequestSchema:
    """The emulator's request schema for ``method path`` (a core endpoint's template)."""
    if path.startswith(_PROVIDER_KEYS):  # one route for every provider: its fields vary
        provider = path[len(_PROVIDER_KEYS) :]
        required, _, _ = _routes_provider_keys.PROVIDER_FIELDS[provider]
        checks = _routes_provider_keys._checks(provider)
        return RequestSchema(checks, required if method == "POST" else ())
    for route in ROUTES:  # a route that declares its body: the schema the dispatcher checks
        if route.method == method and route.path == path and route.request is not None:
            return route.request
    return _SCHEMAS[(method, path)]()


# --- one description for both sides -------------------------------------------------------


@dataclass
class Shape:
    """What a value may be, as either side describes it.

    ``kind`` is one of ``string``, ``integer``, ``number``, ``boolean``, ``literal``,
    ``object`` (with ``fields``), ``any_object`` (an unchecked object), ``dict`` (values all
    ``item``), ``list`` (of ``item``), ``union`` (of ``options``) and ``any``.
    """

    kind: str
    nullable: bool = False
    bounds: Dict[str, float] = field(default_factory=dict)
    choices: FrozenSet[Any] = frozenset()
    fields: Dict[str, Shape] = field(default_factory=dict)
    required: FrozenSet[str] = frozenset()
    item: Optional[Shape] = None
    options: Tuple[Shape, ...] = ()


_KINDS = {
    String: "string",
    Integer: "integer",
    Number: "number",
    Choice: "literal",
}


def emulator_shape(checker: Checker) -> Shape:
    """The :class:`Shape` of one of the emulator's checkers."""
    assert isinstance(checker, Check), f"{checker!r} is not an introspectable checker"
    if isinstance(checker, Nullable):
        return dataclasses.replace(emulator_shape(checker.inner), nullable=True)
    if isinstance(checker, Object):
        fields = {name: emulator_shape(c) for name, c in checker.fields.items()}
        return Shape("object", fields=fields, required=frozenset(checker.required))
    if isinstance(checker, ListOf):
        bounds: Dict[str, float] = {"min_length": checker.min_length} if checker.min_length else {}
        if checker.max_length is not None:
            bounds["max_length"] = checker.max_length
        return Shape("list", item=emulator_shape(checker.item), bounds=bounds)
    if isinstance(checker, DictOf):
        return Shape("dict", item=emulator_shape(checker.item))
    if isinstance(checker, OneOf):
        return Shape("union", options=tuple(emulator_shape(o) for o in checker.options))
    if isinstance(checker, Choice):
        return Shape("literal", choices=frozenset(checker.choices))
    bounds = {}
    for name in ("ge", "le", "gt", "min_length", "max_length"):
        value = getattr(checker, name, None)
        if value is not None and not (name == "min_length" and value == 0):
            bounds[name] = value
    return Shape(checker.kind, bounds=bounds)


SENT_AS: Tuple[Tuple[Any, Shape], ...] = (
    (Amount, Shape("string")),  # a str, Decimal or int, sent as a decimal string
    (ServiceAccount, Shape("string")),  # JSON text, or a dict sent as its JSON text
    (NonEmptySecret, Shape("string", bounds={"min_length": 1})),  # refused when empty
)
"""SDK types whose validators change what is sent: the type, and what goes on the wire."""

_BOUNDS = {
    annotated_types.Ge: "ge",
    annotated_types.Le: "le",
    annotated_types.Gt: "gt",
    annotated_types.Lt: "lt",
    annotated_types.MinLen: "min_length",
    annotated_types.MaxLen: "max_length",
}


def _constraints(metadata: Sequence[Any]) -> Dict[str, float]:
    found: Dict[str, float] = {}
    for item in metadata:
        for kind, name in _BOUNDS.items():
            if isinstance(item, kind):
                found[name] = getattr(item, name)
        if isinstance(item, FieldInfo):
            found.update(_constraints(item.metadata))
    return {k: v for k, v in found.items() if not (k == "min_length" and v == 0)}


def _merged(options: Tuple[Shape, ...]) -> Shape:
    """One object for a union of objects told apart by a tag: every option's fields (a
    literal field's choices joined), required where every option requires it."""
    fields: Dict[str, Shape] = {}
    for option in options:
        for name, shape in option.fields.items():
            seen = fields.get(name)
            if seen is not None and seen.kind == shape.kind == "literal":
                shape = dataclasses.replace(seen, choices=seen.choices | shape.choices)
            fields[name] = shape if seen is None or shape.kind == "literal" else seen
    required = frozenset.intersection(*(o.required for o in options))
    return Shape("object", fields=fields, required=required)


def sdk_shape(annotation: Any, metadata: Sequence[Any] = ()) -> Shape:
    """The :class:`Shape` of a params model's field type (with its ``Field`` constraints)."""
    for alias, shape in SENT_AS:
        if annotation == alias:
            return shape
    metadata = list(metadata)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return sdk_shape(inner, metadata + extra)
    if origin is typing.Union:
        args = typing.get_args(annotation)
        rest = [a for a in args if a is not type(None)]
        nullable = len(rest) < len(args)
        if len(rest) == 1:
            shape = sdk_shape(rest[0], metadata)
        else:
            options = tuple(sdk_shape(a) for a in rest)
            if all(o.kind == "literal" for o in options):
                shape = Shape("literal", choices=frozenset().union(*(o.choices for o in options)))
            elif all(o.kind == "object" for o in options):
                shape = _merged(options)  # a tagged union of models: one object, any tag
            else:
                shape = Shape("union", options=options)
        return dataclasses.replace(shape, nullable=shape.nullable or nullable)
    bounds = _constraints(metadata)
    if origin is typing.Literal:
        return Shape("literal", choices=frozenset(typing.get_args(annotation)))
    if origin in (list, tuple, frozenset, set):
        items = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        item = sdk_shape(items[0]) if items else Shape("any")
        return Shape("list", item=item, bounds=bounds)
    if origin is dict:
        value = typing.get_args(annotation)[1]
        item = sdk_shape(value)
        return Shape("any_object") if item.kind == "any" else Shape("dict", item=item)
    if annotation is Any or annotation is object:
        return Shape("any")
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return Shape("boolean")
        if issubclass(annotation, enum.Enum):
            return Shape("literal", choices=frozenset(m.value for m in annotation))
        if issubclass(annotation, (str, pydantic.SecretStr, datetime.date, datetime.time)):
            return Shape("string", bounds=bounds)
        if issubclass(annotation, int):
            return Shape("integer", bounds=bounds)
        if issubclass(annotation, (float, decimal.Decimal)):
            return Shape("number", bounds=bounds)
        if issubclass(annotation, pydantic.BaseModel):
            return model_shape(annotation)
        if issubclass(annotation, dict):
            return Shape("any_object")
    raise AssertionError(f"no shape for the SDK type {annotation!r}")


def _always_sent(model: Any) -> FrozenSet[str]:
    """The wire names of the fields a model sends even when left at their defaults (a
    ``type`` tag, the usage filters' ``org_id``): on the wire, those are never missing."""
    made = model.model_construct()
    return frozenset(
        model.model_fields[name].alias or name
        for name in made.model_fields_set
        if name in model.model_fields
    )


def model_shape(model: Any, flag: Optional[str] = None) -> Shape:
    """The :class:`Shape` of a params model: its fields by wire name, and the required
    ones; ``flag`` is a body field the endpoint itself sets (``stream``)."""
    model.model_rebuild()
    fields: Dict[str, Shape] = {}
    required = set(_always_sent(model))
    for name, info in model.model_fields.items():
        if info.exclude is True and name != flag:
            continue  # never sent (``extra_body`` is merged, not sent as a field)
        wire = info.alias or name
        fields[wire] = sdk_shape(info.rebuild_annotation())
        if info.is_required():
            required.add(wire)
    if flag is not None and flag not in fields:
        fields[flag] = Shape("boolean")
    return Shape("object", fields=fields, required=frozenset(required))


# --- the comparison ---------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """One difference: where (a dotted path, ``[]`` for list items), which aspect, what."""

    where: str
    aspect: str
    what: str

    def __str__(self) -> str:
        return f"{self.where or '(body)'}: {self.aspect}: {self.what}"


_UNCHECKED = ("any", "any_object")


def _kind(shape: Shape) -> str:
    """The kind, an unchecked object counting as an object."""
    return "object" if shape.kind == "any_object" else shape.kind


def _key(shape: Shape) -> Tuple[str, str]:
    """What tells the options of a union apart: the kind, and a checked list item's kind."""
    item = shape.item if shape.kind == "list" else None
    return (_kind(shape), _kind(item) if item is not None and item.kind != "any" else "")


def compare(emulator: Shape, sdk: Shape, where: str = "") -> List[Drift]:
    """Every way ``emulator`` and ``sdk`` differ (see the module docs for what counts)."""
    drifts: List[Drift] = []
    if sdk.nullable and not emulator.nullable and where:
        drifts.append(Drift(where, "nullable", "the SDK may send null; the emulator refuses it"))
    if emulator.kind in _UNCHECKED or sdk.kind == "any":
        if emulator.kind == "any_object" and sdk.kind not in ("object", "dict", *_UNCHECKED):
            drifts.append(Drift(where, "type", f"emulator: object, SDK: {sdk.kind}"))
        return drifts
    if sdk.kind == "any_object" and emulator.kind in ("object", "dict"):
        return drifts  # the SDK sends any object; the emulator looks inside
    if emulator.kind == "union" or sdk.kind == "union":
        return drifts + _compare_unions(emulator, sdk, where)
    if emulator.kind != sdk.kind:
        if {emulator.kind, sdk.kind} == {"string", "literal"}:
            allowed = sorted(emulator.choices or sdk.choices)
            side = "emulator" if emulator.kind == "literal" else "SDK"
            drifts.append(Drift(where, "choices", f"only the {side} limits it to {allowed}"))
            return drifts
        drifts.append(Drift(where, "type", f"emulator: {emulator.kind}, SDK: {sdk.kind}"))
        return drifts
    if emulator.kind == "literal" and emulator.choices != sdk.choices:
        only_e = sorted(emulator.choices - sdk.choices)
        only_s = sorted(sdk.choices - emulator.choices)
        drifts.append(Drift(where, "choices", f"emulator only: {only_e}, SDK only: {only_s}"))
    if emulator.bounds != sdk.bounds:
        drifts.append(Drift(where, "bounds", f"emulator: {emulator.bounds}, SDK: {sdk.bounds}"))
    if emulator.kind in ("list", "dict"):
        assert emulator.item is not None and sdk.item is not None
        drifts += compare(emulator.item, sdk.item, f"{where}[]")
    if emulator.kind == "object":
        drifts += _compare_fields(emulator, sdk, where)
    return drifts


def _compare_fields(emulator: Shape, sdk: Shape, where: str) -> List[Drift]:
    drifts: List[Drift] = []
    prefix = f"{where}." if where else ""
    for name in sorted(set(emulator.fields) | set(sdk.fields)):
        here = prefix + name
        if name not in sdk.fields:
            drifts.append(Drift(here, "name", "the emulator reads it; the SDK has no such field"))
        elif name not in emulator.fields:
            if not where:  # inside a body the emulator checks only the fields it names
                drifts.append(
                    Drift(here, "name", "the SDK sends it; the emulator does not read it")
                )
        else:
            if (name in emulator.required) != (name in sdk.required):
                side = "emulator" if name in emulator.required else "SDK"
                drifts.append(Drift(here, "required", f"only the {side} requires it"))
            drifts += compare(emulator.fields[name], sdk.fields[name], here)
    return drifts


def _compare_unions(emulator: Shape, sdk: Shape, where: str) -> List[Drift]:
    mine = {_key(o): o for o in (emulator.options if emulator.kind == "union" else (emulator,))}
    theirs = {_key(o): o for o in (sdk.options if sdk.kind == "union" else (sdk,))}
    drifts: List[Drift] = []
    for key in sorted(set(mine) - set(theirs)):  # a list of anything meets any list
        pairs = [k for k in set(theirs) - set(mine) if k[0] == key[0] and "" in (k[1], key[1])]
        if len(pairs) == 1:
            drifts += compare(mine.pop(key), theirs.pop(pairs[0]), where)
    for key in sorted(set(mine) | set(theirs)):
        kind = key[0] + (f" of {key[1]}" if key[1] else "")
        if key not in theirs:
            drifts.append(Drift(where, "type", f"the emulator accepts a {kind}; the SDK does not"))
        elif key not in mine:
            drifts.append(
                Drift(where, "type", f"the SDK may send a {kind}; the emulator refuses it")
            )
        else:
            drifts += compare(mine[key], theirs[key], where)
    return drifts


# --- the endpoints ------------------------------------------------------------------------


def json_endpoints() -> Dict[Tuple[str, str], List[Tuple[str, Endpoint[Any, Any]]]]:
    """The endpoints whose params travel as a JSON body, by method and path (a call and its
    streaming twin share one)."""
    found: Dict[Tuple[str, str], List[Tuple[str, Endpoint[Any, Any]]]] = {}
    for name, endpoint in all_endpoints().items():
        if endpoint.params is not None and endpoint.send is Send.JSON:
            found.setdefault((endpoint.method, endpoint.path), []).append((name, endpoint))
    return found


def sdk_schema(method: str, path: str) -> Shape:
    """The SDK's request body for ``method path``, the stream flag included if a variant
    sets it."""
    declared = json_endpoints()[(method, path)]
    models = {endpoint.params for _, endpoint in declared}
    assert len(models) == 1, f"{method} {path}: variants with different params: {models}"
    flags = {e.stream.flag for _, e in declared if e.stream is not None and e.stream.flag}
    return model_shape(models.pop(), flag=flags.pop() if flags else None)


def drifts_of(method: str, path: str) -> List[Drift]:
    """How the emulator's schema for ``method path`` differs from the SDK's."""
    return compare(emulator_shape(emulator_schema(method, path)), sdk_schema(method, path))


_EMPTY = (
    "the emulator refuses an empty string here (422) where the gateway's docs state no "
    "bound; the SDK sends what it is given and leaves the refusal to the gateway"
)
_EMPTY_LIST = (
    "the emulator refuses an empty list here (422), as the upstream providers do; the "
    "gateway's docs state no bound, so the SDK leaves the refusal to the gateway"
)
_CEILING = (
    "the emulator's own ceiling on a name (the gateway's is not documented); the SDK does "
    "not guess one"
)
_PASSED_THROUGH = (
    "a provider field the gateway passes through without documenting it; the emulator "
    "accepts it, the SDK sends it through extra_body"
)

DELIBERATE: Dict[Tuple[str, str, str], str] = {
    # (endpoint "METHOD /path" pattern, field pattern, aspect): why (fnmatch patterns)
    ("* *", "model", "bounds"): _EMPTY,
    ("* *", "template", "bounds"): _EMPTY,
    ("POST /v1/chat/compare", "comparison_model", "bounds"): _EMPTY,
    ("POST /v1/chat/compare", "model_overrides[].model", "bounds"): _EMPTY,
    ("POST /v1/chat/compare", "models[]", "bounds"): _EMPTY,
    ("POST /v1/responses", "previous_response_id", "bounds"): _EMPTY,
    ("POST /v1/images/generations", "prompt", "bounds"): _EMPTY,
    ("POST /v1/audio/speech", "input", "bounds"): _EMPTY,
    ("POST /v1/video/generations", "content[].type", "bounds"): _EMPTY,
    ("POST *", "tools[].name", "bounds"): _EMPTY,
    ("POST /v1/chat/completions", "tools[].function.name", "bounds"): _EMPTY,
    ("POST /v1/files/embed", "file_ids[]", "bounds"): _EMPTY,
    ("* /v1/provider-keys/*", "*", "bounds"): (
        "the emulator refuses every empty credential field; the SDK refuses empty secrets "
        "only (NonEmptySecret) and leaves the other fields to the gateway"
    ),
    ("POST *", "messages", "bounds"): _EMPTY_LIST,
    ("POST /v1/embeddings", "input", "bounds"): _EMPTY_LIST,
    ("POST /v1/embeddings", "input[]", "bounds"): (
        "a token id is never negative and a nested list never empty: the emulator refuses "
        "both, the SDK leaves them to the gateway"
    ),
    ("POST /v1/embeddings", "input[][]", "bounds"): "a token id is never negative",
    ("POST /v1/video/generations", "content", "bounds"): _EMPTY_LIST,
    ("*", "name", "bounds"): _CEILING,
    ("POST /v1/memories", "slug", "bounds"): _CEILING + " (64, as its pattern)",
    ("POST /v1/files", "file_name", "bounds"): _CEILING,
    ("POST /v1/orgs/current/members", "email", "bounds"): _CEILING + " (320, as RFC 5321)",
    ("POST /v1/video/generations", "*", "bounds"): (
        "Seedance's ranges (duration, frames, expiry), which the emulator keeps; the "
        "gateway's docs state none, so the SDK sends any int"
    ),
    ("POST /v1/chat/completions", "n", "bounds"): (
        "the emulator answers one choice: n > 1 is refused rather than answered wrongly"
    ),
    ("POST /v1/chat/completions", "top_logprobs", "bounds"): (
        "OpenAI's 0-20, which the emulator keeps; the gateway's docs state none"
    ),
    ("POST /v1/chat/completions", "reasoning_effort", "choices"): (
        "the SDK takes xhigh for the models that have it; the emulator keeps the values the "
        "gateway's docs list (none, minimal, low, medium, high)"
    ),
    ("POST /v1/chat/completions", "weight_profile", "choices"): (
        "the gateway falls back to balanced on an unknown profile (docs §1); the SDK "
        "refuses a typo before it is sent"
    ),
    ("POST *", "messages[].content[].type", "choices"): (
        "the gateway passes content parts through to the provider; the emulator checks only "
        "that a part has a type"
    ),
    ("POST /v1/responses", "tools[].type", "choices"): (
        "hosted tools are passed through to the provider; the emulator checks only that a "
        "tool has a type"
    ),
    ("POST /v1/chat/completions", "metadata", "name"): _PASSED_THROUGH,
    ("POST /v1/embeddings", "metadata", "name"): _PASSED_THROUGH,
    ("POST /v1/responses", "metadata", "name"): _PASSED_THROUGH,
    ("POST /v1/messages", "service_tier", "name"): _PASSED_THROUGH + " (Anthropic's)",
    ("POST /v1/batches", "*", "choices"): (
        "the docs show the only values the gateway takes today (24h, POST, chat "
        "completions), which the emulator enforces; the SDK takes any string so a value "
        "added later needs no release"
    ),
    ("* /v1/keys*", "api_version", "choices"): (
        "the emulator serves these versions; the SDK takes any YYYY-MM so a newer pin needs "
        "no release"
    ),
    ("POST /v1/orgs/current/members", "email", "required"): (
        "the field's name is inferred (docs §4): the SDK leaves it optional so another "
        "identifier can go through extra_body"
    ),
    ("POST /v1/orgs/current/members", "email", "nullable"): "see email, required",
    ("POST /v1/orgs/current/members", "role", "choices"): (
        "the emulator refuses 'owner' with the gateway's pointer to transfer-ownership "
        "rather than a literal error"
    ),
    ("PATCH /v1/memories/*/items/*", "*", "nullable"): (
        "null does not clear an item's type or content: leave the field out to keep it"
    ),
    ("PATCH /v1/provider-keys/*", "*", "nullable"): (
        "null does not clear a credential: leave the field out to keep it"
    ),
    ("PATCH /v1/templates/*", "name", "nullable"): "a template cannot lose its name",
    ("* /v1/templates*", "messages[].role", "choices"): (
        "a template's messages are system, user or assistant turns"
    ),
}
"""Differences kept on purpose: ``(endpoint, field, aspect)`` patterns (``fnmatch``; the
endpoint as ``"METHOD /path/{template}"``) -> why."""


def _matches(text: str, pattern: str) -> bool:
    """``fnmatch``, with ``[]`` (a list's items) read as itself rather than a set."""
    return fnmatch.fnmatchcase(text.replace("[]", "/"), pattern.replace("[]", "/"))


def deliberate(label: str, drift: Drift) -> bool:
    """Whether ``drift`` of endpoint ``label`` is listed in :data:`DELIBERATE`."""
    return any(
        aspect == drift.aspect and _matches(label, where) and _matches(drift.where, field)
        for where, field, aspect in DELIBERATE
    )


def _label(key: Tuple[str, str]) -> str:
    return f"{key[0]} {key[1]}"


@pytest.mark.parametrize("key", sorted(json_endpoints()), ids=_label)
def test_the_emulator_reads_the_schema_the_sdk_sends(key: Tuple[str, str]) -> None:
    label = _label(key)
    names = ", ".join(name for name, _ in json_endpoints()[key])
    found = [d for d in drifts_of(*key) if not deliberate(label, d)]
    assert not found, f"{names} ({label}): the emulator and the SDK disagree:\n" + "\n".join(
        f"  {d}" for d in found
    )


def test_the_deliberate_drifts_are_current() -> None:
    current = [(_label(key), d) for key in json_endpoints() for d in drifts_of(*key)]
    stale = [
        entry
        for entry in DELIBERATE
        if not any(
            d.aspect == entry[2] and _matches(label, entry[0]) and _matches(d.where, entry[1])
            for label, d in current
        )
    ]
    assert not stale, f"listed in DELIBERATE but differing nowhere now (drop them): {stale}"


def test_every_json_endpoint_has_an_emulator_schema() -> None:
    for method, path in json_endpoints():
        assert isinstance(emulator_schema(method, path), RequestSchema), f"{method} {path}"


# --- the comparison can fail --------------------------------------------------------------


def _mutated(schema: RequestSchema, **fields: Optional[Checker]) -> RequestSchema:
    """A copy of ``schema`` with ``fields`` replaced (``None``: dropped)."""
    changed = dict(schema.fields)
    for name, checker in fields.items():
        if checker is None:
            del changed[name]
        else:
            changed[name] = checker
    return dataclasses.replace(schema, fields=changed)


def test_a_mutated_schema_is_reported() -> None:
    chat = emulator_schema("POST", "/v1/chat/completions")
    sdk = sdk_schema("POST", "/v1/chat/completions")
    mutated = _mutated(
        chat,
        temperature=None,  # dropped
        max_tokens=_validate.nullable(_validate.integer(ge=2)),  # a bound changed
        top_p=_validate.number(ge=0, le=1),  # no longer nullable
        modality=_validate.nullable(_validate.literal("text")),  # a choice dropped
        seed=_validate.nullable(_validate.string()),  # another type
        stop_words=_validate.nullable(_validate.string()),  # a field the SDK lacks
    )
    found = {(d.where, d.aspect) for d in compare(emulator_shape(mutated), sdk)}
    before = {(d.where, d.aspect) for d in compare(emulator_shape(chat), sdk)}
    assert found - before == {
        ("temperature", "name"),
        ("max_tokens", "bounds"),
        ("top_p", "nullable"),
        ("modality", "choices"),
        ("seed", "type"),
        ("stop_words", "name"),
    }
    required = dataclasses.replace(chat, required=("messages", "model"))
    assert ("model", "required") in {
        (d.where, d.aspect) for d in compare(emulator_shape(required), sdk)
    }


def test_a_nested_drift_is_reported_with_its_path() -> None:
    compare_schema = emulator_schema("POST", "/v1/chat/compare")
    override = _validate.obj(
        {"model": _validate.string(min_length=1), "max_tokens": _validate.integer(ge=5)},
        required=("model", "max_tokens"),
    )
    mutated = _mutated(compare_schema, model_overrides=_validate.list_of(override))
    found = [
        str(d)
        for d in compare(emulator_shape(mutated), sdk_schema("POST", "/v1/chat/compare"))
        if d.where.startswith("model_overrides")
    ]
    assert "model_overrides: nullable: the SDK may send null; the emulator refuses it" in found
    assert "model_overrides[].max_tokens: required: only the emulator requires it" in found
    assert any(d.startswith("model_overrides[].max_tokens: bounds:") for d in found)
    assert (
        "model_overrides[].temperature: name: the SDK sends it; the emulator does not read it"
        not in found
    )


def test_a_drift_fails_the_endpoints_test_naming_the_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    web = emulator_schema("POST", "/v1/web/search")
    bounded = _mutated(web, max_results=_validate.nullable(_validate.integer(ge=1, le=10)))
    web_route = ("POST", "/v1/web/search")
    routes = [
        dataclasses.replace(r, request=bounded) if (r.method, r.path) == web_route else r
        for r in ROUTES
    ]
    monkeypatch.setitem(globals(), "ROUTES", routes)
    with pytest.raises(AssertionError) as failure:
        test_the_emulator_reads_the_schema_the_sdk_sends(("POST", "/v1/web/search"))
    message = str(failure.value)
    assert "web.WEB_SEARCH (POST /v1/web/search)" in message
    assert "max_results: bounds: emulator: {'ge': 1, 'le': 10}, SDK: {'ge': 1, 'le': 20}" in message


def test_the_checkers_are_data() -> None:
    checker = _validate.nullable(_validate.list_of(_validate.string(max_length=3), min_length=1))
    assert isinstance(checker, Nullable) and isinstance(checker.inner, ListOf)
    assert checker.inner.min_length == 1 and checker.inner.item == String(max_length=3)
    assert _validate.literal("a", "b").choices == ("a", "b")
    assert _validate.number(gt=0).gt == 0 and _validate.integer(le=4).le == 4
    schema = RequestSchema({"x": checker}, required=("x",))
    assert schema.required == ("x",) and schema.kind == "object"
    problems: List[Dict[str, Any]] = []
    schema({"x": ["abcd"]}, ("body",), problems)
    assert (
        problems
        == schema.validate({"x": ["abcd"]})
        == [
            {
                "type": "string_too_long",
                "loc": ["body", "x", 0],
                "msg": "String should have at most 3 characters",
            }
        ]
    )
