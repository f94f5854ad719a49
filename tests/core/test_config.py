"""Client settings and request building: URLs, headers, bodies, paths, realms, secrets."""

from __future__ import annotations

import json
from typing import Any, Optional

import pytest

from meshapi_core.calls import Call, Runtime, Send
from meshapi_core.config import CallOptions, ClientConfig, ClientSettings, RequestOptions
from meshapi_core.endpoint import (
    ADMIN,
    DATA,
    DATA_OR_DASHBOARD,
    MANAGEMENT,
    Credential,
    Endpoint,
    RetryClass,
)
from meshapi_core.endpoints.chat import CHAT_COMPLETIONS, CHAT_COMPLETIONS_STREAM
from meshapi_core.endpoints.models import MODELS_GET, MODELS_LIST
from meshapi_core.errors import InvalidArgumentError, MeshAPIError
from meshapi_core.http import Request, Timeout
from meshapi_core.models.chat import ChatCompletionParams, ChatMessage
from meshapi_core.prepare import prepare_call
from meshapi_core.version import __version__

TOKEN = "rsk_01HSECRETSECRETSECRET"
PARAMS = {"messages": [{"role": "user", "content": "hi"}]}
RUNTIME = Runtime(lambda: 0.0, lambda: 0.0, lambda: 0.5, lambda: "auto-key")


def config(**kw: Any) -> ClientConfig:
    kw.setdefault("base_url", "https://api.meshapi.ai")
    kw.setdefault("token", TOKEN)
    return ClientConfig.create(**kw)


def request_of(
    endpoint: Endpoint[Any, Any],
    cfg: Optional[ClientConfig] = None,
    *,
    options: Optional[CallOptions] = None,
    **kw: Any,
) -> Request:
    call: Call[Any] = prepare_call(
        endpoint, cfg or config(), RUNTIME, options=options or CallOptions(), **kw
    )
    action = call.next_action()
    assert isinstance(action, Send)
    return action.request


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
    request = request_of(CHAT_COMPLETIONS, config(base_url=base), params=PARAMS)
    assert request.url == "https://api.meshapi.ai/v1/chat/completions"


def test_base_url_with_a_prefix_and_port() -> None:
    cfg = config(base_url="http://127.0.0.1:8080/mesh/v1")
    assert request_of(MODELS_LIST, cfg).url == "http://127.0.0.1:8080/mesh/v1/models"


@pytest.mark.parametrize(
    "base", ["api.meshapi.ai", "ftp://x", "https://", "https://x?q=1", "https://u:p@x", ""]
)
def test_bad_base_urls_fail_at_construction(base: str) -> None:
    with pytest.raises(InvalidArgumentError, match="base_url"):
        config(base_url=base)


@pytest.mark.parametrize(
    "base", ["http://api.meshapi.ai", "http://10.0.0.5:8080", "http://[2001:db8::1]/v1"]
)
def test_plain_http_to_a_remote_host_is_refused_unless_allowed(base: str) -> None:
    with pytest.raises(InvalidArgumentError, match="allow_insecure_http=True"):
        config(base_url=base)
    assert config(base_url=base, allow_insecure_http=True).base_url.startswith("http://")


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:8080", "http://127.9.9.9", "http://[::1]:80", "http://localhost"]
)
def test_plain_http_to_loopback_is_fine(base: str) -> None:
    assert config(base_url=base).base_url.startswith("http://")


@pytest.mark.parametrize(
    "token", ["", "   ", "rsk_a\nInjected: 1", " rsk_a", "rsk_\tx", "rsk_é_secret", "rsk_\x00x"]
)
def test_bad_tokens_fail_without_echoing_them(token: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        ClientConfig.create(base_url="https://x", token=token)
    assert isinstance(info.value, ValueError)
    if token.strip():
        assert token.strip() not in str(info.value)
        assert token.strip() not in repr(info.value)


def test_api_key_is_a_synonym_of_token() -> None:
    assert config(token=None, api_key="rsk_k").token == "rsk_k"  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="not both"):
        config(api_key="rsk_other")


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="max_retires"):
        config(max_retires=2)


def test_headers() -> None:
    cfg = config(api_version="2026-09", default_headers={"X-Team": "a"})
    request = request_of(CHAT_COMPLETIONS, cfg, params=PARAMS)
    assert request.header("authorization") == f"Bearer {TOKEN}"
    assert request.header("x-meshapi-sdk") == f"python/{__version__}"
    assert request.header("x-mesh-version") == "2026-09"
    assert request.header("x-team") == "a"
    assert request.header("idempotency-key") == "auto-key"
    assert request.header("content-type") == "application/json"
    assert request.header("accept") == "application/json"
    assert request.method == "POST"
    assert request.max_body == cfg.max_response_size


