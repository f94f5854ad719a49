"""``client.models``: the model catalog (``GET /v1/models``, ``/free``, ``/paid``, ``/search``,
``/{model_id}``), readable with a data-plane key or a dashboard session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

from meshapi_core.endpoints.models import (
    MODELS_FREE,
    MODELS_GET,
    MODELS_LIST,
    MODELS_PAID,
    MODELS_SEARCH,
)
from meshapi_core.models.catalog import (
    ModelInfo,
    ModelList,
    ModelListParams,
    ModelSearchParams,
    ModelType,
)

from ..pages import AsyncPaginator
from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        ModelListParamsDict,
        ModelSearchArgs,
        ModelSearchParamsDict,
        RequestOptions,
    )

__all__ = ["AsyncModels"]


class AsyncModels(AsyncResource):
    """The model catalog.

    >>> [m.id for m in await client.models.list(type="text")]   # doctest: +SKIP
    ['openai/gpt-4o-mini', 'anthropic/claude-haiku-4.5', ...]
    """

    async def list(
        self,
        params: Union[ModelListParams, ModelListParamsDict, None] = None,
        *,
        free: Optional[bool] = None,
        type: Optional[ModelType] = None,
        provider: Optional[str] = None,
        **options: Unpack[RequestOptions],
    ) -> ModelList:
        """Every enabled model, with your pricing; filter by ``free``, ``type`` (``"text"``,
        ``"embedding"``, ``"image"``, ``"audio"``, ``"video"``) and ``provider``, named as
        meshapi 0.1.11 named them (or pass a :class:`~meshapi.types.ModelListParams`).

        A list, which also has openai-python's ``.data`` (the same models)."""
        filters = {"free": free, "type": type, "provider": provider}
        fields = {name: value for name, value in filters.items() if value is not None}
        return await self._request(MODELS_LIST, params, {**fields, **options})

    async def free(self, **options: Unpack[RequestOptions]) -> ModelList:
        """The free models."""
        return await self._request(MODELS_FREE, kwargs=options)

    async def paid(self, **options: Unpack[RequestOptions]) -> ModelList:
        """The paid models."""
        return await self._request(MODELS_PAID, kwargs=options)

    def search(
        self,
        params: Union[ModelSearchParams, ModelSearchParamsDict, None] = None,
        **kwargs: Unpack[ModelSearchArgs],
    ) -> AsyncPaginator[ModelInfo]:
        """Search the catalog (``q``, ``brand``, modalities, ``sort``...), page by page.

        Iterating walks every match (``async for model in client.models.search(...)``); the
        first page alone (``.data``, ``.total``, ``.brands``) is what the call returns
        (``await``-ed on the async client).

        >>> page = await client.models.search(q="claude", limit=5)   # doctest: +SKIP
        >>> page.total, [m.id for m in page.data]                   # doctest: +SKIP
        """
        return self._list(MODELS_SEARCH, params, kwargs)

    async def get(self, model_id: str, **options: Unpack[RequestOptions]) -> ModelInfo:
        """One model by id, e.g. ``"openai/gpt-4o-mini"``; raises ``NotFoundError``."""
        return await self._request(MODELS_GET, kwargs=options, path={"model_id": model_id})

    async def retrieve(self, model: str, **options: Unpack[RequestOptions]) -> ModelInfo:
        """:meth:`get`, by openai-python's name: one model by id."""
        return await self.get(model, **options)
