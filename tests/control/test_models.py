"""Control-plane models: bad arguments refused before sending (naming the parameter), money
as decimal strings with ``Decimal`` accessors, unknown fields kept, and the inferred parts
of each schema stated where the models are documented."""

from __future__ import annotations

import doctest
import importlib
from decimal import Decimal
from typing import Any, Dict

import pytest

from meshapi import (
    AdminKeyCreateParams,
    AutoRechargeSetupParams,
    Balance,
    InvalidArgumentError,
    Key,
    KeyCreateParams,
    KeyUpdateParams,
    MeshAPIAdmin,
    RateLimits,
    SpendTrend,
    UsageEvent,
    UsageEventListParams,
    UsageSummaryParams,
)
from meshapi.testing import Gateway, InProcessTransport
from meshapi_core.params import bind

AREAS = (
    "admin_keys",
    "audit_logs",
    "billing",
    "keys",
    "memories",
    "orgs",
    "provider_keys",
    "usage",
)


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        (KeyCreateParams, {"rpm_limit": 1001}, "rpm_limit"),
        (KeyCreateParams, {"rpd_limit": 1_000_001}, "rpd_limit"),
        (KeyCreateParams, {"spend_cap_usd": "lots"}, "spend_cap_usd"),
        (KeyCreateParams, {"spend_cap_usd": "-1"}, "spend_cap_usd"),
        (KeyCreateParams, {"api_version": "2026-9"}, "api_version"),
        (KeyCreateParams, {"model_limits": {"m": {"max_tokens": 0}}}, "model_limits.m.max_tokens"),
        (KeyCreateParams, {"label": "x"}, "label"),
        (KeyUpdateParams, {"rpm_limit": "fast"}, "rpm_limit"),
        (AdminKeyCreateParams, {"permissions": []}, "permissions"),
        (AdminKeyCreateParams, {"permissions": ["keys:delete"]}, "permissions.0"),
        (AdminKeyCreateParams, {"permissions": ["limits:read"], "scope": "team"}, None),
        (AutoRechargeSetupParams, {"amount_usd": "4.99"}, "amount_usd"),
        (AutoRechargeSetupParams, {"amount_usd": 101}, "amount_usd"),
        (UsageEventListParams, {"limit": 201}, "limit"),
    ],
)
def test_bad_arguments_are_refused_naming_the_parameter(
    model: Any, fields: Dict[str, Any], param: Any
) -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        bind(model, fields, None)
    assert refused.value.param == param
    assert isinstance(refused.value, ValueError)


def test_refusals_happen_before_anything_is_sent() -> None:
    gateway = Gateway()
    admin = MeshAPIAdmin(
        base_url="http://127.0.0.1", token=gateway.jwt, transport=InProcessTransport(gateway)
    )
    calls = [
        lambda: admin.keys.create(rpm_limit=5000),
        lambda: admin.keys.update("k1", spend_cap_usd="NaN"),
        lambda: admin.admin_keys.create(permissions=["alerts:read"], scope="self"),
        lambda: admin.admin_keys.rotate("a1", grace_hours=200),
        lambda: admin.billing.setup_auto_recharge(amount_usd=1),
        lambda: admin.memories.items.create("s", type="rule", content="x"),
        lambda: admin.orgs.invitations.create(email="a@b.c", role="owner"),
        lambda: admin.provider_keys.add("acme", api_key="x"),
        lambda: admin.provider_keys.test("acme"),
        lambda: admin.provider_keys.add("azure", api_key="x", endpoint="ftp://a"),
        lambda: admin.provider_keys.add("aws", access_key_id="AKIAABCDEFGHIJKLMNOP"),
        lambda: admin.keys.get(".."),
        lambda: admin.memories.get(""),
    ]
    for call in calls:
        with pytest.raises(InvalidArgumentError):
            call()
    assert gateway.requests == []


def test_money_is_sent_as_decimal_strings() -> None:
    for value, sent in ((50, "50"), (Decimal("12.50"), "12.50"), ("0.25", "0.25")):
        assert bind(KeyCreateParams, {"spend_cap_usd": value}, None).to_json_dict() == {
            "spend_cap_usd": sent
        }


def test_money_reads_as_strings_with_decimal_accessors() -> None:
    balance = Balance.model_validate(
        {"balance_usd": "10.10", "available_usd": "0.000001", "reserved_usd": "n/a"}
    )
    assert balance.balance == Decimal("10.10") and balance.balance_usd == "10.10"
    assert balance.available == Decimal("0.000001")
    assert balance.reserved is None  # not a number: no Decimal, the string is kept
    assert UsageEvent(cost_usd="0.000315").cost == Decimal("0.000315")
    assert Key(spend_cap_usd=None).spend_cap is None


def test_usage_queries_always_carry_org_id() -> None:
    assert UsageSummaryParams().to_json_dict() == {"org_id": ""}
    assert UsageSummaryParams(org_id="org_1", model="m").to_json_dict() == {
        "org_id": "org_1",
        "model": "m",
    }


def test_replies_keep_unknown_fields() -> None:
    key = Key.model_validate({"id": "k", "weight_profile": "fast", "cache_enabled": False})
    assert key.model_extra == {"weight_profile": "fast", "cache_enabled": False}
    trend = SpendTrend.model_validate({"buckets": [{"spend_usd": "1"}], "total_usd": "1"})
    assert trend.model_extra["total_usd"] == "1"
    limits = RateLimits.model_validate(
        {"key": {"rpm": {"current": 3, "limit": 10, "pct": 30, "burst": 2}}, "window": "utc"}
    )
    assert limits.key.rpm.current == 3 and limits.key.rpm.model_extra == {"burst": 2}


@pytest.mark.parametrize("area", AREAS)
def test_each_area_says_what_is_inferred(area: str) -> None:
    models = importlib.import_module(f"meshapi_core.models.{area}")
    assert "Inferred" in (models.__doc__ or "") or "inferred" in (models.__doc__ or "")
    endpoints = importlib.import_module(f"meshapi_core.endpoints.{area}")
    assert endpoints.__doc__


@pytest.mark.parametrize(
    "module",
    [
        "meshapi_core.models.secrets",
        "meshapi_core.models.money",
        "meshapi_core.endpoints.provider_keys",
        "meshapi.testing.control",
    ],
)
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
