"""A call's parameters: accepted in three forms, checked once, encoded for the wire.

Every method takes its parameters as the params model (``ChatCompletionParams(...)``), as a
dict of its fields, or as keyword arguments. :func:`bind` turns any of the three into the
model, so a wrong field name or type fails in the caller's own line with an
:class:`~meshapi_core.errors.InvalidArgumentError` that names the field, never with a bare
pydantic error. :func:`encode_query` and :func:`encode_json` then write the model the way its
endpoint sends it: only the fields that were set (the gateway's defaults stay in force), plus
``extra_body``.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Tuple, Type, TypeVar

import pydantic

from .config import CALL_OPTION_NAMES
from .errors import InvalidArgumentError
from .models.base import RequestModel, json_bytes

__all__ = ["bind", "encode_json", "encode_query", "invalid_argument"]

P = TypeVar("P", bound=pydantic.BaseModel)


def invalid_argument(exc: pydantic.ValidationError, what: str) -> InvalidArgumentError:
    """The SDK's error for a pydantic validation failure of ``what`` (every problem listed).

    >>> from meshapi_core.models.chat import ChatCompletionParams
    >>> try:
    ...     ChatCompletionParams.model_validate({"messages": [], "temperature": 9})
    ... except pydantic.ValidationError as exc:
    ...     print(invalid_argument(exc, "ChatCompletionParams"))
    Invalid ChatCompletionParams: temperature: Input should be less than or equal to 2 (got 9)
    """
    problems = exc.errors(include_url=False)
    if len(problems) == 1:
        # A validator that refused the value with the SDK's own error (an image reference,
        # a file argument) said it best: pass it on as it is.
        raised = (problems[0].get("ctx") or {}).get("error")
        if isinstance(raised, InvalidArgumentError):
            return raised
    parts = []
    for problem in problems[:5]:
        where = ".".join(str(p) for p in problem.get("loc", ())) or "(params)"
        text = f"{where}: {problem.get('msg', 'invalid')}"
        if problem.get("type") not in ("missing", "extra_forbidden") and "input" in problem:
            shown = repr(problem["input"])
            text += f" (got {shown[:60]}{'...' if len(shown) > 60 else ''})"
        parts.append(text)
    if len(problems) > 5:
        parts.append(f"and {len(problems) - 5} more")
    first = ".".join(str(p) for p in problems[0].get("loc", ())) if problems else None
    return InvalidArgumentError(f"Invalid {what}: " + "; ".join(parts), param=first or None)


def bind(model: Type[P], params: Any, fields: Optional[Mapping[str, Any]]) -> P:
    """``params`` (a ``model``, a dict of its fields, or ``None``) or ``fields`` as a ``model``.

    One form at a time: a params object or dict *and* keyword fields are refused, rather than
    merged in an order the caller would have to guess.

    >>> from meshapi_core.models.catalog import ModelSearchParams
    >>> bind(ModelSearchParams, None, {"q": "claude", "limit": 5}).limit
    5
    >>> bind(ModelSearchParams, {"q": "claude"}, {"limit": 5})
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: Pass the parameters once: ... not limit

    A params object given as the keyword ``params`` (meshapi 0.1.11's spelling,
    ``templates.create(params=...)``) is the params object, even where the model has a field
    of that name:

    >>> from meshapi_core.models.templates import TemplateCreateParams
    >>> made = TemplateCreateParams(name="support", params={"temperature": 0.2})
    >>> bind(TemplateCreateParams, None, {"params": made}) is made
    True
    """
    name = model.__name__
    if params is None and fields and isinstance(fields.get("params"), model):
        # ``create(params=TemplateCreateParams(...))``, as meshapi 0.1.11 spelled it, where the
        # model has a field named ``params`` too (a method's own ``params`` is positional-only
        # there): the params object, not that field's value.
        params = fields["params"]
        fields = {k: v for k, v in fields.items() if k != "params"}
    if params is not None and fields:
        raise InvalidArgumentError(
            f"Pass the parameters once: as a {name} or a dict, or as keyword arguments; "
            f"next to {name} only call options are keywords ({', '.join(CALL_OPTION_NAMES)}), "
            f"not {', '.join(sorted(fields))}"
        )
    if isinstance(params, model):
        return params
    if params is None:
        data: Mapping[str, Any] = fields or {}
    elif isinstance(params, Mapping):
        data = params
    else:
        raise InvalidArgumentError(
            f"params must be a {name} or a dict of its fields, not {type(params).__name__}",
            param="params",
        )
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise invalid_argument(exc, name) from None


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json_bytes(value).decode()
    return str(value)


def encode_query(params: pydantic.BaseModel) -> List[Tuple[str, str]]:
    """The query pairs of ``params``, in the model's field order: set fields only, lists repeat
    their key, booleans are ``true``/``false``, ``None`` is left out.

    >>> from meshapi_core.models.catalog import ModelSearchParams
    >>> encode_query(ModelSearchParams(q="claude", brand=["anthropic", "meta"], free=True))
    [('q', 'claude'), ('free', 'true'), ('brand', 'anthropic'), ('brand', 'meta')]
    """
    data = _json_dict(params)
    pairs: List[Tuple[str, str]] = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else (value,):
            if item is not None:
                pairs.append((name, _query_value(item)))
    return pairs


def _json_dict(params: pydantic.BaseModel) -> Any:
    if isinstance(params, RequestModel):
        return params.to_json_dict()
    return params.model_dump(mode="json", exclude_unset=True, by_alias=True)


def encode_json(params: pydantic.BaseModel, flag: Optional[str] = None) -> bytes:
    """``params`` as the JSON body, with ``flag`` (e.g. ``"stream"``) set to true if given.

    >>> from meshapi_core.models.catalog import ModelSearchParams
    >>> encode_json(ModelSearchParams(q="x"), flag="stream")
    b'{"q":"x","stream":true}'
    """
    if isinstance(params, RequestModel):
        body = params.to_json_bytes()
    else:
        body = json_bytes(_json_dict(params))
    if flag is None:
        return body
    if body == b"{}":
        return b'{"' + flag.encode() + b'":true}'
    return body[:-1] + b',"' + flag.encode() + b'":true}'


def params_dict(params: pydantic.BaseModel) -> Any:
    """The fields of ``params`` that were set, as JSON values (how a next page is asked)."""
    return _json_dict(params)
