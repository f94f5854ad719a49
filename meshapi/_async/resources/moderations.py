"""``client.moderations``: ``POST /v1/moderations``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from meshapi_core.endpoints.moderations import MODERATIONS_CREATE
from meshapi_core.models.moderations import ModerationParams, ModerationResponse

from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import ModerationArgs, ModerationParamsDict

__all__ = ["AsyncModerations"]


class AsyncModerations(AsyncResource):
    """Content moderation."""

    async def create(
        self,
        params: Union[ModerationParams, ModerationParamsDict, None] = None,
        **kwargs: Unpack[ModerationArgs],
    ) -> ModerationResponse:
        """Classify ``input``: one result per input, with ``flagged`` and the categories.

        >>> resp = await client.moderations.create(input="some text")   # doctest: +SKIP
        >>> resp.results[0].flagged                                       # doctest: +SKIP
        False
        """
        return await self._request(MODERATIONS_CREATE, params, kwargs)
