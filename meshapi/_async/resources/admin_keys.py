"""``client.admin_keys``: admin keys (``/v1/admin-keys``). Minting, rotating and revoking
take a dashboard session; an admin key may list and read them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.admin_keys import (
    ADMIN_KEYS_CREATE,
    ADMIN_KEYS_GET,
    ADMIN_KEYS_LIST,
    ADMIN_KEYS_REVOKE,
    ADMIN_KEYS_ROTATE,
)
from meshapi_core.models.admin_keys import (
    AdminKey,
    AdminKeyCreated,
    AdminKeyCreateParams,
    AdminKeyListParams,
    AdminKeyRevokeParams,
    AdminKeyRotateParams,
)

from ..pages import AsyncPaginator
from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        AdminKeyCreateArgs,
        AdminKeyCreateParamsDict,
        AdminKeyListArgs,
        AdminKeyListParamsDict,
        AdminKeyRevokeArgs,
        AdminKeyRevokeParamsDict,
        AdminKeyRotateArgs,
        AdminKeyRotateParamsDict,
        RequestOptions,
    )

__all__ = ["AsyncAdminKeys"]


class AsyncAdminKeys(AsyncResource):
    """Admin keys (``mak_...``): create, list, get, rotate, revoke."""

    @overload
    async def create(
        self,
        params: Union[AdminKeyCreateParams, AdminKeyCreateParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> AdminKeyCreated: ...
    @overload
    async def create(self, /, **kwargs: Unpack[AdminKeyCreateArgs]) -> AdminKeyCreated: ...
    async def create(
        self,
        params: Optional[Union[AdminKeyCreateParams, AdminKeyCreateParamsDict]] = None,
        /,
        **kwargs: Any,
    ) -> AdminKeyCreated:
        """Mint an admin key (dashboard session only). Its plaintext is in ``.key``, a
        ``SecretStr`` shown this once.

        >>> created = await admin.admin_keys.create(   # doctest: +SKIP
        ...     name="deploy", permissions=["keys:read", "keys:write"], scope="org")
        """
        return await self._request(ADMIN_KEYS_CREATE, params, kwargs)

    def list(
        self,
        params: Union[AdminKeyListParams, AdminKeyListParamsDict, None] = None,
        /,
        **kwargs: Unpack[AdminKeyListArgs],
    ) -> AsyncPaginator[AdminKey]:
        """The admin keys the caller's scope sees (masked, never their plaintext)."""
        return self._list(ADMIN_KEYS_LIST, params, kwargs)

    async def get(self, key_id: str, /, **options: Unpack[RequestOptions]) -> AdminKey:
        """One admin key by id."""
        return await self._request(ADMIN_KEYS_GET, kwargs=options, path={"key_id": key_id})

    async def rotate(
        self,
        key_id: str,
        params: Union[AdminKeyRotateParams, AdminKeyRotateParamsDict, None] = None,
        /,
        **kwargs: Unpack[AdminKeyRotateArgs],
    ) -> AdminKeyCreated:
        """Replace an admin key by a successor with the same name, permissions, scope and
        lifetime; both work for ``grace_hours`` (default 24). The successor's plaintext is
        in ``.key``, shown this once."""
        return await self._request(ADMIN_KEYS_ROTATE, params, kwargs, path={"key_id": key_id})

    async def revoke(
        self,
        key_id: str,
        params: Union[AdminKeyRevokeParams, AdminKeyRevokeParamsDict, None] = None,
        /,
        **kwargs: Unpack[AdminKeyRevokeArgs],
    ) -> None:
        """Revoke an admin key at once, no grace; ``reason`` goes to the audit log."""
        return await self._request(ADMIN_KEYS_REVOKE, params, kwargs, path={"key_id": key_id})
