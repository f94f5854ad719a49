"""Secrets in models: plaintext on the wire, hidden everywhere else.

A created key's plaintext and a provider's credentials are :class:`pydantic.SecretStr`
values. Their ``repr``, ``str``, ``model_dump()`` and ``model_dump_json()`` show
``'**********'``; the one way to the plaintext is ``value.get_secret_value()``.

Request models that carry a secret derive from :class:`SecretRequestModel`, which differs
from :class:`~meshapi_core.models.base.RequestModel` in three ways:

- the body sent to the gateway holds the plaintext (serialised with the :data:`WIRE`
  context, which nothing else passes);
- a validation problem never shows the value that caused it: pydantic's own errors hide
  their inputs, and :meth:`SecretRequestModel.model_validate` (the road every dict and
  keyword call takes) raises :class:`~meshapi_core.errors.InvalidArgumentError` listing
  fields and reasons only, with no exception chained to it;
- ``extra_body`` is left out of the ``repr``, since an unmodelled credential travels there.

A secret is a ``SecretStr`` from the first line of SDK code it reaches to the moment the body
is encoded: a method that takes one conceals its arguments with :class:`SecretFields` before
it passes them on, so no frame below it holds the plain string (an error reporter that
records the local variables of each frame, as Sentry does by default, finds none).

>>> from meshapi_core.models.provider_keys import OpenAIProviderKeyParams
>>> params = OpenAIProviderKeyParams(api_key="sk-live-123")
>>> params
OpenAIProviderKeyParams(allow_fallback=None, api_key=SecretStr('**********'), organization=None)
>>> params.model_dump_json()
'{"allow_fallback":null,"api_key":"**********","organization":null}'
>>> params.to_json_bytes()
b'{"api_key":"sk-live-123"}'
"""

from __future__ import annotations

import json
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Dict, FrozenSet, List, Mapping, Optional, Tuple, Type

import pydantic
from pydantic import ConfigDict, Field, SecretStr, SerializationInfo
from pydantic.functional_serializers import PlainSerializer

from ..errors import InvalidArgumentError
from .base import RequestModel, json_bytes

__all__: List[str] = []

WIRE: Dict[str, Any] = {"meshapi_wire": True}
"""The serialisation context under which a secret is written in clear (request bodies)."""


def _dump_secret(value: SecretStr, info: SerializationInfo) -> Any:
    context = info.context
    if isinstance(context, dict) and context.get("meshapi_wire"):
        return value.get_secret_value()
    return str(value) if info.mode_is_json() else value


Secret = Annotated[SecretStr, PlainSerializer(_dump_secret)]
"""A secret field: ``'**********'`` in every dump but the request body."""


def problems_without_inputs(exc: pydantic.ValidationError, what: str) -> InvalidArgumentError:
    """The SDK's error for ``exc``, listing each problem's field and reason but never its
    input (which may be a secret)."""
    problems = exc.errors(include_url=False, include_input=False)
    parts = []
    for problem in problems[:5]:
        where = ".".join(str(p) for p in problem.get("loc", ())) or "(params)"
        parts.append(f"{where}: {problem.get('msg', 'invalid')}")
    if len(problems) > 5:
        parts.append(f"and {len(problems) - 5} more")
    first = ".".join(str(p) for p in problems[0].get("loc", ())) if problems else ""
    return InvalidArgumentError(f"Invalid {what}: " + "; ".join(parts), param=first or None)


