"""The two kinds of model the SDK is made of.

:class:`RequestModel` is what a caller builds. Its fields are checked as it is built, so a typo
or a wrong type fails at once, in the caller's own line; a field the gateway added after this
release can still be sent through ``extra_body``. Only the fields the caller set are sent, so
the gateway's own defaults stay in force.

:class:`ResponseModel` is what the gateway sends back. Every field the gateway may leave out has
a default, and fields this release does not know are kept (``model_extra``) rather than
dropped, so nothing the gateway says is lost and a new field never breaks a stream.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RequestModel", "ResponseModel", "json_bytes"]


class RequestModel(BaseModel):
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


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def json_bytes(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, the way the SDK sends every body."""
    return _ENCODER.encode(value).encode()


class ResponseModel(BaseModel):
    """Base of every model the gateway sends: lenient, and keeps unknown fields."""

    model_config = ConfigDict(extra="allow", defer_build=True, populate_by_name=True)
