"""``client.keys``: inference keys (``/v1/keys``), managed with an admin key or a dashboard
session (:class:`~meshapi.MeshAPIAdmin`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from meshapi_core.endpoints.keys import (
    KEYS_CREATE,
    KEYS_GET,
    KEYS_LIMITS,
    KEYS_LIST,
    KEYS_SUSPEND,
    KEYS_UPDATE,
)
from meshapi_core.models.keys import (
    Key,
    KeyCreated,
    KeyCreateParams,
    KeyListParams,
    KeyUpdateParams,
    ResolvedLimits,
)

from ..pages import AsyncPaginator
from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        KeyCreateArgs,
        KeyCreateParamsDict,
        KeyListArgs,
        KeyListParamsDict,
        KeyUpdateArgs,
        KeyUpdateParamsDict,
        RequestOptions,
    )

__all__ = ["AsyncKeys"]


class AsyncKeys(AsyncResource):
    """Inference keys (``rsk_...``): create, list, get, update, suspend, resolved limits.

    >>> created = await admin.keys.create(name="ci", rpm_limit=60)   # doctest: +SKIP
    >>> token = created.key.get_secret_value()                       # doctest: +SKIP
    """

    async def create(
        self,
        params: Union[KeyCreateParams, KeyCreateParamsDict, None] = None,
        /,
        **kwargs: Unpack[KeyCreateArgs],
    ) -> KeyCreated:
        """Create a key. Its plaintext is in ``.key``, a ``SecretStr`` returned this once:
        store ``.key.get_secret_value()`` now (the gateway keeps only a hash)."""
        return await self._request(KEYS_CREATE, params, kwargs)

    def list(
        self,
        params: Union[KeyListParams, KeyListParamsDict, None] = None,
        /,
        **kwargs: Unpack[KeyListArgs],
    ) -> AsyncPaginator[Key]:
        """The keys this credential reaches, page by page (never with their plaintext)."""
        return self._list(KEYS_LIST, params, kwargs)

    async def get(self, key_id: str, /, **options: Unpack[RequestOptions]) -> Key:
        """One key by id."""
        return await self._request(KEYS_GET, kwargs=options, path={"key_id": key_id})

    async def update(
        self,
        key_id: str,
        params: Union[KeyUpdateParams, KeyUpdateParamsDict, None] = None,
        /,
        **kwargs: Unpack[KeyUpdateArgs],
    ) -> Key:
        """Change a key's limits, spend cap, allowed models, defaults or API version pin;
        only the fields you pass change (``api_version=None`` clears the pin)."""
        return await self._request(KEYS_UPDATE, params, kwargs, path={"key_id": key_id})

    async def suspend(self, key_id: str, /, **options: Unpack[RequestOptions]) -> Key:
        """Suspend a key (``DELETE /v1/keys/{id}``, the gateway's soft delete): it stops
        working at once, its usage history stays. There is no hard delete."""
        return await self._request(KEYS_SUSPEND, kwargs=options, path={"key_id": key_id})

    async def limits(self, key_id: str, /, **options: Unpack[RequestOptions]) -> ResolvedLimits:
        """The key's limits as enforced: its own, and the ``effective_*`` ones after the
        org, team and member limits (the lowest wins)."""
        return await self._request(KEYS_LIMITS, kwargs=options, path={"key_id": key_id})
