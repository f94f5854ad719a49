"""Money: decimal strings on the wire, :class:`~decimal.Decimal` when you ask.

The gateway sends every amount as a decimal string (``"12.50"``, ``"0.000315"``), and the
models keep it that way, so nothing is lost to floating point. :func:`to_decimal` turns one
into a :class:`~decimal.Decimal`; models with amounts offer properties doing that for their
main fields. Amounts the caller sends (a spend cap, a recharge) are accepted as a string, a
:class:`~decimal.Decimal` or an int, checked, and sent as a string.

>>> to_decimal("12.50") + to_decimal("0.25")
Decimal('12.75')
>>> to_decimal(None) is None
True
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, List, Optional, Union

from pydantic import AfterValidator

__all__: List[str] = []


def to_decimal(value: Optional[str]) -> Optional[Decimal]:
    """``value`` as a :class:`~decimal.Decimal`, or ``None`` when it is ``None`` or not a
    decimal number (a gateway that sends something else does not break the read)."""
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _amount(value: Union[str, Decimal, int]) -> str:
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError("must be a decimal amount in USD, like '25' or '12.50'") from None
    if not number.is_finite() or number < 0:
        raise ValueError("must be a finite amount of 0 or more")
    return format(number, "f")


Amount = Annotated[Union[str, Decimal, int], AfterValidator(_amount)]
"""An amount in USD the caller sends: a string, a ``Decimal`` or an int; sent as a string."""
