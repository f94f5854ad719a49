"""``client.web``: web search (``POST /v1/web/search``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.web import WEB_SEARCH
from meshapi_core.models.web import WebSearchParams, WebSearchResponse

from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import RequestOptions, WebSearchArgs, WebSearchParamsDict

__all__ = ["AsyncWeb"]


class AsyncWeb(AsyncResource):
    """The web."""

    @overload
    async def search(
        self, params: Union[WebSearchParams, WebSearchParamsDict], **options: Unpack[RequestOptions]
    ) -> WebSearchResponse: ...
    @overload
    async def search(self, **kwargs: Unpack[WebSearchArgs]) -> WebSearchResponse: ...
    async def search(
        self, params: Optional[Union[WebSearchParams, WebSearchParamsDict]] = None, **kwargs: Any
    ) -> WebSearchResponse:
        """Search the web; options you leave out are the gateway's defaults.

        >>> resp = await client.web.search(query="MeshAPI gateway", max_results=3)  # doctest: +SKIP
        >>> [r.url for r in resp.results]                                           # doctest: +SKIP
        """
        return await self._request(WEB_SEARCH, params, kwargs)