class SecretRequestModel(RequestModel):
    """A request model with :data:`Secret` fields; see the module docs."""

    model_config = ConfigDict(
        extra="forbid", defer_build=True, populate_by_name=True, hide_input_in_errors=True
    )

    extra_body: Optional[Dict[str, Any]] = Field(default=None, exclude=True, repr=False)
    """Fields to send as they are, for parameters this release does not model yet."""

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Any:
        """Validate ``obj`` as this model; problems raise an
        :class:`~meshapi_core.errors.InvalidArgumentError` that shows no input."""
        try:
            return super().model_validate(obj, **kwargs)
        except pydantic.ValidationError as exc:
            error = problems_without_inputs(exc, cls.__name__)
        raise error  # outside the handler: nothing chained that could hold the input

    def to_json_dict(self) -> Dict[str, Any]:
        """The JSON object to send, secrets in clear: the fields that were set, plus
        ``extra_body``."""
        body = self.model_dump(mode="json", exclude_unset=True, by_alias=True, context=WIRE)
        if self.extra_body:
            body.update(self.extra_body)
        return body

    def to_json_bytes(self) -> bytes:
        """:meth:`to_json_dict`, encoded as compact UTF-8 JSON."""
        return json_bytes(self.to_json_dict())

    def secrets(self) -> Tuple[SecretStr, ...]:
        """The secrets among the fields that were set (what an error must not repeat)."""
        values = (getattr(self, name) for name in self.model_fields_set)
        return tuple(value for value in values if isinstance(value, SecretStr))

    _secret_values = secrets


def _mentions(annotation: Any, wanted: Tuple[type, ...]) -> bool:
    """Whether ``annotation`` (with its ``Optional``/``Union``/``Annotated`` arguments) names
    one of the ``wanted`` types."""
    if isinstance(annotation, type) and issubclass(annotation, wanted):
        return True
    origin = typing.get_origin(annotation)
    if isinstance(origin, type) and issubclass(origin, wanted):
        return True
    return any(_mentions(arg, wanted) for arg in typing.get_args(annotation))


@dataclass(frozen=True)
class SecretFields:
    """The fields of some request models that hold a secret, and how a caller's value for
    one becomes a ``SecretStr`` before it travels on.

    >>> from meshapi_core.models.provider_keys import OpenAIProviderKeyParams
    >>> fields = SecretFields.of(OpenAIProviderKeyParams)
    >>> fields.conceal({"api_key": "sk-live-123", "organization": "org-1"})
    {'api_key': SecretStr('**********'), 'organization': 'org-1'}
    """

    names: FrozenSet[str]
    """The fields (by name and alias) whose value is a secret."""
    json_names: FrozenSet[str] = frozenset()
    """Those among them that also take a mapping, sent as its JSON text (a service
    account's key file)."""

    @classmethod
    def of(cls, *models: Type[pydantic.BaseModel]) -> SecretFields:
        """The secret fields of ``models`` together."""
        names, json_names = set(), set()
        for model in models:
            for name, info in model.model_fields.items():
                if not _mentions(info.annotation, (SecretStr,)):
                    continue
                keys = {name} | ({info.alias} if info.alias else set())
                names |= keys
                if _mentions(info.annotation, (dict, Mapping)):
                    json_names |= keys
        return cls(frozenset(names), frozenset(json_names))

    def conceal(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """A copy of ``data`` (a caller's fields) whose secrets are ``SecretStr``: a string
        wrapped, a mapping given for a JSON field encoded first. Anything else is left as it
        is, for validation to refuse (without showing it)."""
        concealed = dict(data)
        for name in self.names.intersection(concealed):
            value = concealed[name]
            if isinstance(value, str):
                concealed[name] = SecretStr(value)
            elif name in self.json_names and isinstance(value, Mapping):
                try:
                    text = json.dumps(dict(value), separators=(",", ":"))
                except (TypeError, ValueError):
                    continue  # left for validation, which says what is wrong with it
                concealed[name] = SecretStr(text)
        return concealed

    def conceal_arguments(
        self, args: Tuple[Any, ...], kwargs: Mapping[str, Any]
    ) -> Tuple[Tuple[Any, ...], Dict[str, Any]]:
        """A method's positional and keyword arguments, each mapping among the positional
        ones (a params dict) and the keywords concealed."""
        return (
            tuple(self.conceal(a) if isinstance(a, Mapping) else a for a in args),
            self.conceal(kwargs),
        )
