"""``client.router``: the Auto Router's choice (``POST /v1/router/select``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.router import ROUTER_SELECT
from meshapi_core.models.router import RouterSelectParams, RouterSelectResponse

from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import RequestOptions, RouterSelectArgs, RouterSelectParamsDict

__all__ = ["AsyncRouter"]


class AsyncRouter(AsyncResource):
    """The Auto Router."""

    @overload
    async def select(
        self,
        params: Union[RouterSelectParams, RouterSelectParamsDict],
        **options: Unpack[RequestOptions],
    ) -> RouterSelectResponse: ...
    @overload
    async def select(self, **kwargs: Unpack[RouterSelectArgs]) -> RouterSelectResponse: ...
    async def select(
        self,
        params: Optional[Union[RouterSelectParams, RouterSelectParamsDict]] = None,
        **kwargs: Any,
    ) -> RouterSelectResponse:
        """The model ``model="auto"`` would pick for ``messages``, without running it.

        >>> choice = await client.router.select(                          # doctest: +SKIP
        ...     messages=[{"role": "user", "content": "Prove Fermat's little theorem."}],
        ...     candidate_models=["openai/gpt-4o-mini", "anthropic/claude-haiku-4.5"])
        >>> choice.model, choice.auto_router.fallback_used                 # doctest: +SKIP
        """
        return await self._request(ROUTER_SELECT, params, kwargs)
