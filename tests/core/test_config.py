"""Client settings and request building: URLs, headers, bodies, realms, secrets."""

from __future__ import annotations

import json

import pytest

from meshapi_core.config import CallOptions, ClientConfig
from meshapi_core.endpoints import (
    CHAT_COMPLETIONS,
    CHAT_COMPLETIONS_STREAM,
    Endpoint,
    Realm,
    RetryClass,
)
from meshapi_core.errors import MeshAPIError
from meshapi_core.http import Timeout
from meshapi_core.models.chat import ChatCompletionParams, ChatMessage
from meshapi_core.version import __version__

TOKEN = "rsk_01HSECRETSECRETSECRET"


def config(**kw: object) -> ClientConfig:
    return ClientConfig.create(
        base_url=kw.pop("base_url", "https://api.meshapi.ai"), token=TOKEN, **kw
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "base",
    [
        "https://api.meshapi.ai",
        "https://api.meshapi.ai/",
        "https://api.meshapi.ai/v1",
        "https://api.meshapi.ai/v1/",
        " https://api.meshapi.ai//v1// ",
    ],
)
def test_base_urls_give_the_same_paths(base: str) -> None:
    request = config(base_url=base).build_request(CHAT_COMPLETIONS)
    assert request.url == "https://api.meshapi.ai/v1/chat/completions"


def test_base_url_with_a_prefix_and_port() -> None:
    request = config(base_url="http://127.0.0.1:8080/mesh/v1").build_request(CHAT_COMPLETIONS)
    assert request.url == "http://127.0.0.1:8080/mesh/v1/chat/completions"


@pytest.mark.parametrize(
    "base", ["api.meshapi.ai", "ftp://x", "https://", "https://x?q=1", "https://u:p@x", ""]
)
def test_bad_base_urls_fail_at_construction(base: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        config(base_url=base)


@pytest.mark.parametrize("token", ["", "   ", "rsk_a\nInjected: 1", " rsk_a", "rsk_\tx"])
def test_bad_tokens_fail_without_echoing_them(token: str) -> None:
    with pytest.raises(ValueError) as info:
        ClientConfig.create(base_url="https://x", token=token)
    if token.strip():
        assert token.strip() not in str(info.value)


def test_headers() -> None:
    request = config(api_version="2026-09", default_headers={"X-Team": "a"}).build_request(
        CHAT_COMPLETIONS, json_body={"messages": []}, idempotency_key="idem-1"
    )
    assert request.header("authorization") == f"Bearer {TOKEN}"
    assert request.header("x-meshapi-sdk") == f"python/{__version__}"
    assert request.header("x-mesh-version") == "2026-09"
    assert request.header("x-team") == "a"
    assert request.header("idempotency-key") == "idem-1"
    assert request.header("content-type") == "application/json"
    assert request.header("accept") == "application/json"
    assert request.method == "POST"


def test_sdk_header_can_be_switched_off_and_no_version_by_default() -> None:
    request = config(sdk_header=False).build_request(CHAT_COMPLETIONS)
    assert request.header("x-meshapi-sdk") is None
    assert request.header("x-mesh-version") is None


def test_stream_requests_ask_for_event_streams_and_carry_no_key() -> None:
    request = config().build_request(CHAT_COMPLETIONS_STREAM, idempotency_key="k")
    assert request.stream
    assert request.header("accept") == "text/event-stream"
    assert request.header("idempotency-key") is None


def test_call_options_override() -> None:
    options = CallOptions(
        timeout=5.0,
        extra_headers={"X-Mesh-Cache": "no-store", "Accept": "application/x"},
        extra_query={"free": True, "q": "a b"},
        idempotency_key="mine",
    )
    request = config().build_request(CHAT_COMPLETIONS, options=options, idempotency_key="auto")
    assert request.timeout == Timeout.of(5.0)
    assert request.header("x-mesh-cache") == "no-store"
    assert request.header("accept") == "application/x"
    assert [h for h in request.headers if h[0] == "accept"] == [("accept", "application/x")]
    assert request.url.endswith("/v1/chat/completions?free=true&q=a+b")
    assert request.header("idempotency-key") == "mine"
    with pytest.raises(ValueError, match="header"):
        config().build_request(
            CHAT_COMPLETIONS, options=CallOptions(extra_headers={"X": "a\r\nB: c"})
        )


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="api_version"):
        config(api_version="2026-9")
    with pytest.raises(ValueError, match="deadline"):
        config(deadline=0)
    with pytest.raises(ValueError):
        config(max_retries=-1)
    with pytest.raises(ValueError, match="max_event_size"):
        config(max_event_size=0)


def test_token_never_in_repr() -> None:
    cfg = config()
    request = cfg.build_request(CHAT_COMPLETIONS)
    assert TOKEN not in repr(cfg)
    assert TOKEN not in repr(request)
    assert "[redacted]" in repr(request)


def test_admin_keys_cannot_call_inference() -> None:
    cfg = ClientConfig.create(base_url="https://x", token="mak_SECRET")
    with pytest.raises(MeshAPIError) as info:
        cfg.build_request(CHAT_COMPLETIONS)
    assert info.value.error_code == "wrong_realm"
    assert "mak_SECRET" not in str(info.value)


def test_json_body_omits_unset_fields_and_keeps_explicit_nulls() -> None:
    params = ChatCompletionParams(
        model="openai/gpt-4o-mini",
        messages=[
            ChatMessage(role="assistant", content=None),
            ChatMessage(role="user", content="héllo"),
        ],
    )
    request = config().build_request(CHAT_COMPLETIONS, json_body=params.to_json_dict())
    assert request.body is not None
    assert json.loads(request.body) == {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "assistant", "content": None}, {"role": "user", "content": "héllo"}],
    }
    assert "héllo".encode() in request.body


def test_path_parameters_are_encoded() -> None:
    endpoint: Endpoint[object] = Endpoint(
        "GET", "/v1/templates/{template_id}", Realm.EITHER, None, RetryClass.SAFE
    )  # type: ignore[type-var]
    assert endpoint.path_for(template_id="../keys?x=1") == "/v1/templates/..%2Fkeys%3Fx%3D1"
