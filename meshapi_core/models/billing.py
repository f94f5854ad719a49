"""Balance and auto-recharge (``docs/gateway/control-plane.md`` §5 and §6).

Known: the balance's fields (``available = max(0, balance - reserved)``; reservations are
held by realtime sessions, background jobs and video; an org key sees the owner's shared
pool) and that auto-recharge tops up $5-$100 at a time, one active setup per account.
Inferred: the shape of ``reserved_breakdown``; the auto-recharge fields ``amount_usd`` and
``threshold_usd``; the status reply's shape (kept as sent).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from pydantic import field_validator

from .base import RequestModel, ResponseModel
from .money import Amount, to_decimal

__all__ = ["AutoRecharge", "AutoRechargeSetupParams", "Balance"]


class Balance(ResponseModel):
    """``GET /v1/balance``; amounts are decimal strings, with ``Decimal`` properties."""

    balance_usd: Optional[str] = None
    """The balance in USD, a decimal string (an org key sees the owner's shared pool)."""
    available_usd: Optional[str] = None
    """What a new request may spend, in USD: ``max(0, balance - reserved)``."""
    reserved_usd: Optional[str] = None
    """What realtime sessions, background jobs and videos have reserved, in USD."""
    reserved_breakdown: Optional[Any] = None
    """What the reservations are for, as the gateway sends it."""
    updated_at: Optional[str] = None
    """When the balance last changed, as the gateway sends it."""
    message: Optional[str] = None
    """A note from the gateway about the balance, when it has one."""

    @property
    def balance(self) -> Optional[Decimal]:
        """``balance_usd`` as a ``Decimal``."""
        return to_decimal(self.balance_usd)

    @property
    def available(self) -> Optional[Decimal]:
        """``available_usd`` as a ``Decimal``: what a new request may spend."""
        return to_decimal(self.available_usd)

    @property
    def reserved(self) -> Optional[Decimal]:
        """``reserved_usd`` as a ``Decimal``."""
        return to_decimal(self.reserved_usd)


class AutoRecharge(ResponseModel):
    """``GET /v1/auto-recharge`` and the set-up's reply: the account's auto-recharge set-up.
    Its fields were not captured and are kept as sent (``model_extra``)."""


class AutoRechargeSetupParams(RequestModel):
    """The body of ``POST /v1/auto-recharge/setup`` (field names inferred): recharge
    ``amount_usd`` ($5 to $100) when the balance falls below ``threshold_usd``."""

    amount_usd: Amount
    """How much each recharge adds, in USD: $5 to $100."""
    threshold_usd: Optional[Amount] = None
    """The balance below which a recharge happens, in USD."""

    @field_validator("amount_usd")
    @classmethod
    def _between_5_and_100(cls, value: str) -> str:
        if not Decimal(5) <= Decimal(value) <= Decimal(100):
            raise ValueError("each recharge must be between $5 and $100")
        return value
