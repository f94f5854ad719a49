"""``client.embeddings``: ``POST /v1/embeddings``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.embeddings import EMBEDDINGS_CREATE
from meshapi_core.models.embeddings import EmbeddingsParams, EmbeddingsResponse

from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import EmbeddingsArgs, EmbeddingsParamsDict, RequestOptions

__all__ = ["AsyncEmbeddings"]


class AsyncEmbeddings(AsyncResource):
    """Embeddings of text, token ids, or multimodal items."""

    @overload
    async def create(
        self,
        params: Union[EmbeddingsParams, EmbeddingsParamsDict],
        **options: Unpack[RequestOptions],
    ) -> EmbeddingsResponse: ...
    @overload
    async def create(self, **kwargs: Unpack[EmbeddingsArgs]) -> EmbeddingsResponse: ...
    async def create(
        self, params: Optional[Union[EmbeddingsParams, EmbeddingsParamsDict]] = None, **kwargs: Any
    ) -> EmbeddingsResponse:
        """Embed ``input``; ``data`` comes back in input order.

        >>> resp = await client.embeddings.create(                  # doctest: +SKIP
        ...     model="openai/text-embedding-3-small", input=["cat", "dog"])
        >>> len(resp.data), len(resp.data[0].embedding)              # doctest: +SKIP
        (2, 1536)
        """
        return await self._request(EMBEDDINGS_CREATE, params, kwargs)
