"""Every control-plane endpoint, on every transport (blocking httpx, httpx on asyncio and
trio, aiohttp), against the emulator: what the SDK sends, and what it makes of the reply."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Dict

import pytest

from meshapi import (
    AdminKeyCreated,
    AuthenticationError,
    Invitation,
    Key,
    KeyCreated,
    NotFoundError,
    PermissionDeniedError,
    ProviderKey,
    ResolvedLimits,
    UnprocessableEntityError,
    UsageEvent,
    WrongRealmError,
)
from meshapi.testing.control import add_usage_events, add_user, audit_entries, set_balance
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import Clients, Runner, do, every


def sent(gw: GatewayFixture, method: str, path: str) -> Any:
    """The last request the emulator received for ``method path``."""
    found = [r for r in gw.gateway.requests if r.method == method and r.path == path]
    assert found, f"no {method} {path} was sent"
    return found[-1]


# -- inference keys ----------------------------------------------------------------------------


def test_inference_keys(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(c: Clients) -> Dict[str, Any]:
        created = await do(
            c.admin.keys.create(
                name="ci",
                rpm_limit=60,
                spend_cap_usd=Decimal("12.50"),
                allowed_models=["openai/gpt-4o-mini"],
                model_limits={"openai/gpt-4o-mini": {"max_tokens": 1000}},
            )
        )
        token = created.key.get_secret_value()
        usable = c.data_client(token)
        balance = await do(usable.billing.balance())
        first = await do(c.admin.keys.list(limit=1))
        listed = await every(c.jwt.keys.list(limit=2))
        got = await do(c.admin.keys.get(created.id))
        updated = await do(c.jwt.keys.update(created.id, api_version="2026-09", rpd_limit=500))
        cleared = await do(c.admin.keys.update(created.id, {"api_version": None}))
        limits = await do(c.admin.keys.limits(created.id))
        suspended = await do(c.admin.keys.suspend(created.id))
        with pytest.raises(PermissionDeniedError):
            await do(usable.billing.balance())
        with pytest.raises(NotFoundError):
            await do(c.admin.keys.get("key_unknown"))
        return locals()

    r = run(scenario)
    created = r["created"]
    assert isinstance(created, KeyCreated)
    assert r["token"].startswith("rsk_")
    assert created.spend_cap == Decimal("12.50") and created.rpm_limit == 60
    assert created.model_limits["openai/gpt-4o-mini"].max_tokens == 1000
    assert r["balance"].balance_usd is not None
    create = sent(meshapi_gateway, "POST", "/v1/keys")
    assert create.json == {
        "name": "ci",
        "rpm_limit": 60,
        "spend_cap_usd": "12.50",
        "allowed_models": ["openai/gpt-4o-mini"],
        "model_limits": {"openai/gpt-4o-mini": {"max_tokens": 1000}},
    }
    assert create.headers["authorization"] == f"Bearer {meshapi_gateway.admin_token}"
    assert create.headers["idempotency-key"]
    first = r["first"]
    assert [k.id for k in first.data] == [created.id] and first.has_more
    assert first.last_id == created.id
    assert created.id in {k.id for k in r["listed"]} and len(r["listed"]) == 3
    assert all(isinstance(k, Key) and not isinstance(k, KeyCreated) for k in r["listed"])
    assert "key" not in (r["listed"][0].model_extra or {})
    assert sent(meshapi_gateway, "GET", "/v1/keys").query == {
        "limit": ["2"],
        "after": [r["listed"][1].id],
    }
    assert r["got"].name == "ci"
    assert r["updated"].api_version == "2026-09" and r["updated"].rpd_limit == 500
    assert r["cleared"].api_version is None
    assert sent(meshapi_gateway, "PATCH", f"/v1/keys/{created.id}").json == {"api_version": None}
    limits = r["limits"]
    assert isinstance(limits, ResolvedLimits)
    assert (limits.effective_rpm_limit, limits.effective_rpd_limit) == (60, 500)
    assert limits.effective_spend_cap_usd == "12.50"
    assert limits.model_extra["sources"]["rpm"] == "key"  # provenance, kept as sent
    assert r["suspended"].status == "suspended"
    assert sent(meshapi_gateway, "DELETE", f"/v1/keys/{created.id}").body == b""


def test_admin_key_permissions_and_scope(run: Runner) -> None:
    async def scenario(c: Clients) -> Any:
        reader = await do(
            c.jwt.admin_keys.create(name="reader", permissions=["keys:read"], scope="self")
        )
        limited = c.admin_client(reader.key.get_secret_value())
        seen = await every(limited.keys.list())
        with pytest.raises(PermissionDeniedError) as denied:
            await do(limited.keys.create(name="nope"))
        with pytest.raises(PermissionDeniedError):
            await do(limited.keys.limits(seen[0].id if seen else "key_x"))
        writer = await do(
            c.jwt.admin_keys.create(permissions=["keys:read", "keys:write"], scope="self")
        )
        own = c.admin_client(writer.key.get_secret_value())
        minted = await do(own.keys.create(name="mine"))
        visible = [k.id for k in await every(own.keys.list())]
        return seen, denied.value, minted, visible

    seen, denied, minted, visible = run(scenario)
    assert seen == []  # scope "self": only keys its lineage minted
    assert denied.status == 403 and "keys:write" in denied.message
    assert visible == [minted.id]


# -- admin keys ------------------------------------------------------------------------------


def test_admin_keys(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(c: Clients) -> Dict[str, Any]:
        created = await do(
            c.jwt.admin_keys.create(
                name="deploy", permissions=["keys:read", "keys:write"], scope="org"
            )
        )
        listed = await every(c.jwt.admin_keys.list())
        by_admin = await every(c.admin.admin_keys.list(limit=1))
        got = await do(c.admin.admin_keys.get(created.id))
        old = c.admin_client(created.key.get_secret_value())
        rotated = await do(c.jwt.admin_keys.rotate(created.id, grace_hours=2))
        new = c.admin_client(rotated.key.get_secret_value())
        both = [len(await every(old.keys.list())), len(await every(new.keys.list()))]
        await do(c.jwt.admin_keys.revoke(rotated.id, reason="leaked"))
        with pytest.raises(AuthenticationError) as gone:
            await do(new.keys.list())
        default_rotation = await do(c.jwt.admin_keys.rotate(created.id))
        return locals()

    r = run(scenario)
    created, rotated = r["created"], r["rotated"]
    assert isinstance(created, AdminKeyCreated) and created.key.get_secret_value().startswith(
        "mak_"
    )
    assert created.permissions == ["keys:read", "keys:write"] and created.scope == "org"
    assert created.expires_at
    assert created.id in {k.id for k in r["listed"]}
    assert len(r["by_admin"]) == len(r["listed"])  # walked page by page
    assert r["got"].name == "deploy"
    assert rotated.id != created.id and rotated.name == "deploy"
    assert rotated.expires_at == created.expires_at  # the successor inherits the lifetime
    assert rotated.permissions == created.permissions
    assert r["both"][0] == r["both"][1] > 0  # both keys work during the grace
    assert r["gone"].value.status == 401
    assert sent(meshapi_gateway, "POST", f"/v1/admin-keys/{created.id}/rotate").json == {}
    revoke = sent(meshapi_gateway, "DELETE", f"/v1/admin-keys/{rotated.id}")
    assert revoke.query == {"reason": ["leaked"]}
    entry = [e for e in audit_entries(meshapi_gateway.gateway) if e["action"].endswith("revoked")]
    assert entry[0]["reason"] == "leaked"


# -- orgs and invitations --------------------------------------------------------------------


def test_orgs_and_invitations(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    add_usage_events(meshapi_gateway.gateway, 6)  # history: the org's usage reads it
    ana_jwt = add_user(meshapi_gateway.gateway, "ana@example.com")
    bob_jwt = add_user(meshapi_gateway.gateway, "bob@example.com")

    async def scenario(c: Clients) -> Dict[str, Any]:
        with pytest.raises(NotFoundError):
            await do(c.jwt.orgs.current())
        org = await do(c.jwt.orgs.create(name="Acme"))
        current = await do(c.jwt.orgs.current())
        ana_invite = await do(c.jwt.orgs.invitations.create(email="ana@example.com", role="admin"))
        bob_invite = await do(
            c.jwt.orgs.invitations.create({"email": "bob@example.com", "role": "member"})
        )
        pending = await every(c.jwt.orgs.invitations.list())
        await do(c.jwt.orgs.invitations.revoke(bob_invite.id))
        after_revoke = await every(c.jwt.orgs.invitations.list())
        ana = c.admin_client(ana_jwt)
        mine = await every(ana.invitations.list())
        token = ana_invite.model_extra["token"]
        checked = await do(ana.invitations.get(token))
        accepted = await do(ana.invitations.accept(token))
        bob = c.admin_client(bob_jwt)
        with pytest.raises(UnprocessableEntityError):
            await do(bob.invitations.accept(bob_invite.model_extra["token"]))
        members = await every(c.jwt.orgs.members.list())
        ana_id = next(m.user_id for m in members if m.email == "ana@example.com")
        transferred = await do(c.jwt.orgs.transfer_ownership(user_id=ana_id))
        roles = {m.email: m.role for m in await every(ana.orgs.members.list())}
        spend = await do(c.jwt.orgs.spend())
        usage = await do(c.jwt.orgs.usage())
        return locals()

    r = run(scenario)
    assert r["org"].name == "Acme" and r["current"].id == r["org"].id
    invite = r["ana_invite"]
    assert isinstance(invite, Invitation)
    assert (invite.role, invite.email, invite.status) == ("admin", "ana@example.com", "pending")
    assert invite.expires_at
    assert sent(meshapi_gateway, "POST", "/v1/orgs/current/members").json == {
        "email": "bob@example.com",
        "role": "member",
    }
    assert {i.id for i in r["pending"]} == {invite.id, r["bob_invite"].id}
    assert [i.id for i in r["after_revoke"]] == [invite.id]
    assert [i.id for i in r["mine"]] == [invite.id]
    assert r["checked"].model_extra["org_name"] == "Acme"
    assert r["accepted"] is None and r["transferred"] is None
    assert sorted(m.role for m in r["members"]) == ["admin", "owner"]
    assert r["roles"]["ana@example.com"] == "owner"
    assert "members" in r["spend"].model_extra  # shape not captured: kept as sent
    assert r["usage"].total_requests == 6 and r["usage"].total_cost > 0


# -- usage, billing, audit ----------------------------------------------------------------


def test_usage_reads(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    add_usage_events(meshapi_gateway.gateway, 6)  # a history: six past events
    async def scenario(c: Clients) -> Dict[str, Any]:
        summary = await do(c.dp.usage.summary())
        filtered = await do(c.dp.usage.summary(model="openai/gpt-4o-mini", limit=1))
        page = await do(c.dp.usage.events(limit=4))
        events = await every(c.dp.usage.events(limit=4))
        fallback = next(e for e in events if e.routing_fallback)
        attempts = await do(c.dp.usage.attempts(fallback.id))
        trend = await do(c.jwt.usage.spend_trend(granularity="hour"))
        limits = await do(c.dp.usage.rate_limits())
        org_limits = await do(c.jwt.usage.rate_limits(team_id="team_1"))
        org_view = await do(c.jwt.usage.summary(extra_query={"refresh": True}))
        with pytest.raises(UnprocessableEntityError):
            await do(c.dp.usage.spend_trend(granularity="fortnight"))
        return locals()

    r = run(scenario)
    summary = r["summary"]
    assert summary.total_requests == 6 and summary.error_requests == 1
    assert isinstance(summary.total_cost, Decimal) and summary.total_cost > 0
    assert summary.cached_at is None  # a key's reads are computed fresh
    assert r["org_view"].cached_at is not None
    assert sent(meshapi_gateway, "POST", "/v1/usage").query == {"refresh": ["true"]}
    assert r["filtered"].total_requests == 2 and len(r["filtered"].by_model) == 1
    bodies = [q.json for q in meshapi_gateway.gateway.requests if q.path == "/v1/usage/events"]
    assert bodies[0] == {"org_id": "", "limit": 4}
    assert bodies[-1] == {"org_id": "", "limit": 4, "offset": 4}
    page = r["page"]
    assert (len(page.data), page.total, page.has_more) == (4, 6, True)
    assert all(isinstance(e, UsageEvent) for e in r["events"])
    assert len({e.id for e in r["events"]}) == 6
    newest_first = [e.model_extra["created_at"] for e in r["events"]]
    assert newest_first == sorted(newest_first, reverse=True)
    assert isinstance(r["fallback"].cost, Decimal)
    assert [a.status for a in r["attempts"]] == ["error", "success"]
    trend = r["trend"].model_extra
    assert trend["granularity"] == "hour" and len(trend["buckets"]) == 7
    key = r["limits"].key
    assert (key.rpm.limit, key.rpm.is_default_limit, key.rpd.limit) == (100, True, 10_000)
    assert 0 < key.rpm.resets_in_seconds <= 60
    assert r["limits"].org is None
    assert r["org_limits"].key is None and r["org_limits"].org is not None
    assert sent(meshapi_gateway, "GET", "/v1/usage/rate-limits").query == {"team_id": ["team_1"]}


def test_billing(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    set_balance(meshapi_gateway.gateway, "10.50", reserved_usd="12.00")

    async def scenario(c: Clients) -> Dict[str, Any]:
        balance = await do(c.dp.billing.balance())
        session_view = await do(c.jwt.billing.balance())
        before = await do(c.jwt.billing.auto_recharge())
        setup = await do(c.jwt.billing.setup_auto_recharge(amount_usd=20, threshold_usd="5"))
        after = await do(c.jwt.billing.auto_recharge())
        return locals()

    r = run(scenario)
    balance = r["balance"]
    assert (balance.balance, balance.reserved, balance.available) == (
        Decimal("10.5"),
        Decimal("12"),
        Decimal("0"),
    )
    assert balance.balance_usd == "10.500000"  # the string is kept as sent
    assert r["session_view"].available_usd == balance.available_usd
    assert r["before"].model_extra["enabled"] is False
    assert sent(meshapi_gateway, "POST", "/v1/auto-recharge/setup").json == {
        "amount_usd": "20",
        "threshold_usd": "5",
    }
    assert r["after"].model_extra["amount_usd"] == "20.000000"


def test_audit_logs(run: Runner, meshapi_gateway: GatewayFixture, tmp_path: Path) -> None:
    async def scenario(c: Clients) -> Any:
        for name in ("a", "b", "c"):
            await do(c.admin.keys.create(name=name))
        entries = await every(c.dp.audit_logs.list(limit=2))
        first = await do(c.jwt.audit_logs.list(limit=2))
        written = await do(c.dp.audit_logs.export().write_to(tmp_path / "audit.csv"))
        return entries, first, written

    entries, first, written = run(scenario)
    assert [e.model_extra["action"] for e in entries] == ["key.created"] * 3
    assert len(first.data) == 2 and first.has_more
    data = (tmp_path / "audit.csv").read_bytes()
    assert written == len(data)
    text = data.decode()
    assert text.startswith("id,created_at,actor,actor_type,action,target_type,target_id\r\n")
    assert len(text.splitlines()) == 4
    export = sent(meshapi_gateway, "GET", "/v1/audit-logs.csv")
    assert export.headers["accept"] == "text/csv"


# -- memories -----------------------------------------------------------------------------


def test_memories(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(c: Clients) -> Dict[str, Any]:
        memory = await do(c.jwt.memories.create(slug="support", name="Support desk"))
        got = await do(c.jwt.memories.get("support"))
        paused = await do(c.jwt.memories.update("support", active=False))
        item = await do(
            c.jwt.memories.items.create("support", type="guardrail", content="Be brief.")
        )
        changed = await do(c.jwt.memories.items.update("support", item.id, content="Be kind."))
        items = await every(c.jwt.memories.items.list("support"))
        await do(c.jwt.memories.items.delete("support", item.id))
        left = await every(c.jwt.memories.items.list("support"))
        listed = await every(c.jwt.memories.list())
        await do(c.jwt.memories.delete("support"))
        with pytest.raises(NotFoundError):
            await do(c.jwt.memories.get("support"))
        return locals()

    r = run(scenario)
    assert r["memory"].slug == "support" and r["memory"].active is True
    assert r["got"].name == "Support desk"
    assert r["paused"].active is False
    assert sent(meshapi_gateway, "PATCH", "/v1/memories/support").json == {"active": False}
    assert (r["item"].type, r["changed"].content) == ("guardrail", "Be kind.")
    assert [i.id for i in r["items"]] == [r["item"].id] and r["left"] == []
    assert [m.slug for m in r["listed"]] == ["support"]
    assert sent(meshapi_gateway, "DELETE", "/v1/memories/support").status == 204


# -- provider keys --------------------------------------------------------------------------

PROVIDER_FIELDS: Dict[str, Dict[str, Any]] = {
    "openai": {"api_key": "sk-live-abc123"},
    "azure": {"api_key": "az-secret-1", "endpoint": "https://acme.openai.azure.com"},
    "azure-foundry": {"api_key": "af-secret-2", "endpoint": "https://acme.services.ai.azure.com"},
    "aws": {
        "access_key_id": "AKIAABCDEFGHIJKLMNOP",
        "secret_access_key": "aws-secret-3",
        "region": "us-east-1",
    },
    "vertex": {"service_account_json": {"type": "service_account", "private_key": "pk-4"}},
}


def test_provider_keys(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(c: Clients) -> Dict[str, Any]:
        added = {}
        for provider, fields in PROVIDER_FIELDS.items():
            client = c.admin if provider != "vertex" else c.jwt
            added[provider] = await do(client.provider_keys.add(provider, **fields))
        listed = await every(c.admin.provider_keys.list())
        tested = await do(c.admin.provider_keys.test("openai"))
        updated = await do(
            c.admin.provider_keys.update("openai", api_key="sk-invalid", allow_fallback=False)
        )
        failing = await do(c.admin.provider_keys.test("openai"))
        await do(c.admin.provider_keys.remove("aws"))
        with pytest.raises(NotFoundError):
            await do(c.admin.provider_keys.test("aws"))
        return locals()

    r = run(scenario)
    assert all(isinstance(k, ProviderKey) for k in r["added"].values())
    assert r["added"]["openai"].allow_fallback is True
    assert {k.provider for k in r["listed"]} == set(PROVIDER_FIELDS)
    assert r["tested"].model_extra["ok"] is True
    assert r["updated"].allow_fallback is False
    assert r["failing"].model_extra["ok"] is False
    assert sent(meshapi_gateway, "POST", "/v1/provider-keys/aws").json == PROVIDER_FIELDS["aws"]
    vertex = sent(meshapi_gateway, "POST", "/v1/provider-keys/vertex").json
    assert vertex == {"service_account_json": '{"type":"service_account","private_key":"pk-4"}'}
    assert sent(meshapi_gateway, "PATCH", "/v1/provider-keys/openai").json == {
        "api_key": "sk-invalid",
        "allow_fallback": False,
    }
    assert sent(meshapi_gateway, "DELETE", "/v1/provider-keys/aws").status == 204
    secrets = ("sk-live-abc123", "az-secret-1", "af-secret-2", "aws-secret-3", "pk-4")
    for reply in [*r["listed"], *r["added"].values()]:  # the emulator never echoes one
        assert not any(secret in repr(reply.model_dump()) for secret in secrets)


# -- wrong realms, on every transport ----------------------------------------------------------


def test_wrong_realms_are_refused_before_sending_on_every_transport(
    run: Runner, meshapi_gateway: GatewayFixture, tmp_path: Path
) -> None:
    async def scenario(c: Clients) -> Any:
        refusals = []
        calls = [
            lambda: c.admin.orgs.current(),  # dashboard only
            lambda: c.admin.admin_keys.create(permissions=["keys:read"]),
            lambda: c.admin.memories.list(),
            lambda: c.admin.usage.summary(),  # a data-plane key or a session
            lambda: c.admin.billing.balance(),
            lambda: c.admin.audit_logs.list(),
            lambda: c.dp.usage.export_events().write_to(tmp_path / "x.csv"),  # session only
            lambda: c.dp.billing.setup_auto_recharge(amount_usd=10),
        ]
        for call in calls:
            with pytest.raises(WrongRealmError) as refused:
                await do(call())
            refusals.append(refused.value)
        return refusals

    refusals = run(scenario)
    assert meshapi_gateway.gateway.requests == []
    assert "a dashboard session token (JWT)" in refusals[0].message
    assert "a data-plane key (rsk_...)" in refusals[3].message
    assert not (tmp_path / "x.csv").exists()
