"""Balance and auto-recharge (``docs/gateway/control-plane.md`` §5 and §6). The balance is a
data-plane read (a dashboard session sees it too); auto-recharge is billing set-up, a
dashboard act (inferred: the docs name no credential for it)."""

from __future__ import annotations

from ..endpoint import DASHBOARD, DATA_OR_DASHBOARD, JSON, Endpoint
from ..models.billing import AutoRecharge, AutoRechargeSetupParams, Balance

__all__ = ["AUTO_RECHARGE_GET", "AUTO_RECHARGE_SETUP", "BALANCE"]

BALANCE: Endpoint[None, Balance] = Endpoint("GET", "/v1/balance", DATA_OR_DASHBOARD, JSON(Balance))
"""``GET /v1/balance``, called by ``billing.balance``."""
AUTO_RECHARGE_GET: Endpoint[None, AutoRecharge] = Endpoint(
    "GET", "/v1/auto-recharge", DASHBOARD, JSON(AutoRecharge)
)
"""``GET /v1/auto-recharge``, called by ``billing.auto_recharge``."""
AUTO_RECHARGE_SETUP: Endpoint[AutoRechargeSetupParams, AutoRecharge] = Endpoint(
    "POST", "/v1/auto-recharge/setup", DASHBOARD, JSON(AutoRecharge), AutoRechargeSetupParams
)
"""``POST /v1/auto-recharge/setup``, called by ``billing.setup_auto_recharge``."""
