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
    available_usd: Optional[str] = None
    reserved_usd: Optional[str] = None
    reserved_breakdown: Optional[Any] = None
    updated_at: Optional[str] = None
    message: Optional[str] = None

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
    threshold_usd: Optional[Amount] = None

    @field_validator("amount_usd")
    @classmethod
    def _between_5_and_100(cls, value: str) -> str:
        if not Decimal(5) <= Decimal(value) <= Decimal(100):
            raise ValueError("each recharge must be between $5 and $100")
        return value
