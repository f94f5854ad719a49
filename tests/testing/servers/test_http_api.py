"""The documented HTTP API over real sockets, with raw httpx."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List

import httpx
import pytest

from meshapi.testing import FakeClock, Gateway, GatewayServer
from meshapi.testing.pytest_plugin import GatewayFixture

from .._helpers import bearer, chat_body, sse_data

REQUEST_ID = re.compile(r"^req_[0-9A-HJKMNP-TV-Z]{26}$")


def check_envelope(response: httpx.Response, status: int, code: str) -> Dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "request_id"}
    assert body["error"]["code"] == code and isinstance(body["error"]["message"], str)
    assert body["request_id"] == response.headers["x-request-id"]
    assert REQUEST_ID.match(body["request_id"])
    return body  # type: ignore[no-any-return]


# -- auth realms -------------------------------------------------------------------------


def test_missing_and_unknown_credentials_are_401(meshapi_gateway: GatewayFixture) -> None:
    url = meshapi_gateway.url("/v1/chat/completions")
    for headers in (
        {},
        bearer("rsk_unknown"),
        {"Authorization": "Basic abc"},
        bearer("a.b.c"),
        {"Authorization": "Bearer"},
    ):
        check_envelope(httpx.post(url, json=chat_body(), headers=headers), 401, "unauthorized")


def test_suspended_key_is_403(meshapi_gateway: GatewayFixture) -> None:
    response = httpx.get(
        meshapi_gateway.url("/v1/models"), headers=bearer(meshapi_gateway.suspended_token)
    )
    check_envelope(response, 403, "forbidden")


def test_wrong_realm_is_403_naming_the_realm(meshapi_gateway: GatewayFixture) -> None:
    url = meshapi_gateway.url("/v1/chat/completions")
    body = check_envelope(
        httpx.post(url, json=chat_body(), headers=bearer(meshapi_gateway.admin_token)),
        403,
        "forbidden",
    )
    assert "data-plane key" in body["error"]["message"]
    assert "admin key" in body["error"]["message"]
    body = check_envelope(
        httpx.post(url, json=chat_body(), headers=bearer(meshapi_gateway.jwt)), 403, "forbidden"
    )
    assert "JWT" in body["error"]["message"]
    check_envelope(
        httpx.get(meshapi_gateway.url("/v1/keys"), headers=bearer(meshapi_gateway.token)),
        403,
        "forbidden",
    )


def test_models_and_templates_accept_dp_or_jwt(meshapi_gateway: GatewayFixture) -> None:
    for token in (meshapi_gateway.token, meshapi_gateway.jwt, meshapi_gateway.gateway.issue_jwt()):
        for path in ("/v1/models", "/v1/templates"):
            assert httpx.get(meshapi_gateway.url(path), headers=bearer(token)).status_code == 200
    response = httpx.get(
        meshapi_gateway.url("/v1/models"), headers=bearer(meshapi_gateway.admin_token)
    )
    check_envelope(response, 403, "forbidden")


def test_admin_key_manages_keys(meshapi_gateway: GatewayFixture) -> None:
    admin = bearer(meshapi_gateway.admin_token)
    created = httpx.post(
        meshapi_gateway.url("/v1/keys"), headers=admin, json={"name": "ci", "rpm_limit": 5}
    )
    assert created.status_code == 201
    new_key = created.json()["key"]
    assert new_key.startswith("rsk_")
    assert httpx.get(meshapi_gateway.url("/v1/models"), headers=bearer(new_key)).status_code == 200
    listed = httpx.get(meshapi_gateway.url("/v1/keys"), headers=admin).json()["data"]
    assert any(k["id"] == created.json()["id"] and "key" not in k for k in listed)
    check_envelope(
        httpx.post(meshapi_gateway.url("/v1/keys"), headers=admin, json={"rpm_limit": 5000}),
        422,
        "validation_error",
    )
    deleted = httpx.delete(meshapi_gateway.url(f"/v1/keys/{created.json()['id']}"), headers=admin)
    assert deleted.json()["status"] == "suspended"
    check_envelope(
        httpx.get(meshapi_gateway.url("/v1/models"), headers=bearer(new_key)), 403, "forbidden"
    )


# -- versions ----------------------------------------------------------------------------


def test_versions(client: httpx.Client) -> None:
    assert client.get("/v1/models").headers["x-mesh-version"] == "2026-08"
    response = client.get("/v1/models", headers={"X-Mesh-Version": "2026-09"})
    assert response.headers["x-mesh-version"] == "2026-09"
    for bad in ("2026-9", "2099-01", "2026-08,2026-09"):
        check_envelope(
            client.get("/v1/models", headers={"X-Mesh-Version": bad}), 400, "invalid_api_version"
        )
    duplicated = client.get(
        "/v1/models", headers=[("X-Mesh-Version", "2026-08"), ("X-Mesh-Version", "2026-08")]
    )
    check_envelope(duplicated, 400, "invalid_api_version")


def test_bad_version_wins_over_bad_auth(meshapi_gateway: GatewayFixture) -> None:
    response = httpx.get(meshapi_gateway.url("/v1/models"), headers={"X-Mesh-Version": "x"})
    check_envelope(response, 400, "invalid_api_version")


def test_api_versions_listing(client: httpx.Client) -> None:
    body = client.get("/v1/api-versions").json()
    assert [v["label"] for v in body["versions"]] == ["2026-07", "2026-08", "2026-09"]
    assert [v["status"] for v in body["versions"]] == ["deprecated", "ga", "ga"]
    assert body["versions"][0]["sunset_on"] == "2027-03-01"
    assert body["baseline"] == "2026-08" and body["latest"] == "2026-09"


# -- routing -----------------------------------------------------------------------------


def test_unknown_route_and_wrong_method(client: httpx.Client) -> None:
    check_envelope(client.get("/v1/nothing/here"), 404, "not_found")
    check_envelope(client.get("/"), 404, "not_found")
    response = client.put("/v1/chat/completions", json={})
    check_envelope(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"


# -- rate limits -------------------------------------------------------------------------


def test_rate_limit_over_http() -> None:
    clock = FakeClock(1_800_000_050.0)
    gateway = Gateway(clock=clock)
    token = gateway.add_key(rpm_limit=3)
    with (
        GatewayServer(gateway).run_in_thread() as base_url,
        httpx.Client(base_url=base_url, headers=bearer(token)) as http,
    ):
        statuses = [
            http.post("/v1/chat/completions", json=chat_body()).status_code for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        response = http.post("/v1/chat/completions", json=chat_body())
        body = check_envelope(response, 429, "rate_limit_exceeded")
        assert response.headers["retry-after"] == "10"
        assert body["error"]["retry_after_seconds"] == 10
        clock.advance(10)
        assert http.post("/v1/chat/completions", json=chat_body()).status_code == 200


# -- models ------------------------------------------------------------------------------


def test_models_catalog(client: httpx.Client) -> None:
    models = client.get("/v1/models").json()
    assert isinstance(models, list)
    ids = {m["id"] for m in models}
    assert {"openai/gpt-4o-mini", "anthropic/claude-haiku-4.5", "mesh/echo"} <= ids
    for model in models:
        for field in (
            "id",
            "name",
            "context_length",
            "is_free",
            "pricing",
            "provider",
            "model_type",
            "supports_tools",
            "composite_models",
        ):
            assert field in model
        for name, value in model["pricing"].items():
            if name != "pricing_unit":  # "per_1m_tokens", "per_second"...
                assert value is None or (isinstance(value, str) and float(value) >= 0)
    assert client.get("/v1/models/free").json() == [m for m in models if m["is_free"]]
    assert client.get("/v1/models/paid").json() == [m for m in models if not m["is_free"]]
    assert {m["id"] for m in client.get("/v1/models", params={"free": "true"}).json()} == {
        "mesh/echo",
        "meta-llama/llama-3.3-70b-instruct:free",
    }
    assert {
        m["model_type"] for m in client.get("/v1/models", params={"type": "embedding"}).json()
    } == {"embedding"}
    assert {
        m["provider"] for m in client.get("/v1/models", params={"provider": "vertex"}).json()
    } == {"vertex"}
    check_envelope(client.get("/v1/models", params={"free": "maybe"}), 422, "validation_error")
    check_envelope(client.get("/v1/models", params={"type": "smell"}), 422, "validation_error")


def test_model_by_id_with_slash(client: httpx.Client) -> None:
    model = client.get("/v1/models/anthropic/claude-haiku-4.5").json()
    assert model["id"] == "anthropic/claude-haiku-4.5"
    assert model["pricing"]["prompt_usd_per_1m"] == "1"
    assert model["pricing"]["prompt_usd_per_1k"] == "0.001"
    assert client.get("/v1/models/openai%2Fgpt-4o-mini").json()["id"] == "openai/gpt-4o-mini"
    check_envelope(client.get("/v1/models/nope/nothing"), 404, "model_not_found")


# -- chat completions --------------------------------------------------------------------


def test_chat_json_shape(client: httpx.Client) -> None:
    response = client.post(
        "/v1/chat/completions", json=chat_body("What is 12*3?", model="openai/gpt-4o-mini")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    body = response.json()
    assert list(body) == ["id", "object", "created", "model", "choices", "usage"]
    assert body["id"].startswith("chatcmpl-") and body["object"] == "chat.completion"
    assert isinstance(body["created"], int) and body["model"] == "openai/gpt-4o-mini"
    assert body["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "12 * 3 = 36."},
            "finish_reason": "stop",
        }
    ]
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens_details"] == {"cached_tokens": 0}


def test_echo_and_seed_determinism(client: httpx.Client) -> None:
    def reply(**extra: Any) -> str:
        body = client.post("/v1/chat/completions", json=chat_body(**extra)).json()
        return str(body["choices"][0]["message"]["content"])

    assert reply() == "hello"
    parts = [{"type": "text", "text": "multi"}, {"type": "text", "text": "part"}]
    assert reply(messages=[{"role": "user", "content": parts}]) == "multipart"
    a = reply(model="anthropic/claude-haiku-4.5", seed=1)
    assert a == reply(model="anthropic/claude-haiku-4.5", seed=1)
    assert {reply(model="anthropic/claude-haiku-4.5", seed=s) for s in range(5)} != {a}


def test_max_tokens_truncates_with_length(client: httpx.Client) -> None:
    body = client.post(
        "/v1/chat/completions", json=chat_body("one two three four", max_tokens=2)
    ).json()
    assert body["choices"][0]["message"]["content"] == "one two"
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 2


def test_chat_validation(client: httpx.Client) -> None:
    def problems(body: Any) -> List[Dict[str, Any]]:
        response = client.post("/v1/chat/completions", json=body)
        details: List[Dict[str, Any]] = check_envelope(response, 422, "validation_error")["error"][
            "details"
        ]
        return details

    assert problems({"model": "mesh/echo"}) == [
        {"type": "missing", "loc": ["body", "messages"], "msg": "Field required"}
    ]
    assert problems(chat_body(temperature=2.5))[0]["loc"] == ["body", "temperature"]
    assert problems(chat_body(temperature="0.5"))[0]["type"] == "float_type"
    assert problems(chat_body(max_tokens=0))[0]["type"] == "greater_than_equal"
    assert problems(chat_body(max_tokens=1.5))[0]["type"] == "int_from_float"
    assert problems(chat_body(stream="yes"))[0]["type"] == "bool_type"
    assert problems(chat_body(top_p=-1))[0]["loc"] == ["body", "top_p"]
    assert problems(chat_body(user="u" * 257))[0]["type"] == "string_too_long"
    assert problems({"messages": []})[0]["type"] == "too_short"
    assert problems({"messages": [{"content": "x"}]})[0]["loc"] == ["body", "messages", 0, "role"]
    assert problems({"messages": [{"role": "robot"}]})[0]["type"] == "literal_error"
    assert problems([1, 2])[0]["type"] == "model_attributes_type"
    assert len(problems({"messages": "x", "temperature": 9})) == 2
    every = problems(chat_body(tools=[{"type": "function", "function": {}}]))
    assert every[0]["loc"] == ["body", "tools", 0, "function", "name"]


def test_invalid_json_and_empty_body(client: httpx.Client) -> None:
    response = client.post(
        "/v1/chat/completions",
        content=b'{"messages": [',
        headers={"content-type": "application/json"},
    )
    details = check_envelope(response, 422, "validation_error")["error"]["details"]
    assert details == [{"type": "json_invalid", "loc": ["body", 14], "msg": "JSON decode error"}]
    response = client.post("/v1/chat/completions", content=b"\xff\xfe")
    assert check_envelope(response, 422, "validation_error")["error"]["details"][0]["type"] == (
        "json_invalid"
    )
    response = client.post("/v1/chat/completions", content=b"")
    assert check_envelope(response, 422, "validation_error")["error"]["details"] == [
        {"type": "missing", "loc": ["body"], "msg": "Field required"}
    ]


def test_unknown_fields_are_ignored_and_recorded(
    meshapi_gateway: GatewayFixture, client: httpx.Client
) -> None:
    response = client.post("/v1/chat/completions", json=chat_body(future_field={"x": 1}))
    assert response.status_code == 200
    entry = meshapi_gateway.gateway.wait_for_request("/v1/chat/completions")
    assert entry.unknown_fields == ("future_field",)


def test_model_resolution(meshapi_gateway: GatewayFixture) -> None:
    gateway = meshapi_gateway.gateway
    url = meshapi_gateway.url("/v1/chat/completions")
    check_envelope(
        httpx.post(url, json=chat_body(model=None), headers=bearer(gateway.token)),
        400,
        "bad_request",
    )
    keyed = gateway.add_key(default_model="anthropic/claude-haiku-4.5")
    assert (
        httpx.post(url, json=chat_body(model=None), headers=bearer(keyed)).json()["model"]
        == "anthropic/claude-haiku-4.5"
    )
    gateway.add_template("t", model="openai/gpt-4o-mini")
    via_template = httpx.post(
        url, json=chat_body(model=None, template="t"), headers=bearer(gateway.token)
    ).json()
    assert via_template["model"] == "openai/gpt-4o-mini"
    key_beats_template = httpx.post(
        url, json=chat_body(model=None, template="t"), headers=bearer(keyed)
    ).json()
    assert key_beats_template["model"] == "anthropic/claude-haiku-4.5"
    check_envelope(
        httpx.post(url, json=chat_body(model="x/unknown"), headers=bearer(gateway.token)),
        404,
        "model_not_found",
    )
    check_envelope(
        httpx.post(
            url,
            json=chat_body(model="openai/text-embedding-3-small"),
            headers=bearer(gateway.token),
        ),
        400,
        "model_capability_not_supported",
    )
    limited = gateway.add_key(allowed_models=["mesh/echo"])
    check_envelope(
        httpx.post(url, json=chat_body(model="openai/gpt-4o-mini"), headers=bearer(limited)),
        403,
        "forbidden",
    )
    auto = httpx.post(url, json=chat_body(model="auto"), headers=bearer(gateway.token)).json()
    assert auto["x_resolved_model_id"] == auto["model"] == "openai/gpt-4o-mini"


def expected_stream(
    completion_id: str,
    created: int,
    model: str,
    deltas: list,  # type: ignore[type-arg]
    finish: str,
    usage: Dict[str, Any],
) -> bytes:
    def frame(obj: Dict[str, Any]) -> bytes:
        return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"

    head = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
    }
    out = b""
    for delta in deltas:
        out += frame({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    out += frame({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
    out += frame({**head, "choices": [], "usage": usage})
    return out + b"data: [DONE]\n\n"


def test_chat_stream_is_byte_exact(client: httpx.Client) -> None:
    with client.stream(
        "POST", "/v1/chat/completions", json=chat_body("Hi there, friend", stream=True)
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in response.headers
        assert REQUEST_ID.match(response.headers["x-request-id"])
        body = response.read()
    first = json.loads(sse_data(body)[0])
    usage = json.loads(sse_data(body)[-2])["usage"]
    assert usage == {
        "prompt_tokens": 4,
        "completion_tokens": 3,
        "total_tokens": 7,
        "prompt_tokens_details": {"cached_tokens": 0},
    }
    assert body == expected_stream(
        first["id"],
        first["created"],
        "mesh/echo",
        [{"role": "assistant", "content": "Hi"}, {"content": " there,"}, {"content": " friend"}],
        "stop",
        usage,
    )


def test_tool_call_stream(meshapi_gateway: GatewayFixture, client: httpx.Client) -> None:
    gateway = meshapi_gateway.gateway
    gateway.script_tool_call("get_weather", {"city": "Paris"}, call_id="call_1")
    tools = [
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    ]
    no_tools = client.post("/v1/chat/completions", json=chat_body("plain")).json()
    assert no_tools["choices"][0]["message"]["content"] == "plain"  # the script waits
    body = client.post(
        "/v1/chat/completions", json=chat_body("weather?", stream=True, tools=tools)
    ).content
    first = json.loads(sse_data(body)[0])
    usage = json.loads(sse_data(body)[-2])["usage"]
    assert body == expected_stream(
        first["id"],
        first["created"],
        "mesh/echo",
        [
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": ""},
                    }
                ],
            },
            {"tool_calls": [{"index": 0, "function": {"arguments": '{"city'}}]},
            {"tool_calls": [{"index": 0, "function": {"arguments": '":"Pa'}}]},
            {"tool_calls": [{"index": 0, "function": {"arguments": 'ris"}'}}]},
        ],
        "tool_calls",
        usage,
    )
    gateway.script_tool_call("lookup", '{"q":1}')
    message = client.post("/v1/chat/completions", json=chat_body("x", tools=tools)).json()[
        "choices"
    ][0]
    assert message["finish_reason"] == "tool_calls"
    assert message["message"]["content"] is None
    call = message["message"]["tool_calls"][0]
    assert call["id"].startswith("call_") and call["function"] == {
        "name": "lookup",
        "arguments": '{"q":1}',
    }


def test_scripted_replies_and_chunks(meshapi_gateway: GatewayFixture, client: httpx.Client) -> None:
    gateway = meshapi_gateway.gateway
    gateway.script_reply("only for claude", model="anthropic/claude-haiku-4.5")
    gateway.script_reply("abcdef", chunks=3)
    gateway.script_reply(chunks=20_000)
    claude = client.post(
        "/v1/chat/completions", json=chat_body(model="anthropic/claude-haiku-4.5")
    ).json()
    assert claude["choices"][0]["message"]["content"] == "only for claude"
    body = client.post("/v1/chat/completions", json=chat_body(stream=True)).content
    deltas = [json.loads(d)["choices"][0]["delta"].get("content") for d in sse_data(body)[:-3]]
    assert deltas == ["ab", "cd", "ef"]
    with client.stream("POST", "/v1/chat/completions", json=chat_body(stream=True)) as stream:
        events = sum(1 for line in stream.iter_lines() if line.startswith("data: "))
    assert events == 20_000 + 3


def test_templates_crud(client: httpx.Client) -> None:
    created = client.post(
        "/v1/templates",
        json={
            "name": "greeter",
            "system": "You greet {{ name }}.",
            "model": "mesh/echo",
            "messages": [{"role": "user", "content": "Say hi to {{name}}"}],
            "params": {"temperature": 0.2},
            "variables": ["name"],
        },
    )
    assert created.status_code == 201
    template = created.json()
    for field in (
        "id",
        "name",
        "owner",
        "org_id",
        "team_id",
        "is_global",
        "description",
        "system",
        "messages",
        "model",
        "params",
        "variables",
        "creator_name",
        "creator_email",
        "created_at",
        "updated_at",
    ):
        assert field in template
    check_envelope(client.post("/v1/templates", json={"name": "greeter"}), 409, "conflict")
    check_envelope(client.post("/v1/templates", json={"system": "x"}), 422, "validation_error")
    assert client.get("/v1/templates").json() == [template]
    assert client.get(f"/v1/templates/{template['id']}").json() == template
    patched = client.patch(f"/v1/templates/{template['id']}", json={"description": "d"}).json()
    assert patched["description"] == "d" and patched["system"] == template["system"]
    client.post("/v1/templates", json={"name": "other"})
    check_envelope(
        client.patch(f"/v1/templates/{template['id']}", json={"name": "other"}), 409, "conflict"
    )
    deleted = client.delete(f"/v1/templates/{template['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert "content-length" not in deleted.headers
    check_envelope(client.get(f"/v1/templates/{template['id']}"), 404, "not_found")
    check_envelope(client.delete(f"/v1/templates/{template['id']}"), 404, "not_found")


def test_global_templates_are_read_only(
    meshapi_gateway: GatewayFixture, client: httpx.Client
) -> None:
    shared = meshapi_gateway.gateway.add_template("shared", system="S", is_global=True)
    assert client.get(f"/v1/templates/{shared['id']}").status_code == 200
    check_envelope(
        client.patch(f"/v1/templates/{shared['id']}", json={"system": "x"}), 403, "forbidden"
    )
    check_envelope(client.delete(f"/v1/templates/{shared['id']}"), 403, "forbidden")


def test_template_rendering_in_chat(meshapi_gateway: GatewayFixture, client: httpx.Client) -> None:
    template = client.post(
        "/v1/templates",
        json={
            "name": "t",
            "system": "Talk like {{ style }}.",
            "messages": [{"role": "user", "content": "Topic: {{topic}}"}],
        },
    ).json()
    response = client.post(
        "/v1/chat/completions",
        json=chat_body(
            "go", template="t", variables={"style": "a pirate", "topic": "ships", "extra": "x"}
        ),
    )
    assert response.status_code == 200
    entry = meshapi_gateway.gateway.last_request
    assert entry is not None and entry.messages == [
        {"role": "system", "content": "Talk like a pirate."},
        {"role": "user", "content": "Topic: ships"},
        {"role": "user", "content": "go"},
    ]
    by_id = client.post(
        "/v1/chat/completions",
        json=chat_body("go", template=template["id"], variables={"style": "s", "topic": "t"}),
    )
    assert by_id.status_code == 200
    missing = client.post(
        "/v1/chat/completions", json=chat_body(template="t", variables={"style": "x"})
    )
    details = check_envelope(missing, 422, "validation_error")["error"]["details"]
    assert details[0]["loc"] == ["body", "variables", "topic"]
    check_envelope(
        client.post("/v1/chat/completions", json=chat_body(template="nope")), 404, "not_found"
    )


@pytest.mark.parametrize("path", ["/v1/models", "/v1/templates"])
def test_keep_alive_reuses_one_connection(meshapi_gateway: GatewayFixture, path: str) -> None:
    with httpx.Client(
        base_url=meshapi_gateway.base_url, headers=bearer(meshapi_gateway.token)
    ) as http:
        for _ in range(5):
            assert http.get(path).status_code == 200
        assert meshapi_gateway.server.accepted_connections == 1
