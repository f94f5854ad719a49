"""``client.billing``: the balance (a data-plane read) and auto-recharge (a dashboard
session's set-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.billing import AUTO_RECHARGE_GET, AUTO_RECHARGE_SETUP, BALANCE
from meshapi_core.models.billing import AutoRecharge, AutoRechargeSetupParams, Balance

from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        AutoRechargeSetupArgs,
        AutoRechargeSetupParamsDict,
        RequestOptions,
    )

__all__ = ["AsyncBilling"]


class AsyncBilling(AsyncResource):
    """Prepaid credit: what is left, and the automatic top-up.

    >>> (await client.billing.balance()).available   # doctest: +SKIP
    Decimal('24.75')
    """

    async def balance(self, **options: Unpack[RequestOptions]) -> Balance:
        """The balance, what is reserved (realtime sessions, background jobs, video) and
        what is available; an org key sees the owner's shared pool."""
        return await self._request(BALANCE, kwargs=options)

    async def auto_recharge(self, **options: Unpack[RequestOptions]) -> AutoRecharge:
        """The account's auto-recharge set-up."""
        return await self._request(AUTO_RECHARGE_GET, kwargs=options)

    @overload
    async def setup_auto_recharge(
        self,
        params: Union[AutoRechargeSetupParams, AutoRechargeSetupParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> AutoRecharge: ...
    @overload
    async def setup_auto_recharge(
        self, /, **kwargs: Unpack[AutoRechargeSetupArgs]
    ) -> AutoRecharge: ...
    async def setup_auto_recharge(
        self,
        params: Optional[Union[AutoRechargeSetupParams, AutoRechargeSetupParamsDict]] = None,
        /,
        **kwargs: Any,
    ) -> AutoRecharge:
        """Set up auto-recharge: ``amount_usd`` ($5 to $100) each time (one active set-up
        per account)."""
        return await self._request(AUTO_RECHARGE_SETUP, params, kwargs)
