"""``client.moderations``: ``POST /v1/moderations``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.moderations import MODERATIONS_CREATE
from meshapi_core.models.moderations import ModerationParams, ModerationResponse

from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import ModerationArgs, ModerationParamsDict, RequestOptions

__all__ = ["AsyncModerations"]


class AsyncModerations(AsyncResource):
    """Content moderation."""

    @overload
    async def create(
        self,
        params: Union[ModerationParams, ModerationParamsDict],
        **options: Unpack[RequestOptions],
    ) -> ModerationResponse: ...
    @overload
    async def create(self, **kwargs: Unpack[ModerationArgs]) -> ModerationResponse: ...
    async def create(
        self, params: Optional[Union[ModerationParams, ModerationParamsDict]] = None, **kwargs: Any
    ) -> ModerationResponse:
        """Classify ``input``: one result per input, with ``flagged`` and the categories.

        >>> resp = await client.moderations.create(input="some text")   # doctest: +SKIP
        >>> resp.results[0].flagged                                       # doctest: +SKIP
        False
        """
        return await self._request(MODERATIONS_CREATE, params, kwargs)