def test_sdk_header_can_be_switched_off_and_no_version_by_default() -> None:
    request = request_of(MODELS_LIST, config(sdk_header=False))
    assert request.header("x-meshapi-sdk") is None
    assert request.header("x-mesh-version") is None
    assert request.header("idempotency-key") is None  # a GET is retried without one


def test_stream_requests_ask_for_event_streams_and_carry_no_key() -> None:
    request = request_of(CHAT_COMPLETIONS_STREAM, params=PARAMS)
    assert request.stream
    assert request.header("accept") == "text/event-stream"
    assert request.header("idempotency-key") is None
    assert json.loads(request.body or b"")["stream"] is True


def test_call_options_override() -> None:
    options = CallOptions(
        timeout=5.0,
        extra_headers={"X-Mesh-Cache": "no-store", "Accept": "application/x"},
        extra_query={"free": True, "q": "a b"},
        idempotency_key="mine",
    )
    request = request_of(CHAT_COMPLETIONS, options=options, params=PARAMS)
    assert request.timeout == Timeout.of(5.0)
    assert request.header("x-mesh-cache") == "no-store"
    assert request.header("accept") == "application/x"
    assert [h for h in request.headers if h[0] == "accept"] == [("accept", "application/x")]
    assert request.url.endswith("/v1/chat/completions?free=true&q=a+b")
    assert request.header("idempotency-key") == "mine"


@pytest.mark.parametrize(
    "options",
    [
        {"extra_headers": {"X": "a\r\nB: c"}},
        {"extra_headers": {"X": "caf\u00e9"}},
        {"extra_headers": {"Bad Name": "x"}},
        {"idempotency_key": "k\r\nX-Injected: 1"},
        {"idempotency_key": "cl\u00e9"},
        {"idempotency_key": ""},
        {"max_retries": -1},
        {"deadline": 0},
        {"timeout": "5"},
        {"extra_query": ["a"]},
        {"max_retires": 1},
    ],
)
def test_bad_call_options_are_refused_before_sending(options: Any) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        CallOptions.create(options)
    assert isinstance(info.value, ValueError)


def test_bad_settings() -> None:
    with pytest.raises(InvalidArgumentError, match="api_version"):
        config(api_version="2026-9")
    with pytest.raises(InvalidArgumentError, match="deadline"):
        config(deadline=0)
    with pytest.raises(InvalidArgumentError, match="max_retries"):
        config(max_retries=-1)
    with pytest.raises(InvalidArgumentError, match="max_event_size"):
        config(max_event_size=0)
    with pytest.raises(InvalidArgumentError, match="max_response_size"):
        config(max_response_size=-5)
    with pytest.raises(InvalidArgumentError, match="default_headers"):
        config(default_headers={"X-Secret": "line\nbreak"})
    with pytest.raises(InvalidArgumentError, match="credential"):
        config(credential="root")


def test_token_never_in_repr() -> None:
    cfg = config()
    request = request_of(MODELS_LIST, cfg)
    assert TOKEN not in repr(cfg)
    assert TOKEN not in repr(request)
    assert "[redacted]" in repr(request)


@pytest.mark.parametrize(
    ("token", "kind"),
    [
        ("rsk_1", Credential.DATA_KEY),
        ("mak_1", Credential.ADMIN_KEY),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.sig", Credential.DASHBOARD),
        ("opaque-test-token", None),
    ],
)
def test_credential_kind_from_the_token(token: str, kind: Optional[Credential]) -> None:
    assert config(token=token).credential is kind


def test_a_call_the_credential_cannot_make_is_refused_before_sending() -> None:
    cfg = ClientConfig.create(base_url="https://x", token="mak_SECRET")
    with pytest.raises(MeshAPIError) as info:
        request_of(CHAT_COMPLETIONS, cfg, params=PARAMS)
    assert info.value.error_code == "wrong_realm"
    assert "a data-plane key (rsk_...)" in str(info.value)
    assert "mak_SECRET" not in str(info.value)
    dashboard = config(token="opaque", credential="dashboard")
    assert request_of(MODELS_LIST, dashboard).url.endswith("/v1/models")
    keys: Endpoint[None, None] = Endpoint("GET", "/v1/keys", MANAGEMENT)
    with pytest.raises(MeshAPIError, match=r"a dashboard session token .* or an admin key"):
        request_of(keys)
    request_of(keys, cfg)
    with pytest.raises(MeshAPIError, match="admin key"):
        request_of(
            Endpoint("GET", "/v1/keys/{key_id}/limits", ADMIN), dashboard, path={"key_id": "k"}
        )


