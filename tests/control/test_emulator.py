"""The emulated control plane as the gateway behaves: the gateway's answers to what the SDK
would refuse, lifetimes on the emulator's clock, live counters, faults on control routes, and
a well-formed answer to anything."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from hypothesis import given, settings
from hypothesis import strategies as st

from meshapi import MeshAPI, MeshAPIAdmin
from meshapi.testing import FakeClock, Gateway, InProcessTransport, Write, faults
from meshapi.testing._routes.keys import ROUTES as KEY_ROUTES
from meshapi.testing._routes.memories import ROUTES as MEMORY_ROUTES
from meshapi.testing._routes.orgs import ROUTES as ORG_ROUTES
from meshapi.testing._routes.provider_keys import ROUTES as PROVIDER_ROUTES
from meshapi.testing._routes.usage import ROUTES as USAGE_ROUTES
from meshapi.testing.control import add_user
from tests.testing._helpers import gw_request


def call(gateway: Gateway, method: str, path: str, token: Optional[str], body: Any = None) -> Any:
    plan = gateway.handle(gw_request(method, path, token, body))
    data = plan.read_body()
    return plan.status, (json.loads(data) if data and data[:1] in b"[{" else data)


def test_the_gateway_answers_what_the_sdk_refuses_with_422() -> None:
    gateway = Gateway()
    jwt, admin = gateway.jwt, gateway.admin_token
    for body in ({"rpm_limit": 1001}, {"rpd_limit": 0}, {"api_version": "2030-01"},
                 {"spend_cap_usd": 5}, {"routing_policy_template_id": "tpl_1"}):  # fmt: skip
        status, reply = call(gateway, "POST", "/v1/keys", admin, body)
        assert (status, reply["error"]["code"]) == (422, "validation_error"), body
    status, reply = call(
        gateway, "POST", "/v1/admin-keys", jwt, {"permissions": ["alerts:read"], "scope": "team"}
    )
    assert status == 422 and "scope 'org'" in reply["error"]["details"][0]["msg"]
    status, _ = call(
        gateway,
        "POST",
        "/v1/admin-keys",
        jwt,
        {"permissions": ["keys:read"], "expires_at": "2999-01-01T00:00:00Z"},
    )
    assert status == 422
    status, reply = call(gateway, "POST", "/v1/keys", admin, {"org_id": "org_elsewhere"})
    assert (status, reply["error"]["code"]) == (403, "forbidden")
    status, _ = call(gateway, "POST", "/v1/usage", gateway.token, {})  # org_id is required
    assert status == 422
    status, _ = call(gateway, "POST", "/v1/provider-keys/acme", admin, {"api_key": "x"})
    assert status == 422
    status, _ = call(gateway, "POST", "/v1/auto-recharge/setup", jwt, {"amount_usd": "500"})
    assert status == 422
    status, _ = call(gateway, "POST", "/v1/orgs", jwt, {"name": "A"})
    status, reply = call(
        gateway, "POST", "/v1/orgs/current/members", jwt, {"email": "a@b.c", "role": "owner"}
    )
    assert status == 422  # an owner only comes by transfer


def test_a_rotated_admin_key_works_through_its_grace_then_stops() -> None:
    clock = FakeClock()
    gateway = Gateway(clock=clock)
    status, created = call(
        gateway, "POST", "/v1/admin-keys", gateway.jwt, {"permissions": ["keys:read"]}
    )
    assert status == 201
    status, successor = call(
        gateway, "POST", f"/v1/admin-keys/{created['id']}/rotate", gateway.jwt, {"grace_hours": 1}
    )
    assert status == 200 and successor["expires_at"] == created["expires_at"]
    for token in (created["key"], successor["key"]):
        assert call(gateway, "GET", "/v1/keys", token)[0] == 200
    clock.advance(3601)
    assert call(gateway, "GET", "/v1/keys", created["key"])[0] == 401
    assert call(gateway, "GET", "/v1/keys", successor["key"])[0] == 200
    clock.advance(90 * 86_400)
    assert call(gateway, "GET", "/v1/keys", successor["key"])[0] == 401  # the 90-day lifetime


def test_an_invitation_expires_after_72_hours() -> None:
    clock = FakeClock()
    gateway = Gateway(clock=clock)
    ana = add_user(gateway, "ana@example.com")
    call(gateway, "POST", "/v1/orgs", gateway.jwt, {"name": "Acme"})
    _, invitation = call(
        gateway, "POST", "/v1/orgs/current/members", gateway.jwt,
        {"email": "ana@example.com", "role": "member"},
    )  # fmt: skip
    clock.advance(72 * 3600)
    status, _ = call(gateway, "POST", f"/v1/invitations/{invitation['token']}/accept", ana)
    assert status == 422
    assert call(gateway, "GET", "/v1/orgs/current/invitations", gateway.jwt)[1]["data"] == []
    _, checked = call(gateway, "GET", f"/v1/invitations/{invitation['token']}", ana)
    assert checked["status"] == "expired"


def test_only_owners_and_admins_invite_and_only_the_owner_transfers() -> None:
    gateway = Gateway()
    bob = add_user(gateway, "bob@example.com")
    call(gateway, "POST", "/v1/orgs", gateway.jwt, {"name": "Acme"})
    _, invite = call(
        gateway, "POST", "/v1/orgs/current/members", gateway.jwt,
        {"email": "bob@example.com", "role": "member"},
    )  # fmt: skip
    assert call(gateway, "POST", f"/v1/invitations/{invite['token']}/accept", bob)[0] == 204
    status, _ = call(
        gateway, "POST", "/v1/orgs/current/members", bob, {"email": "c@d.e", "role": "member"}
    )
    assert status == 403
    status, _ = call(
        gateway, "POST", "/v1/orgs/current/transfer-ownership", bob, {"user_id": "usr_x"}
    )
    assert status == 403
    assert call(gateway, "POST", "/v1/orgs", bob, {"name": "Other"})[0] == 409


def test_rate_limit_counters_are_live() -> None:
    gateway = Gateway()
    token = gateway.add_key(rpm_limit=5)
    client = MeshAPI(
        base_url="http://127.0.0.1", token=token, transport=InProcessTransport(gateway)
    )
    client.models.list()
    client.models.list()
    rpm = client.usage.rate_limits().key.rpm
    assert (rpm.current, rpm.limit, rpm.pct, rpm.is_default_limit) == (3, 5, 60.0, False)


def test_faults_apply_to_control_routes() -> None:
    gateway = Gateway()
    admin = MeshAPIAdmin(
        base_url="http://127.0.0.1",
        token=gateway.admin_token,
        transport=InProcessTransport(gateway),
    )
    gateway.inject(faults.Status(503), route="/v1/keys", method="POST")
    created = admin.keys.create(name="retried")
    posts = [r for r in gateway.requests if r.method == "POST"]
    assert [r.status for r in posts] == [503, 201]
    assert posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    assert [k.name for k in admin.keys.list()].count("retried") == 1
    gateway.inject(faults.Status(502), route="/v1/usage/rate-limits")
    assert (
        MeshAPI(
            base_url="http://127.0.0.1", token=gateway.token, transport=InProcessTransport(gateway)
        )
        .usage.rate_limits()
        .key
        is not None
    )
    assert created.name == "retried"


ROUTES = [*KEY_ROUTES, *ORG_ROUTES, *USAGE_ROUTES, *MEMORY_ROUTES, *PROVIDER_ROUTES]
FUZZ = Gateway(clock=FakeClock(), seed=5)
add_user(FUZZ, "fuzz@example.com")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    ["name", "rpm_limit", "spend_cap_usd", "permissions", "scope", "expires_at", "grace_hours",
     "email", "role", "team_id", "user_id", "org_id", "since", "limit", "offset", "slug",
     "type", "content", "active", "api_key", "endpoint", "amount_usd", "allow_fallback",
     "service_account_json", "model_limits", "api_version"]
)  # fmt: skip
bodies = st.one_of(
    st.dictionaries(field_names, json_values, max_size=6).map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=40),
)


def concrete(pattern: str, value: str) -> str:
    import re

    return re.sub(r"\(\?P<\w+>[^)]*\)", value, pattern.strip("^$"))


TOKEN_OF = {"dp": FUZZ.token, "jwt": FUZZ.jwt, "mak": FUZZ.admin_token}


@settings(max_examples=400, deadline=None)
@given(
    st.data(),
    st.sampled_from(ROUTES),
    st.sampled_from(["x", "openai", "vertex", "key_1", "support", "mit_1"]),
    bodies,
    st.sampled_from(["", "?limit=0", "?limit=2&after=nope", "?granularity=day", "?reason=r"]),
)
def test_any_request_to_the_control_plane_gets_a_well_formed_answer(
    data: st.DataObject, route: Any, segment: str, body: bytes, query: str
) -> None:
    # Mostly a credential the route accepts, so the handlers themselves are exercised.
    realm = data.draw(st.sampled_from([*sorted(route.realms)] * 3 + ["dp", "jwt", "mak"]))
    token: Optional[str] = data.draw(st.sampled_from([TOKEN_OF[realm], TOKEN_OF[realm], None]))
    path = concrete(route.pattern.pattern, segment) + query
    plan = FUZZ.handle(gw_request(route.method, path, token, body))
    data_bytes = b"".join(step.data for step in plan.body if isinstance(step, Write))
    assert plan.status != 500, data_bytes
    if plan.status >= 400:
        error: Dict[str, Any] = json.loads(data_bytes)["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str)
