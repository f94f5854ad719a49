"""``client.api_versions``: the contract versions the gateway serves
(``GET /v1/api-versions``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from meshapi_core.endpoints.api_versions import API_VERSIONS_LIST
from meshapi_core.models.api_versions import ApiVersion

from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import RequestOptions

__all__ = ["AsyncApiVersions"]


class AsyncApiVersions(AsyncResource):
    """Contract versions, to check a pin (``X-Mesh-Version``) against."""

    async def list(self, **options: Unpack[RequestOptions]) -> List[ApiVersion]:
        """Every served version (``label``, ``status``, ``sunset_on``, ``baseline``,
        ``latest``).

        >>> [v.label for v in await client.api_versions.list()]   # doctest: +SKIP
        ['2026-08', '2026-09']
        """
        return await self._request(API_VERSIONS_LIST, kwargs=options)
