"""``client.models``: the model catalog (``GET /v1/models``, ``/free``, ``/paid``, ``/search``,
``/{model_id}``). Readable with a data-plane key or a dashboard JWT; retried freely."""

from __future__ import annotations

from typing import Any, List, Literal, Mapping, Optional, Union, cast

from typing_extensions import Unpack

from meshapi_core.calls import Call
from meshapi_core.endpoints import MODELS_FREE, MODELS_GET, MODELS_LIST, MODELS_PAID, MODELS_SEARCH
from meshapi_core.models.catalog import ModelInfo, ModelSearchPage, ModelSearchParams

from .._engine import AsyncEngine, SyncEngine, _Engine
from ._options import RequestOptions, call_options

__all__ = ["AsyncModels", "Models"]

ModelType = Literal["text", "embedding", "image", "audio", "video"]
SearchParams = Union[ModelSearchParams, Mapping[str, Any]]


def _many(result: object) -> List[ModelInfo]:
    """The result of a ``many`` endpoint, which decodes to a list (see ``Endpoint.many``)."""
    return cast(List[ModelInfo], result)


class _ModelCalls:
    """Builds the calls; :class:`Models` and :class:`AsyncModels` only run them."""

    _engine: _Engine

    def _list(
        self,
        free: Optional[bool],
        type: Optional[str],
        provider: Optional[str],
        options: RequestOptions,
    ) -> Call[ModelInfo]:
        query = [("free", "true" if free else "false")] if free is not None else []
        query += [(k, v) for k, v in (("type", type), ("provider", provider)) if v is not None]
        return self._engine.prepare(MODELS_LIST, call_options(options), query=query)

    def _search(self, params: SearchParams, options: RequestOptions) -> Call[ModelSearchPage]:
        if not isinstance(params, ModelSearchParams):
            params = ModelSearchParams.model_validate(params)
        return self._engine.prepare(MODELS_SEARCH, call_options(options), query=params.to_query())

    def _get(self, model_id: str, options: RequestOptions) -> Call[ModelInfo]:
        if not isinstance(model_id, str) or not model_id:
            raise ValueError("model_id must be a non-empty string like 'openai/gpt-4o-mini'")
        path = MODELS_GET.path_for(model_id=model_id)
        return self._engine.prepare(MODELS_GET, call_options(options), path=path)


class Models(_ModelCalls):
    """The model catalog, for :class:`~meshapi.MeshAPI`.

    >>> [m.id for m in client.models.list(type="text")]   # doctest: +SKIP
    ['openai/gpt-4o-mini', 'anthropic/claude-haiku-4.5', ...]
    """

    def __init__(self, engine: SyncEngine) -> None:
        self._engine = self._sync = engine

    def list(
        self,
        *,
        free: Optional[bool] = None,
        type: Optional[ModelType] = None,
        provider: Optional[str] = None,
        **options: Unpack[RequestOptions],
    ) -> List[ModelInfo]:
        """Every enabled model, with your pricing; filter by ``free``, ``type``, ``provider``."""
        return _many(self._sync.run(self._list(free, type, provider, options)))

    def free(self, **options: Unpack[RequestOptions]) -> List[ModelInfo]:
        """The free models."""
        return _many(self._sync.run(self._engine.prepare(MODELS_FREE, call_options(options))))

    def paid(self, **options: Unpack[RequestOptions]) -> List[ModelInfo]:
        """The paid models."""
        return _many(self._sync.run(self._engine.prepare(MODELS_PAID, call_options(options))))

    def search(self, params: SearchParams, **options: Unpack[RequestOptions]) -> ModelSearchPage:
        """One page of a catalog search, e.g. ``ModelSearchParams(q="claude", limit=5)``."""
        return self._sync.run(self._search(params, options))

    def get(self, model_id: str, **options: Unpack[RequestOptions]) -> ModelInfo:
        """One model by id, e.g. ``"openai/gpt-4o-mini"``; raises ``NotFoundError``."""
        return self._sync.run(self._get(model_id, options))


class AsyncModels(_ModelCalls):
    """The model catalog, for :class:`~meshapi.AsyncMeshAPI` (see :class:`Models`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = self._async = engine

    async def list(
        self,
        *,
        free: Optional[bool] = None,
        type: Optional[ModelType] = None,
        provider: Optional[str] = None,
        **options: Unpack[RequestOptions],
    ) -> List[ModelInfo]:
        """Every enabled model, with your pricing; filter by ``free``, ``type``, ``provider``."""
        return _many(await self._async.run(self._list(free, type, provider, options)))

    async def free(self, **options: Unpack[RequestOptions]) -> List[ModelInfo]:
        """The free models."""
        call = self._engine.prepare(MODELS_FREE, call_options(options))
        return _many(await self._async.run(call))

    async def paid(self, **options: Unpack[RequestOptions]) -> List[ModelInfo]:
        """The paid models."""
        call = self._engine.prepare(MODELS_PAID, call_options(options))
        return _many(await self._async.run(call))

    async def search(
        self, params: SearchParams, **options: Unpack[RequestOptions]
    ) -> ModelSearchPage:
        """One page of a catalog search, e.g. ``ModelSearchParams(q="claude", limit=5)``."""
        return await self._async.run(self._search(params, options))

    async def get(self, model_id: str, **options: Unpack[RequestOptions]) -> ModelInfo:
        """One model by id, e.g. ``"openai/gpt-4o-mini"``; raises ``NotFoundError``."""
        return await self._async.run(self._get(model_id, options))
