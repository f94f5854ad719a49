"""The facade's promises: construction, ownership, headers, stream objects, bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from meshapi import (
    AsyncMeshAPI,
    ChatCompletionParams,
    ChatMessage,
    InvalidArgumentError,
    MeshAPI,
    MeshAPIError,
)
from meshapi.testing import Gateway, InProcessTransport
from meshapi.testing.pytest_plugin import GatewayFixture

PARAMS = ChatCompletionParams(model="mesh/echo", messages=[ChatMessage(role="user", content="hi")])


def test_a_client_you_pass_in_is_never_closed(meshapi_gateway: GatewayFixture) -> None:
    with httpx.Client() as mine:
        client = MeshAPI(
            base_url=meshapi_gateway.base_url, token=meshapi_gateway.token, httpx_client=mine
        )
        assert client.chat.completions.create(PARAMS).choices[0].message.content == "hi"
        client.close()
        assert not mine.is_closed
        assert mine.get(meshapi_gateway.url("/v1/api-versions")).status_code in (200, 401)


def test_a_client_the_sdk_made_is_closed(meshapi_gateway: GatewayFixture) -> None:
    with MeshAPI(base_url=meshapi_gateway.base_url, token=meshapi_gateway.token) as client:
        client.chat.completions.create(PARAMS)
    assert meshapi_gateway.server.wait_for_open_connections(0)


def test_token_and_base_url_from_the_environment(
    meshapi_gateway: GatewayFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESHAPI_BASE_URL", meshapi_gateway.base_url + "/v1/")
    monkeypatch.setenv("MESHAPI_TOKEN", meshapi_gateway.token)
    with MeshAPI() as client:
        assert client.chat.completions.create(PARAMS).choices[0].message.content == "hi"


def test_no_token_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MESHAPI_TOKEN", raising=False)
    with pytest.raises(ValueError, match="MESHAPI_TOKEN"):
        MeshAPI()


def test_conflicting_arguments() -> None:
    with pytest.raises(TypeError, match="not both"):
        MeshAPI(token="rsk_x", httpx_client=httpx.Client(), transport=InProcessTransport(Gateway()))
    with pytest.raises(ValueError, match="transport must be"):
        AsyncMeshAPI(token="rsk_x", transport="requests")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="httpx_client needs"):
        AsyncMeshAPI(token="rsk_x", transport="aiohttp", httpx_client=httpx.AsyncClient())


def test_headers_the_client_sends(meshapi_gateway: GatewayFixture) -> None:
    with MeshAPI(
        base_url=meshapi_gateway.base_url,
        token=meshapi_gateway.token,
        api_version="2026-09",
        sdk_header=False,
        default_headers={"X-Team": "search"},
    ) as client:
        client.chat.completions.create(PARAMS)
        with client.chat.completions.stream(PARAMS) as stream:
            assert stream.headers["x-mesh-version"] == "2026-09"
    first, second = meshapi_gateway.gateway.requests
    for request in (first, second):
        assert request.headers["x-mesh-version"] == "2026-09"
        assert request.headers["x-team"] == "search"
        assert "x-meshapi-sdk" not in request.headers
    assert first.headers["idempotency-key"] != ""


def test_bad_api_version_is_refused_by_the_gateway_or_the_client(
    meshapi_gateway: GatewayFixture,
) -> None:
    with pytest.raises(ValueError, match="api_version"):
        MeshAPI(
            base_url=meshapi_gateway.base_url, token=meshapi_gateway.token, api_version="latest"
        )
    with (
        MeshAPI(
            base_url=meshapi_gateway.base_url, token=meshapi_gateway.token, api_version="2031-01"
        ) as client,
        pytest.raises(MeshAPIError) as info,
    ):
        client.chat.completions.create(PARAMS)
    assert info.value.error_code == "invalid_api_version"


def test_stream_object(meshapi_gateway: GatewayFixture) -> None:
    with MeshAPI(base_url=meshapi_gateway.base_url, token=meshapi_gateway.token) as client:
        stream = client.chat.completions.stream(PARAMS)
        assert stream.status == 0
        assert stream.request_id is None  # nothing sent yet
        assert meshapi_gateway.gateway.requests == []
        with stream:
            assert stream.status == 200
            assert stream.request_id == meshapi_gateway.gateway.last_request.request_id
            chunks = list(stream)
        assert stream.completed
        assert "".join(c.choices[0].delta.content for c in chunks if c.choices) == "hi"
        with pytest.raises(RuntimeError, match="closed"):
            list(stream)


def test_params_as_a_dict_and_bad_params(meshapi_gateway: GatewayFixture) -> None:
    with MeshAPI(base_url=meshapi_gateway.base_url, token=meshapi_gateway.token) as client:
        reply = client.chat.completions.create(
            {"model": "mesh/echo", "messages": [{"role": "user", "content": "yo"}]}
        )
        assert reply.choices[0].message.content == "yo"
        with pytest.raises(InvalidArgumentError, match="ChatCompletionParams"):
            client.chat.completions.create("hello")  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match=r"only call options .* not retries"):
            client.chat.completions.create(PARAMS, retries=2)  # type: ignore[call-arg]
        with pytest.raises(ValueError, match="max_retries"):
            client.chat.completions.create(PARAMS, max_retries=-1)
    assert len(meshapi_gateway.gateway.requests) == 1


def test_extra_body_reaches_the_gateway(meshapi_gateway: GatewayFixture) -> None:
    params = ChatCompletionParams(
        model="mesh/echo",
        messages=[ChatMessage(role="user", content="hi")],
        extra_body={"candidate_models": ["a"]},
    )
    with MeshAPI(base_url=meshapi_gateway.base_url, token=meshapi_gateway.token) as client:
        client.chat.completions.create(params)
    request = meshapi_gateway.gateway.last_request
    assert request.json["candidate_models"] == ["a"]
    assert request.unknown_fields == ("candidate_models",)


def test_models_catalog(meshapi_gateway: GatewayFixture) -> None:
    with MeshAPI(base_url=meshapi_gateway.base_url, token=meshapi_gateway.token) as client:
        everything = client.models.list()
        free = client.models.list(free=True)
        one = client.models.get("openai/gpt-4o-mini")
        with pytest.raises(MeshAPIError) as info:
            client.models.get("nobody/nothing")
    assert {m.id for m in free} < {m.id for m in everything}
    assert all(m.is_free for m in free)
    assert one.id == "openai/gpt-4o-mini"
    assert one.pricing is not None
    assert info.value.status == 404
    assert meshapi_gateway.gateway.requests[1].query == {"free": ["true"]}


def test_admin_key_is_refused_before_sending(meshapi_gateway: GatewayFixture) -> None:
    with MeshAPI(base_url=meshapi_gateway.base_url, token=meshapi_gateway.admin_token) as client:
        with pytest.raises(MeshAPIError) as chat:
            client.chat.completions.create(PARAMS)
        with pytest.raises(MeshAPIError) as models:
            client.models.list()
    assert chat.value.error_code == models.value.error_code == "wrong_realm"
    assert "a data-plane key (rsk_...)" in chat.value.message
    assert meshapi_gateway.admin_token not in str(chat.value)
    assert meshapi_gateway.gateway.requests == []


def test_a_dashboard_jwt_reads_the_catalog(meshapi_gateway: GatewayFixture) -> None:
    with MeshAPI(base_url=meshapi_gateway.base_url, token=meshapi_gateway.jwt) as client:
        assert client.models.list()


def test_in_process_transport(meshapi_in_process: Any) -> None:
    client = MeshAPI(
        base_url="http://127.0.0.1",
        token=meshapi_in_process.gateway.token,
        transport=meshapi_in_process,
    )
    assert client.chat.completions.create(PARAMS).choices[0].message.content == "hi"
    assert (
        next(
            c.choices[0].delta.content for c in client.chat.completions.stream(PARAMS) if c.choices
        )
        == "hi"
    )
    assert meshapi_in_process.open_streams == 0
