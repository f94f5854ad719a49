"""Realms: every control-plane call a credential cannot make is refused before anything is
sent, naming the credential it needs; the emulator refuses the same calls with the gateway's
403 envelope; and the SDK's declarations and the emulator's routes agree on every realm."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, List, Tuple

import anyio
import pytest

from meshapi import (
    AsyncMeshAPI,
    AsyncMeshAPIAdmin,
    InvalidArgumentError,
    MeshAPI,
    MeshAPIAdmin,
    MeshAPIError,
    WrongRealmError,
)
from meshapi.testing import AsyncInProcessTransport, Gateway, GatewayRequest, InProcessTransport
from meshapi.testing._gateway.auth import REALM_NAMES
from meshapi.testing._routes import ROUTES
from meshapi_core.calls import Runtime
from meshapi_core.config import ClientConfig
from meshapi_core.endpoint import Credential, Endpoint
from meshapi_core.endpoints import admin_keys, audit_logs, billing, keys, memories, orgs, usage
from meshapi_core.endpoints import provider_keys as provider_keys_endpoints
from meshapi_core.endpoints.models import MODELS_LIST
from meshapi_core.endpoints.provider_keys import (
    PROVIDER_KEYS_ADD,
    PROVIDER_KEYS_REMOVE,
    PROVIDER_KEYS_TEST,
    PROVIDER_KEYS_UPDATE,
)
from meshapi_core.prepare import prepare_call

from .conftest import do

AREAS = (keys, admin_keys, orgs, usage, billing, memories, audit_logs, provider_keys_endpoints)
TOKENS = {
    Credential.DATA_KEY: "rsk_01TESTTESTTESTTESTTESTTEST",
    Credential.DASHBOARD: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln",
    Credential.ADMIN_KEY: "mak_01TESTTESTTESTTESTTESTTEST",
}
REALM_OF = {Credential.DATA_KEY: "dp", Credential.DASHBOARD: "jwt", Credential.ADMIN_KEY: "mak"}
RUNTIME = Runtime(lambda: 0.0, lambda: 0.0, lambda: 0.5, lambda: "key")


def control_endpoints() -> Dict[str, Endpoint[Any, Any]]:
    """Every control-plane endpoint, by name (the per-provider tables included)."""
    found: Dict[str, Endpoint[Any, Any]] = {}
    for module in AREAS:
        for name, value in vars(module).items():
            if isinstance(value, Endpoint):
                found[name] = value
    for table_name, table in (
        ("PROVIDER_KEYS_ADD", PROVIDER_KEYS_ADD),
        ("PROVIDER_KEYS_UPDATE", PROVIDER_KEYS_UPDATE),
        ("PROVIDER_KEYS_TEST", PROVIDER_KEYS_TEST),
        ("PROVIDER_KEYS_REMOVE", PROVIDER_KEYS_REMOVE),
    ):
        for provider, endpoint in table.items():
            found[f"{table_name}[{provider}]"] = endpoint
    return found


ENDPOINTS = control_endpoints()


def filled(endpoint: Endpoint[Any, Any]) -> str:
    return endpoint.path_for({name: "x1" for name in endpoint.path_names})


# -- the SDK refuses before sending --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_every_wrong_credential_is_refused_by_the_core(name: str) -> None:
    endpoint = ENDPOINTS[name]
    path = {p: "x1" for p in endpoint.path_names}
    for credential, token in TOKENS.items():
        config = ClientConfig.create(base_url="https://api.meshapi.ai", token=token)
        if credential in endpoint.realms:
            try:
                prepare_call(endpoint, config, RUNTIME, path=path)
            except WrongRealmError:
                raise
            except InvalidArgumentError:
                pass  # past the realm check; no params were given
            continue
        with pytest.raises(WrongRealmError) as refused:
            prepare_call(endpoint, config, RUNTIME, path=path)
        assert refused.value.needed == endpoint.realms
        assert refused.value.error_code == "wrong_realm"
        for needed in endpoint.realms:
            assert needed.value in refused.value.message
        assert credential.value in refused.value.message
        assert token not in str(refused.value)


def test_a_token_of_unknown_form_takes_its_realm_from_the_credential_setting() -> None:
    config = ClientConfig.create(base_url="https://x", token="opaque-token", credential="data")
    with pytest.raises(WrongRealmError):
        prepare_call(keys.KEYS_LIST, config, RUNTIME)
    unknown = ClientConfig.create(base_url="https://x", token="opaque-token")
    prepare_call(keys.KEYS_LIST, unknown, RUNTIME)  # left to the gateway


# Every control-plane method, called with placeholder arguments, and the endpoint it uses.
Call = Callable[[Any, Path], Any]
METHODS: List[Tuple[str, Endpoint[Any, Any], Call]] = [
    ("keys.create", keys.KEYS_CREATE, lambda c, _: c.keys.create(name="x")),
    ("keys.list", keys.KEYS_LIST, lambda c, _: c.keys.list()),
    ("keys.get", keys.KEYS_GET, lambda c, _: c.keys.get("k1")),
    ("keys.update", keys.KEYS_UPDATE, lambda c, _: c.keys.update("k1", rpm_limit=5)),
    ("keys.suspend", keys.KEYS_SUSPEND, lambda c, _: c.keys.suspend("k1")),
    ("keys.limits", keys.KEYS_LIMITS, lambda c, _: c.keys.limits("k1")),
    (
        "admin_keys.create",
        admin_keys.ADMIN_KEYS_CREATE,
        lambda c, _: c.admin_keys.create(permissions=["keys:read"]),
    ),
    ("admin_keys.list", admin_keys.ADMIN_KEYS_LIST, lambda c, _: c.admin_keys.list()),
    ("admin_keys.get", admin_keys.ADMIN_KEYS_GET, lambda c, _: c.admin_keys.get("a1")),
    ("admin_keys.rotate", admin_keys.ADMIN_KEYS_ROTATE, lambda c, _: c.admin_keys.rotate("a1")),
    ("admin_keys.revoke", admin_keys.ADMIN_KEYS_REVOKE, lambda c, _: c.admin_keys.revoke("a1")),
    ("orgs.create", orgs.ORGS_CREATE, lambda c, _: c.orgs.create(name="Acme")),
    ("orgs.current", orgs.ORGS_CURRENT, lambda c, _: c.orgs.current()),
    ("orgs.members.list", orgs.ORGS_MEMBERS_LIST, lambda c, _: c.orgs.members.list()),
    (
        "orgs.invitations.create",
        orgs.ORGS_INVITATIONS_CREATE,
        lambda c, _: c.orgs.invitations.create(email="a@b.c", role="member"),
    ),
    (
        "orgs.invitations.list",
        orgs.ORGS_INVITATIONS_LIST,
        lambda c, _: c.orgs.invitations.list(),
    ),
    (
        "orgs.invitations.revoke",
        orgs.ORGS_INVITATIONS_REVOKE,
        lambda c, _: c.orgs.invitations.revoke("i1"),
    ),
    (
        "orgs.transfer_ownership",
        orgs.ORGS_TRANSFER_OWNERSHIP,
        lambda c, _: c.orgs.transfer_ownership(user_id="u1"),
    ),
    ("orgs.spend", orgs.ORGS_SPEND, lambda c, _: c.orgs.spend()),
    ("orgs.usage", orgs.ORGS_USAGE, lambda c, _: c.orgs.usage()),
    ("invitations.list", orgs.INVITATIONS_LIST, lambda c, _: c.invitations.list()),
    ("invitations.get", orgs.INVITATIONS_GET, lambda c, _: c.invitations.get("t1")),
    ("invitations.accept", orgs.INVITATIONS_ACCEPT, lambda c, _: c.invitations.accept("t1")),
    ("usage.summary", usage.USAGE_SUMMARY, lambda c, _: c.usage.summary()),
    ("usage.events", usage.USAGE_EVENTS, lambda c, _: c.usage.events()),
    ("usage.attempts", usage.USAGE_EVENT_ATTEMPTS, lambda c, _: c.usage.attempts("e1")),
    ("usage.spend_trend", usage.USAGE_SPEND_TREND, lambda c, _: c.usage.spend_trend()),
    ("usage.rate_limits", usage.USAGE_RATE_LIMITS, lambda c, _: c.usage.rate_limits()),
    (
        "usage.export_events",
        usage.USAGE_EVENTS_EXPORT,
        lambda c, tmp: c.usage.export_events().write_to(tmp / "usage.csv"),
    ),
    ("billing.balance", billing.BALANCE, lambda c, _: c.billing.balance()),
    ("billing.auto_recharge", billing.AUTO_RECHARGE_GET, lambda c, _: c.billing.auto_recharge()),
    (
        "billing.setup_auto_recharge",
        billing.AUTO_RECHARGE_SETUP,
        lambda c, _: c.billing.setup_auto_recharge(amount_usd="10"),
    ),
    ("memories.list", memories.MEMORIES_LIST, lambda c, _: c.memories.list()),
    ("memories.create", memories.MEMORIES_CREATE, lambda c, _: c.memories.create(slug="s")),
    ("memories.get", memories.MEMORIES_GET, lambda c, _: c.memories.get("s")),
    ("memories.update", memories.MEMORIES_UPDATE, lambda c, _: c.memories.update("s", name="n")),
    ("memories.delete", memories.MEMORIES_DELETE, lambda c, _: c.memories.delete("s")),
    ("memories.items.list", memories.MEMORY_ITEMS_LIST, lambda c, _: c.memories.items.list("s")),
    (
        "memories.items.create",
        memories.MEMORY_ITEMS_CREATE,
        lambda c, _: c.memories.items.create("s", type="fact", content="c"),
    ),
    (
        "memories.items.update",
        memories.MEMORY_ITEMS_UPDATE,
        lambda c, _: c.memories.items.update("s", "i1", content="c"),
    ),
    (
        "memories.items.delete",
        memories.MEMORY_ITEMS_DELETE,
        lambda c, _: c.memories.items.delete("s", "i1"),
    ),
    (
        "provider_keys.list",
        provider_keys_endpoints.PROVIDER_KEYS_LIST,
        lambda c, _: c.provider_keys.list(),
    ),
    (
        "provider_keys.add",
        PROVIDER_KEYS_ADD["openai"],
        lambda c, _: c.provider_keys.add("openai", api_key="sk-1"),
    ),
    (
        "provider_keys.update",
        PROVIDER_KEYS_UPDATE["openai"],
        lambda c, _: c.provider_keys.update("openai", allow_fallback=False),
    ),
    (
        "provider_keys.test",
        PROVIDER_KEYS_TEST["openai"],
        lambda c, _: c.provider_keys.test("openai"),
    ),
    (
        "provider_keys.remove",
        PROVIDER_KEYS_REMOVE["openai"],
        lambda c, _: c.provider_keys.remove("openai"),
    ),
    ("audit_logs.list", audit_logs.AUDIT_LOGS_LIST, lambda c, _: c.audit_logs.list()),
    (
        "audit_logs.export",
        audit_logs.AUDIT_LOGS_EXPORT,
        lambda c, tmp: c.audit_logs.export().write_to(tmp / "audit.csv"),
    ),
    ("models.list", MODELS_LIST, lambda c, _: c.models.list()),  # on both kinds of client
]


def test_the_method_table_covers_every_control_endpoint() -> None:
    covered = {id(endpoint) for _, endpoint, _ in METHODS}
    for name, endpoint in ENDPOINTS.items():
        if "[" in name:  # a per-provider table: its openai entry stands for it
            name, _, _ = name.partition("[")
            endpoint = ENDPOINTS[f"{name}[openai]"]
        assert id(endpoint) in covered, name


# (client class, credential) pairs a user can build; MeshAPIAdmin refuses a data-plane key.
CLIENTS = [
    ("MeshAPI", Credential.DATA_KEY),
    ("MeshAPI", Credential.DASHBOARD),
    ("MeshAPI", Credential.ADMIN_KEY),
    ("MeshAPIAdmin", Credential.ADMIN_KEY),
    ("MeshAPIAdmin", Credential.DASHBOARD),
]


def gateway_token(gateway: Gateway, credential: Credential) -> str:
    return {
        Credential.DATA_KEY: gateway.token,
        Credential.DASHBOARD: gateway.jwt,
        Credential.ADMIN_KEY: gateway.admin_token,
    }[credential]


def has_method(client: Any, name: str) -> bool:
    target = client
    for part in name.split(".")[:-1]:
        if not hasattr(target, part):
            return False
        target = getattr(target, part)
    return True


def check_combination(
    gateway: Gateway, client: Any, credential: Credential, tmp: Path, outcomes: List[str]
) -> Callable[[str, Endpoint[Any, Any], Call], Any]:
    async def check(name: str, endpoint: Endpoint[Any, Any], call: Call) -> None:
        gateway.clear_requests()
        refused = None
        try:
            await do(call(client, tmp))
        except WrongRealmError as error:
            refused = error
        except MeshAPIError:
            pass  # the gateway's own answer (404 for a placeholder id...)
        if refused is not None:
            assert credential not in endpoint.realms, f"{name} refused {credential}"
            assert refused.needed == endpoint.realms
            assert gateway.requests == [], f"{name} sent a request it refused"
            outcomes.append(f"{name}:refused")
            return
        assert credential in endpoint.realms, f"{name} was not refused for {credential}"
        assert [r.method for r in gateway.requests] == [endpoint.method], name
        outcomes.append(f"{name}:sent")

    return check


@pytest.mark.parametrize(("cls", "credential"), CLIENTS, ids=lambda v: getattr(v, "name", v))
def test_every_method_on_every_client_refuses_what_its_credential_cannot_do(
    cls: str, credential: Credential, tmp_path: Path
) -> None:
    gateway = Gateway()
    token = gateway_token(gateway, credential)
    outcomes: List[str] = []
    sync_client = (MeshAPI if cls == "MeshAPI" else MeshAPIAdmin)(
        base_url="http://127.0.0.1", token=token, transport=InProcessTransport(gateway)
    )
    async_client = (AsyncMeshAPI if cls == "MeshAPI" else AsyncMeshAPIAdmin)(
        base_url="http://127.0.0.1", token=token, transport=AsyncInProcessTransport(gateway)
    )

    async def main() -> None:
        for client in (sync_client, async_client):
            check = check_combination(gateway, client, credential, tmp_path, outcomes)
            for name, endpoint, call in METHODS:
                if has_method(client, name):
                    await check(name, endpoint, call)

    anyio.run(main)
    assert outcomes, "no method was checked"
    refused = {o.split(":")[0] for o in outcomes if o.endswith("refused")}
    expected = {
        n for n, e, _ in METHODS if credential not in e.realms and has_method(sync_client, n)
    }
    assert refused == expected


def test_data_plane_clients_offer_the_reads_a_key_may_make() -> None:
    client = MeshAPI(base_url="https://api.meshapi.ai", token="rsk_x")
    for name in ("usage", "billing", "audit_logs", "chat", "models"):
        assert hasattr(client, name)
    for name in ("keys", "admin_keys", "orgs", "invitations", "memories", "provider_keys"):
        assert not hasattr(client, name), f"MeshAPI must not offer {name}"
    admin = MeshAPIAdmin(base_url="https://api.meshapi.ai", token="mak_x")
    assert not hasattr(admin, "chat")


@pytest.mark.parametrize("cls", [MeshAPIAdmin, AsyncMeshAPIAdmin])
def test_a_control_plane_client_refuses_a_data_plane_key_at_once(cls: Any) -> None:
    secret = "rsk_01SECRETSECRETSECRET"
    with pytest.raises(WrongRealmError) as refused:
        cls(base_url="https://api.meshapi.ai", token=secret)
    assert "MeshAPI" in refused.value.message and "admin key (mak_...)" in refused.value.message
    assert secret not in str(refused.value) and refused.value.__context__ is None
    with pytest.raises(WrongRealmError):
        cls(base_url="https://api.meshapi.ai", token="opaque", credential="data")
    cls(base_url="https://api.meshapi.ai", token="opaque", credential="dashboard")
    for named in ("admin", "dashboard"):  # naming it otherwise does not make it another key
        with pytest.raises(InvalidArgumentError) as contradicted:
            cls(base_url="https://api.meshapi.ai", token=secret, credential=named)
        assert contradicted.value.param == "credential"
        assert secret not in str(contradicted.value)


def test_a_data_plane_key_never_reaches_the_control_plane_by_any_setting() -> None:
    gateway = Gateway()
    attempts = [
        {"token": gateway.token, "credential": "admin"},
        {"token": f"Bearer {gateway.token}"},
        {"token": gateway.admin_token, "default_headers": {"Authorization": gateway.token}},
        {"token": gateway.admin_token, "default_headers": {"x-api-key": gateway.token}},
    ]
    for settings in attempts:
        transport = InProcessTransport(gateway)
        with pytest.raises(InvalidArgumentError):
            MeshAPIAdmin(base_url="http://127.0.0.1", transport=transport, **settings)
    transport = InProcessTransport(gateway)
    admin = MeshAPIAdmin(
        base_url="http://127.0.0.1", token=gateway.admin_token, transport=transport
    )
    with pytest.raises(InvalidArgumentError) as refused:
        admin.keys.list(extra_headers={"AUTHORIZATION": f"Bearer {gateway.token}"})
    assert refused.value.param == "extra_headers"
    with pytest.raises(InvalidArgumentError) as refused:
        admin.with_options(headers={"Authorization": f"Bearer {gateway.token}"})
    assert refused.value.param == "headers"
    assert gateway.requests == []
    admin.keys.list()
    assert [r.headers["authorization"] for r in gateway.requests] == [
        f"Bearer {gateway.admin_token}"
    ]


def test_the_admin_client_reads_its_token_from_meshapi_admin_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MESHAPI_ADMIN_KEY", raising=False)
    monkeypatch.setenv("MESHAPI_TOKEN", "rsk_data_key")
    with pytest.raises(MeshAPIError, match="MESHAPI_ADMIN_KEY"):
        MeshAPIAdmin(base_url="https://api.meshapi.ai")
    monkeypatch.setenv("MESHAPI_ADMIN_KEY", "mak_from_env")
    assert MeshAPIAdmin(base_url="https://api.meshapi.ai").config.token == "mak_from_env"


# -- the emulator refuses the same calls, with the gateway's envelope ---------------------------


def route_for(endpoint: Endpoint[Any, Any]) -> Any:
    path = filled(endpoint)
    for candidate in ROUTES:
        if candidate.method == endpoint.method and candidate.pattern.match(path):
            return candidate
    raise AssertionError(f"the emulator has no route for {endpoint.method} {path}")


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_the_emulator_declares_the_same_realms(name: str) -> None:
    endpoint = ENDPOINTS[name]
    realms: FrozenSet[str] = frozenset(REALM_OF[c] for c in endpoint.realms)
    assert route_for(endpoint).realms == realms


GATEWAY = Gateway(seed=3)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_the_emulator_answers_wrong_realms_with_403_and_bad_tokens_with_401(name: str) -> None:
    endpoint = ENDPOINTS[name]
    path = filled(endpoint)
    body = b"{}" if endpoint.method in ("POST", "PATCH") else b""
    tokens = {
        "dp": GATEWAY.token,
        "jwt": GATEWAY.jwt,
        "mak": GATEWAY.admin_token,
    }
    needed = {REALM_OF[c] for c in endpoint.realms}
    for realm, token in tokens.items():
        headers = (("Authorization", f"Bearer {token}"),)
        plan = GATEWAY.handle(GatewayRequest(endpoint.method, path, headers, body))
        data = plan.read_body()
        if realm in needed:
            assert b"This endpoint requires" not in data, (realm, data)
            continue
        payload = json.loads(data)
        message = payload["error"]["message"]
        assert plan.status == 403 and payload["error"]["code"] == "forbidden"
        assert payload["request_id"] == plan.header("x-request-id")
        assert REALM_NAMES[realm] in message
        assert all(REALM_NAMES[r] in message for r in needed)
    for headers in ((), (("Authorization", "Bearer rsk_unknown"),)):
        plan = GATEWAY.handle(GatewayRequest(endpoint.method, path, headers, body))
        assert plan.status == 401
        assert json.loads(plan.read_body())["error"]["code"] == "unauthorized"
    suspended = (("Authorization", f"Bearer {GATEWAY.suspended_token}"),)
    plan = GATEWAY.handle(GatewayRequest(endpoint.method, path, suspended, body))
    assert plan.status == 403


def test_control_route_modules_are_in_the_table() -> None:
    for module in ("keys", "orgs", "usage", "memories", "provider_keys"):
        declared = importlib.import_module(f"meshapi.testing._routes.{module}").ROUTES
        assert declared and all(route in ROUTES for route in declared)
