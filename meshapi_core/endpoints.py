"""Every endpoint's HTTP shape, declared once.

An :class:`Endpoint` says everything a transport-independent call needs to know: method,
path template, which credential realm may call it, what a success decodes to, whether the
body is a stream, and how it may be retried. Resources in the facade name an endpoint and
pass parameters; transports never learn about endpoints at all.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, Optional, Type, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from .models.catalog import ModelInfo, ModelSearchPage
from .models.chat import ChatCompletion, ChatCompletionChunk

__all__ = [
    "CHAT_COMPLETIONS",
    "CHAT_COMPLETIONS_STREAM",
    "MODELS_FREE",
    "MODELS_GET",
    "MODELS_LIST",
    "MODELS_PAID",
    "MODELS_SEARCH",
    "Endpoint",
    "Realm",
    "RetryClass",
]

T = TypeVar("T", bound=BaseModel)


class Realm(enum.Enum):
    """Which kind of credential an endpoint accepts."""

    DATA = "data plane (rsk_ keys)"
    CONTROL = "control plane (dashboard JWT or mak_ admin keys)"
    EITHER = "data plane (rsk_ keys) or a dashboard JWT"


class RetryClass(enum.Enum):
    """How an endpoint's calls may be repeated after a transient failure."""

    SAFE = "safe"
    """Repeating changes nothing (GET): retried freely."""
    KEYED = "keyed"
    """Retried with the same ``Idempotency-Key`` on every attempt (POST, PATCH)."""
    NEVER = "never"
    """Never retried: streams, whose repetition would regenerate and re-bill output."""


@dataclass(frozen=True)
class Endpoint(Generic[T]):
    """One endpoint of the gateway.

    >>> CHAT_COMPLETIONS.method, CHAT_COMPLETIONS.path
    ('POST', '/v1/chat/completions')
    >>> Endpoint("GET", "/v1/models/{model_id}", Realm.EITHER, None, RetryClass.SAFE
    ...          ).path_for(model_id="openai/gpt-4o mini")
    '/v1/models/openai/gpt-4o%20mini'
    """

    method: str
    path: str
    realm: Realm
    response: Optional[Type[T]]
    retry: RetryClass
    stream: bool = False
    many: bool = False
    """The body is a bare JSON array of ``response`` items."""

    def path_for(self, **params: str) -> str:
        """The path with each ``{name}`` replaced by its percent-encoded value.

        Slashes are kept only in ``model_id``, whose values contain them (``openai/gpt-4o``).
        """
        encoded = {
            name: quote(str(value), safe="/" if name == "model_id" else "")
            for name, value in params.items()
        }
        return self.path.format(**encoded)


CHAT_COMPLETIONS: Endpoint[ChatCompletion] = Endpoint(
    "POST", "/v1/chat/completions", Realm.DATA, ChatCompletion, RetryClass.KEYED
)
CHAT_COMPLETIONS_STREAM: Endpoint[ChatCompletionChunk] = Endpoint(
    "POST", "/v1/chat/completions", Realm.DATA, ChatCompletionChunk, RetryClass.NEVER, stream=True
)
MODELS_LIST: Endpoint[ModelInfo] = Endpoint(
    "GET", "/v1/models", Realm.EITHER, ModelInfo, RetryClass.SAFE, many=True
)
MODELS_FREE: Endpoint[ModelInfo] = Endpoint(
    "GET", "/v1/models/free", Realm.EITHER, ModelInfo, RetryClass.SAFE, many=True
)
MODELS_PAID: Endpoint[ModelInfo] = Endpoint(
    "GET", "/v1/models/paid", Realm.EITHER, ModelInfo, RetryClass.SAFE, many=True
)
MODELS_SEARCH: Endpoint[ModelSearchPage] = Endpoint(
    "GET", "/v1/models/search", Realm.EITHER, ModelSearchPage, RetryClass.SAFE
)
MODELS_GET: Endpoint[ModelInfo] = Endpoint(
    "GET", "/v1/models/{model_id}", Realm.EITHER, ModelInfo, RetryClass.SAFE
)
