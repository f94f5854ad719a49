"""The two kinds of model the SDK is made of.

:class:`RequestModel` is what a caller builds. Its fields are checked as it is built, so a typo
or a wrong type fails at once, in the caller's own line; a field the gateway added after this
release can still be sent through ``extra_body``. Only the fields the caller set are sent, so
the gateway's own defaults stay in force.

:class:`ResponseModel` is what the gateway sends back. Every field the gateway may leave out has
a default, and fields this release does not know are kept (``model_extra``) rather than
dropped, so nothing the gateway says is lost and a new field never breaks a stream.

Every model has openai-python's ``to_dict()`` and ``to_json()``, which write the fields that
were set (unknown fields of a reply included), by their wire names.

Every reply a call returns knows the response it came in: the engine stamps it with that
response's headers (``stamp_response``, which parses nothing). ``reply.request_id`` is the
gateway's ``x-request-id`` for it, and ``reply.meta`` the gateway's signals read from the
headers on first use (:class:`~meshapi_core.meta.ResponseMeta`). A model whose body has a
``request_id`` field of its own reads that field instead, so declaring one is safe.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Literal, Mapping, Optional, Tuple

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from pydantic import SecretStr

    from ..meta import ResponseMeta

__all__ = ["RequestModel", "ResponseModel", "json_bytes"]


def _new_list() -> List[Any]:
    """An empty list: the ``default_factory`` of a list field on the first call's path.

    pydantic reads a factory's signature when it builds the model's schema, and the
    signature of a builtin such as ``list`` is parsed from its text with the tokenizer, whose
    first use compiles a large regular expression: a few milliseconds and about a thousand
    objects kept, paid by the first call of a process. A Python function has a signature of
    its own.
    """
    return []


class _Model(BaseModel):
    """What every model of the SDK has: ``to_dict`` and ``to_json``, as openai-python's."""

    model_config = ConfigDict(defer_build=True)  # never validated itself: nothing to build

    def to_dict(
        self,
        *,
        mode: Literal["json", "python"] = "python",
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = True,
    ) -> Dict[str, Any]:
        """The model as a dict: the fields that were set (``exclude_unset``), by their wire
        names (``use_api_names``); ``mode="json"`` makes every value JSON-ready.

        >>> from meshapi_core.models.chat import ChatMessage
        >>> ChatMessage(role="user", content="Hi").to_dict()
        {'role': 'user', 'content': 'Hi'}
        """
        return self.model_dump(
            mode=mode,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            warnings=warnings,
        )

    def to_json(
        self,
        *,
        indent: Optional[int] = 2,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = True,
    ) -> str:
        """The model as JSON text, indented by ``indent`` spaces (``None``: one line), with
        the fields :meth:`to_dict` gives.

        >>> from meshapi_core.models.chat import ChatMessage
        >>> ChatMessage(role="user", content="Hi").to_json(indent=None)
        '{"role":"user","content":"Hi"}'
        """
        return self.model_dump_json(
            indent=indent,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            warnings=warnings,
        )


