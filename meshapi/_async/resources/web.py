"""``client.web``: web search (``POST /v1/web/search``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from meshapi_core.endpoints.web import WEB_SEARCH
from meshapi_core.models.web import WebSearchParams, WebSearchResponse

from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import WebSearchArgs, WebSearchParamsDict

__all__ = ["AsyncWeb"]


class AsyncWeb(AsyncResource):
    """The web."""

    async def search(
        self,
        params: Union[WebSearchParams, WebSearchParamsDict, None] = None,
        **kwargs: Unpack[WebSearchArgs],
    ) -> WebSearchResponse:
        """Search the web; options you leave out are the gateway's defaults.

        >>> resp = await client.web.search(query="MeshAPI gateway", max_results=3)  # doctest: +SKIP
        >>> [r.url for r in resp.results]                                           # doctest: +SKIP
        """
        return await self._request(WEB_SEARCH, params, kwargs)
