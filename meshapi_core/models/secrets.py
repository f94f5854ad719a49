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

from typing import Annotated, Any, Dict, List, Optional

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