class RequestModel(_Model):
    """Base of every request body: strict about known fields, with an escape hatch.

    >>> from meshapi_core.models.chat import ChatCompletionParams, ChatMessage
    >>> params = ChatCompletionParams(
    ...     model="auto",
    ...     messages=[ChatMessage(role="user", content="Hi")],
    ...     extra_body={"weight_profile_v2": "fast"},
    ... )
    >>> params.to_json_dict()["weight_profile_v2"]
    'fast'
    """

    model_config = ConfigDict(extra="forbid", defer_build=True, populate_by_name=True)

    extra_body: Optional[Dict[str, Any]] = Field(default=None, exclude=True)
    """Fields to send as they are, for parameters this release does not model yet."""

    def to_json_dict(self) -> Dict[str, Any]:
        """The JSON object to send: the fields that were set, plus ``extra_body``."""
        body = self.model_dump(mode="json", exclude_unset=True, by_alias=True)
        if self.extra_body:
            body.update(self.extra_body)
        return body

    def to_json_bytes(self) -> bytes:
        """:meth:`to_json_dict`, encoded as compact UTF-8 JSON in one pass where it can be."""
        if self.extra_body:
            return json_bytes(self.to_json_dict())
        return self.__pydantic_serializer__.to_json(self, exclude_unset=True, by_alias=True)

    def _secret_values(self) -> Tuple[SecretStr, ...]:
        """The secrets among the fields that were set, which the call's errors must not
        repeat: none here (see :class:`~meshapi_core.models.secrets.SecretRequestModel`)."""
        return ()


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def json_bytes(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, the way the SDK sends every body."""
    return _ENCODER.encode(value).encode()


_STAMP = "_response"  # kept in the instance __dict__: ignored by dumps, equality and iteration
_META = "_meta"  # the parsed ResponseMeta, once asked for

Stamp = Tuple[Mapping[str, str], Optional[str]]
"""What a reply keeps of the response it came in: its headers, and the model its call asked
for (read into ``meta`` when first asked for)."""


class _RequestId:
    """``reply.request_id``: the body's own ``request_id`` if it has one, else the
    ``x-request-id`` of the response the reply came in.

    A non-data descriptor, so a subclass that declares a ``request_id`` field reads its
    field (stored in the instance ``__dict__``, which wins). On the class it raises
    ``AttributeError``: pydantic then sees no parent attribute for such a field to shadow.
    """

    def __get__(self, obj: Any, owner: Any = None) -> Optional[str]:
        if obj is None:
            raise AttributeError("request_id")
        extra = obj.__pydantic_extra__
        if extra and isinstance(extra.get("request_id"), str):
            return str(extra["request_id"])
        stamp: Optional[Stamp] = obj.__dict__.get(_STAMP)
        return None if stamp is None else stamp[0].get("x-request-id")


class _Meta:
    """``reply.meta``: the gateway's signals from the headers of the response the reply came
    in (:class:`~meshapi_core.meta.ResponseMeta`), read on first use and kept; all ``None``
    for a model no response stamped (built by hand, or nested in a reply). Like
    :class:`_RequestId`, a non-data descriptor that is invisible on the class."""

    def __get__(self, obj: Any, owner: Any = None) -> ResponseMeta:
        if obj is None:
            raise AttributeError("meta")
        found = obj.__dict__
        meta: Optional[ResponseMeta] = found.get(_META)
        if meta is None:
            from ..meta import EMPTY_META, ResponseMeta  # with the first .meta read

            stamp: Optional[Stamp] = found.get(_STAMP)
            if stamp is None:
                return EMPTY_META
            meta = found[_META] = ResponseMeta.from_headers(*stamp)
        return meta


class ResponseModel(_Model):
    """Base of every model the gateway sends: lenient, and keeps unknown fields.

    ``request_id`` is the gateway's id of the response this reply came in (``None`` for a
    model built by hand, or nested inside a reply), and ``meta`` what the gateway said about
    that response in its headers (:class:`~meshapi_core.meta.ResponseMeta`: the model and
    provider that served, routing and fallbacks, cache hits, the API version, deprecation).
    A body field named ``meta`` stays in ``model_extra``.
    """

    model_config = ConfigDict(
        extra="allow",
        defer_build=True,
        populate_by_name=True,
        ignored_types=(_RequestId, _Meta),
    )

    request_id = _RequestId()  # type: ignore[pydantic-field]
    meta = _Meta()  # type: ignore[pydantic-field]


def stamp_response(
    value: Any, headers: Mapping[str, str], requested_model: Optional[str] = None
) -> None:
    """Record on a reply (a :class:`ResponseModel`, or each one of a list) the headers of
    the response it came in, and the model its call asked for: what its ``request_id`` and
    ``meta`` read. Nothing is parsed now."""
    stamp = (headers, requested_model)
    if isinstance(value, ResponseModel):
        found = value.__dict__
        found[_STAMP] = stamp
        found.pop(_META, None)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, ResponseModel):
                item.__dict__[_STAMP] = stamp
                item.__dict__.pop(_META, None)


def copy_stamp(source: Any, target: Any) -> None:
    """Give ``target`` (a reply made from ``source``, e.g. its parsed form) the response
    stamp of ``source``."""
    stamp = getattr(source, "__dict__", {}).get(_STAMP)
    if stamp is not None and isinstance(target, ResponseModel):
        target.__dict__[_STAMP] = stamp
        target.__dict__.pop(_META, None)


def stamp_request_id(value: Any, request_id: Optional[str]) -> None:
    """Record ``request_id`` alone on a reply, as if its response had only that header
    (``None`` stamps nothing): :func:`stamp_response` for a reply made by hand."""
    if request_id is not None:
        stamp_response(value, {"x-request-id": request_id})