def test_unknown_credentials_are_left_to_the_gateway() -> None:
    cfg = config(token="opaque")
    request_of(CHAT_COMPLETIONS, cfg, params=PARAMS)
    request_of(Endpoint("GET", "/v1/keys", MANAGEMENT), cfg)


def test_json_body_omits_unset_fields_and_keeps_explicit_nulls() -> None:
    params = ChatCompletionParams(
        model="openai/gpt-4o-mini",
        messages=[
            ChatMessage(role="assistant", content=None),
            ChatMessage(role="user", content="héllo"),
        ],
    )
    request = request_of(CHAT_COMPLETIONS, params=params)
    assert request.body is not None
    assert json.loads(request.body) == {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "assistant", "content": None}, {"role": "user", "content": "héllo"}],
    }
    assert "héllo".encode() in request.body


def test_the_three_forms_of_params_send_the_same_body() -> None:
    fields = {"model": "auto", "messages": [{"role": "user", "content": "hi"}], "temperature": 0}
    bodies = {
        request_of(CHAT_COMPLETIONS, params=ChatCompletionParams(**fields)).body,  # type: ignore[arg-type]
        request_of(CHAT_COMPLETIONS, params=fields).body,
        request_of(CHAT_COMPLETIONS, fields=fields).body,
    }
    assert len(bodies) == 1


def test_bad_params_name_the_field() -> None:
    with pytest.raises(InvalidArgumentError) as info:
        request_of(CHAT_COMPLETIONS, fields={**PARAMS, "temperature": 7})
    assert info.value.param == "temperature"
    assert "temperature" in str(info.value) and "less than or equal to 2" in str(info.value)
    with pytest.raises(InvalidArgumentError, match="temprature"):
        request_of(CHAT_COMPLETIONS, fields={**PARAMS, "temprature": 1})
    with pytest.raises(InvalidArgumentError, match="once"):
        request_of(CHAT_COMPLETIONS, params=PARAMS, fields={"model": "auto"})
    with pytest.raises(InvalidArgumentError, match="not list"):
        request_of(CHAT_COMPLETIONS, params=[1, 2])
    with pytest.raises(InvalidArgumentError, match="takes no parameters"):
        request_of(MODELS_GET, fields={"q": 1}, path={"model_id": "a/b"})


def test_the_upstream_timeout_field_keeps_its_wire_name() -> None:
    request = request_of(CHAT_COMPLETIONS, fields={**PARAMS, "upstream_timeout": 30})
    assert json.loads(request.body or b"")["timeout"] == 30
    from_dict = request_of(CHAT_COMPLETIONS, params={**PARAMS, "timeout": 30})
    assert json.loads(from_dict.body or b"")["timeout"] == 30


@pytest.mark.parametrize(
    ("stream", "endpoint"), [(True, CHAT_COMPLETIONS), (False, CHAT_COMPLETIONS_STREAM)]
)
def test_a_stream_setting_the_method_contradicts_is_refused(stream: bool, endpoint: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="stream"):
        request_of(endpoint, params={**PARAMS, "stream": stream})


def test_query_params_are_encoded() -> None:
    request = request_of(MODELS_LIST, fields={"free": True, "type": "text"})
    assert request.url.endswith("/v1/models?free=true&type=text")
    assert request.body is None


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("openai/gpt-4o", "/v1/models/openai/gpt-4o"),
        ("sarvam/bulbul:v2", "/v1/models/sarvam/bulbul%3Av2"),
        ("a b/c?d#e", "/v1/models/a%20b/c%3Fd%23e"),
        ("x/%2e%2e/y", "/v1/models/x/%252e%252e/y"),
    ],
)
def test_path_values_spanning_segments_are_encoded(value: str, path: str) -> None:
    assert MODELS_GET.path_for({"model_id": value}) == path


@pytest.mark.parametrize(
    "value", ["../../admin/keys", "..", ".", "a/../b", "a//b", "/a", "a/", "", "a/./b"]
)
def test_path_values_cannot_leave_their_segment(value: str) -> None:
    with pytest.raises(InvalidArgumentError, match="model_id"):
        request_of(MODELS_GET, path={"model_id": value})


def test_single_segment_path_values() -> None:
    endpoint: Endpoint[None, None] = Endpoint(
        "GET", "/v1/templates/{template_id}", DATA_OR_DASHBOARD
    )
    assert endpoint.path_for({"template_id": "../keys?x=1"}) == "/v1/templates/..%2Fkeys%3Fx%3D1"
    for bad in ("..", ".", ""):
        with pytest.raises(InvalidArgumentError, match="template_id"):
            endpoint.path_for({"template_id": bad})
    with pytest.raises(InvalidArgumentError, match="must be a string"):
        endpoint.path_for({"template_id": 3})


