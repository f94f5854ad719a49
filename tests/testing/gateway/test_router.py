"""Route declarations: path templates, and a declared request body checked before the
handler runs."""

from __future__ import annotations

import json
from typing import List

import pytest

from meshapi.testing import GatewayRequest
from meshapi.testing._gateway.dispatcher import Gateway
from meshapi.testing._gateway.plan import ResponsePlan, json_plan
from meshapi.testing._gateway.router import Route, RouteContext, match
from meshapi.testing._gateway.validate import RequestSchema, integer, string
from meshapi.testing._routes import ROUTES


def test_templates_compile_once_and_path_params_span_slashes() -> None:
    route = Route("GET", "/v1/models/{model_id:path}", ["dp"], lambda ctx: json_plan(200, {}))
    found, params, _ = match([route], "GET", "/v1/models/openai/gpt-4o-mini")
    assert found is route and params == {"model_id": "openai/gpt-4o-mini"}
    one = Route("GET", "/v1/keys/{key_id}", ["jwt"], lambda ctx: json_plan(200, {}))
    assert match([one], "GET", "/v1/keys/a/b") == (None, {}, [])
    assert match([one], "POST", "/v1/keys/a") == (None, {}, ["GET"])


def test_a_declared_body_is_checked_before_the_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: List[object] = []

    def handler(ctx: RouteContext) -> ResponsePlan:
        seen.append(ctx.body)
        return json_plan(200, {"ok": True})

    body = RequestSchema({"name": string(min_length=1), "count": integer(ge=1)}, ("name",))
    route = Route("POST", "/v1/echo-body", ["dp"], handler, request=body)
    monkeypatch.setattr("meshapi.testing._gateway.dispatcher.ROUTES", (route, *ROUTES))
    gateway = Gateway()
    auth = (("authorization", f"Bearer {gateway.token}"),)

    bad = gateway.handle(GatewayRequest("POST", "/v1/echo-body", auth, b'{"count": 0}'))
    assert bad.status == 422 and not seen
    details = json.loads(bad.read_body())["error"]["details"]
    assert [(d["type"], d["loc"]) for d in details] == [
        ("missing", ["body", "name"]),
        ("greater_than_equal", ["body", "count"]),
    ]
    good = gateway.handle(GatewayRequest("POST", "/v1/echo-body", auth, b'{"name": "x"}'))
    assert good.status == 200 and seen == [{"name": "x"}]


def test_every_route_module_is_in_the_one_table() -> None:
    from meshapi.testing import _routes

    modules = [v for k, v in vars(_routes).items() if hasattr(v, "ROUTES") and k != "ROUTES"]
    assert len(modules) == 23
    assert sum(len(m.ROUTES) for m in modules) == len(ROUTES)
    assert ROUTES[0].path == "/v1/realtime"  # the WebSocket routes come first
