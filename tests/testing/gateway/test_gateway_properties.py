"""Property tests: whatever arrives, the gateway answers with a well-formed plan."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from meshapi.testing import FakeClock, Gateway, GatewayRequest, Write, faults

GATEWAY = Gateway(clock=FakeClock(), seed=1)

methods = st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "X"])
paths = st.one_of(
    st.sampled_from(
        [
            "/v1/chat/completions",
            "/v1/models",
            "/v1/models/mesh/echo",
            "/v1/templates",
            "/v1/templates/abc",
            "/v1/keys",
            "/v1/api-versions",
        ]
    ),
    st.text(min_size=1, max_size=40).map(lambda s: "/" + s),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
chat_like = st.fixed_dictionaries(
    {
        "messages": st.lists(
            st.fixed_dictionaries(
                {
                    "role": st.sampled_from(["user", "system", "assistant", "robot"]),
                    "content": json_values,
                }
            ),
            max_size=3,
        )
    },
    optional={
        "model": json_values | st.sampled_from(["mesh/echo", "auto", "x/y"]),
        "stream": json_values,
        "temperature": json_values,
        "max_tokens": json_values,
        "template": json_values,
        "variables": json_values,
        "tools": json_values,
        "seed": json_values,
    },
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    chat_like.map(lambda v: json.dumps(v).encode()),
)
auth = st.sampled_from([None, "token", "jwt", "admin_token", "suspended_token", "garbage"])
versions = st.sampled_from([None, "2026-08", "2026-09", "2026-10", "junk"])


@settings(deadline=None)
@given(methods, paths, bodies, auth, versions)
def test_any_request_gets_a_well_formed_answer(
    method: str, path: str, body: bytes, credential: object, version: object
) -> None:
    headers = []
    if credential is not None:
        token = getattr(GATEWAY, str(credential), "rsk_garbage")
        headers.append(("Authorization", f"Bearer {token}"))
    if version is not None:
        headers.append(("X-Mesh-Version", str(version)))
    plan = GATEWAY.handle(GatewayRequest(method, path, tuple(headers), body))
    assert 200 <= plan.status < 600
    assert (plan.header("x-request-id") or "").startswith("req_")
    assert plan.header("x-mesh-version") in ("2026-08", "2026-09")
    data = b"".join(step.data for step in plan.body if isinstance(step, Write))
    if plan.status >= 400:
        error = json.loads(data)
        assert error["request_id"] == plan.header("x-request-id")
        assert isinstance(error["error"]["code"], str)
    if not plan.streaming and plan.status != 204:
        assert plan.header("content-length") == str(len(data))


@settings(deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                faults.Drop(after_events=2),
                faults.Reset(after_bytes=7),
                faults.Stall(after_events=0),
                faults.SplitWrites(3),
                faults.Ping(),
                faults.Malformed(event=1),
                faults.ErrorFrame(),
                faults.Delay(body=1, between_events=1),
                faults.Status(503),
                faults.InbandError(),
            ]
        ),
        min_size=1,
        max_size=4,
    ),
    st.booleans(),
)
def test_any_fault_combination_yields_a_plan(chosen: list, stream: bool) -> None:  # type: ignore[type-arg]
    GATEWAY.inject(*chosen)
    body = json.dumps(
        {"model": "mesh/echo", "stream": stream, "messages": [{"role": "user", "content": "a b c"}]}
    ).encode()
    plan = GATEWAY.handle(
        GatewayRequest(
            "POST", "/v1/chat/completions", (("Authorization", f"Bearer {GATEWAY.token}"),), body
        )
    )
    steps = list(plan.prelude) + list(plan.body)
    assert plan.status in (200, 503)
    assert all(step is not None for step in steps)