def test_declaration_defaults() -> None:
    post: Endpoint[None, None] = Endpoint("post", "/v1/x", DATA)
    assert (post.method, post.retry) == ("POST", RetryClass.KEYED)
    assert CHAT_COMPLETIONS_STREAM.retry is RetryClass.NEVER
    assert MODELS_LIST.retry is RetryClass.SAFE


def test_settings_and_options_are_listed_once() -> None:
    import dataclasses

    assert set(RequestOptions.__annotations__) == {f.name for f in dataclasses.fields(CallOptions)}
    configured = {f.name for f in dataclasses.fields(ClientConfig)} - {"_base_headers"}
    inputs = set(ClientSettings.__annotations__) - {"token", "api_key", "max_retries", "retry"}
    assert inputs <= configured | {"retry"}


# -- the credential is set in one place only (issue 18, item 3) ---------------------------------

CREDENTIAL_NAMES = ["Authorization", "authorization", "AUTHORIZATION", "X-API-Key", "x-api-key",
                    "Sec-WebSocket-Protocol", "Api-Key", "X-Goog-Api-Key", "XI-API-KEY"]  # fmt: skip


@pytest.mark.parametrize("name", CREDENTIAL_NAMES)
def test_no_setting_but_the_token_sets_a_credential_header(name: str) -> None:
    from meshapi_core.realtime.endpoints import REALTIME, prepare_session

    value = "Bearer mak_01OTHERCREDENTIAL"
    attempts = [
        ("default_headers", lambda: config(default_headers={name: value})),
        ("extra_headers", lambda: CallOptions.create({"extra_headers": {name: value}})),
        # options made directly are checked again when the request is built
        (
            "extra_headers",
            lambda: request_of(MODELS_LIST, options=CallOptions(extra_headers={name: value})),
        ),
        (
            "extra_headers",
            lambda: prepare_session(
                REALTIME, config(), fields={"model": "m"}, options={"extra_headers": {name: value}}
            ),
        ),
    ]
    for where, attempt in attempts:
        with pytest.raises(InvalidArgumentError) as refused:
            attempt()
        assert refused.value.param == where
        assert repr(name) in refused.value.message
        assert value not in str(refused.value) and TOKEN not in str(refused.value)


def test_with_changes_merges_headers_by_their_lower_case_name() -> None:
    cfg = config(default_headers={"X-Team": "a"}).with_changes(default_headers={"x-TEAM": "b"})
    assert cfg.default_headers == (("x-team", "b"),)
    with pytest.raises(InvalidArgumentError, match="default_headers"):
        cfg.with_changes(default_headers={"X-Api-Key": "mak_x"})


@pytest.mark.parametrize(
    "given", [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"BeArEr   {TOKEN}", f"Bearer\t{TOKEN}"]
)
def test_a_leading_bearer_is_dropped(given: str) -> None:
    for setting in ("token", "api_key"):
        cfg = ClientConfig.create(base_url="https://x", **{setting: given})
        assert cfg.token == TOKEN and cfg.credential is Credential.DATA_KEY
        assert request_of(MODELS_LIST, cfg).header("authorization") == f"Bearer {TOKEN}"
    assert ClientConfig.create(base_url="https://x", token=given, api_key=TOKEN).token == TOKEN


@pytest.mark.parametrize(
    "given", [f"Bearer Bearer {TOKEN}", f"Basic {TOKEN}", f"{TOKEN} {TOKEN}", "Bearer ", " "]
)
def test_a_token_with_another_scheme_or_a_space_is_refused(given: str) -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        ClientConfig.create(base_url="https://x", token=given)
    assert refused.value.param == "token" and TOKEN not in str(refused.value)


@pytest.mark.parametrize(
    ("token", "named"),
    [
        ("rsk_1", "admin"),
        ("rsk_1", "dashboard"),
        ("mak_1", "data"),
        ("mak_1", "dashboard"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.sig", "admin"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.sig", "data"),
    ],
)
def test_a_credential_setting_must_agree_with_the_tokens_form(token: str, named: str) -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        config(token=token, credential=named)
    assert refused.value.param == "credential"
    assert token not in str(refused.value)
    agreeing = {"rsk_1": "data", "mak_1": "admin"}.get(token, "dashboard")
    assert config(token=token, credential=agreeing).credential is Credential.of(token)
