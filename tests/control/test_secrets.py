"""Secrets of the control plane (a created key's plaintext, a provider's credentials) never
appear in a repr, a str, a default dump, a log line, an error or an error's chain; they are
sent in clear in the request body, and only there."""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from meshapi import (
    AdminKeyCreated,
    AwsProviderKeyParams,
    AzureProviderKeyParams,
    KeyCreated,
    MeshAPIAdmin,
    MeshAPIError,
    OpenAIProviderKeyParams,
    ResponseDecodeError,
    VertexProviderKeyParams,
)
from meshapi.testing import Gateway, InProcessTransport, faults
from meshapi.testing.pytest_plugin import GatewayFixture
from meshapi_core.calls import Fail, Runtime, Send
from meshapi_core.config import ClientConfig
from meshapi_core.endpoint import JSON
from meshapi_core.endpoints.provider_keys import PROVIDER_KEYS_ADD
from meshapi_core.http import Response
from meshapi_core.models.provider_keys import PROVIDERS
from meshapi_core.models.secrets import SecretFields
from meshapi_core.params import bind
from meshapi_core.prepare import prepare_call

from .conftest import Clients, Runner, do

SECRET = "sk-SECRET-0123456789abcdef"
PROVIDERS_ADD_OPENAI = PROVIDER_KEYS_ADD["openai"]


def texts_of(value: Any) -> List[str]:
    """Every way a value shows itself: repr, str, and its default dumps."""
    out = [repr(value), str(value)]
    if hasattr(value, "model_dump_json"):
        out += [
            value.model_dump_json(),
            repr(value.model_dump()),
            json.dumps(value.model_dump(mode="json")),
        ]
    return out


def chain_of(error: BaseException) -> List[str]:
    """The error and every exception chained to it, as texts."""
    out: List[str] = []
    seen: Any = error
    while seen is not None:
        out += [str(seen), repr(seen), repr(getattr(seen, "details", None))]
        if hasattr(seen, "errors"):
            out.append(repr(seen.errors()))
        seen = seen.__cause__ or seen.__context__
    return out


# -- created keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", [KeyCreated, AdminKeyCreated])
def test_a_created_keys_plaintext_is_hidden_but_readable(model: Any) -> None:
    created = model.model_validate_json(json.dumps({"id": "k1", "key": "rsk_PLAINTEXT"}))
    assert created.key.get_secret_value() == "rsk_PLAINTEXT"
    for text in texts_of(created):
        assert "rsk_PLAINTEXT" not in text
    assert "**********" in created.model_dump_json()


@pytest.mark.parametrize(
    "body",
    [
        {"id": "k1", "key": "rsk_PLAINTEXT", "rpm_limit": "many"},
        {"id": "k1", "key": ["rsk_PLAINTEXT"]},
        ["rsk_PLAINTEXT"],
    ],
)
def test_a_created_key_that_fails_to_decode_keeps_its_plaintext_out_of_the_error(
    body: Any,
) -> None:
    raw = json.dumps(body).encode()
    with pytest.raises(ResponseDecodeError) as failed:
        JSON(KeyCreated).decode(Response(201, {}, raw))
    for text in chain_of(failed.value):
        assert "PLAINTEXT" not in text


def test_created_keys_over_the_wire_on_every_transport(run: Runner, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)

    async def scenario(c: Clients) -> Any:
        created = await do(c.admin.keys.create(name="ci"))
        admin = await do(c.jwt.admin_keys.create(permissions=["keys:read"]))
        rotated = await do(c.jwt.admin_keys.rotate(admin.id))
        return created, admin, rotated

    replies = run(scenario)
    for reply in replies:
        plaintext = reply.key.get_secret_value()
        assert plaintext.startswith(("rsk_", "mak_"))
        for text in texts_of(reply) + [r.getMessage() for r in caplog.records]:
            assert plaintext not in text


# -- provider secrets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "fields", "secrets"),
    [
        (OpenAIProviderKeyParams, {"api_key": SECRET}, [SECRET]),
        (AzureProviderKeyParams, {"api_key": SECRET, "endpoint": "https://a.b"}, [SECRET]),
        (
            AwsProviderKeyParams,
            {
                "access_key_id": "AKIAABCDEFGHIJKLMNOP",
                "secret_access_key": SECRET,
                "region": "eu-west-1",
                "session_token": "SESSION-SECRET",
            },
            [SECRET, "SESSION-SECRET"],
        ),
        (
            VertexProviderKeyParams,
            {"service_account_json": {"type": "service_account", "private_key": SECRET}},
            [SECRET],
        ),
    ],
)
def test_provider_params_show_no_secret_but_send_it(
    model: Any, fields: Dict[str, Any], secrets: List[str]
) -> None:
    params = bind(model, fields, None)
    for text in texts_of(params):
        for secret in secrets:
            assert secret not in text
    body = params.to_json_bytes().decode()
    for secret in secrets:
        assert secret in body
    with_extra = bind(model, {**fields, "extra_body": {"client_secret": "EXTRA-SECRET"}}, None)
    assert "EXTRA-SECRET" not in repr(with_extra)
    assert json.loads(with_extra.to_json_bytes())["client_secret"] == "EXTRA-SECRET"


@pytest.mark.parametrize(
    ("provider", "fields"),
    [
        ("openai", {"api_key": 12345678}),
        ("openai", {"api_key": ["sk-SECRET-in-a-list"]}),
        ("openai", {"api_key": "sk-SECRET-x", "organisation": "sk-SECRET-misplaced"}),
        ("aws", {"access_key_id": "bad id", "secret_access_key": "sk-SECRET-x", "region": "x"}),
        ("azure", {"api_key": "sk-SECRET-x", "endpoint": "http://sk-SECRET-host"}),
        ("vertex", {"service_account_json": "sk-SECRET-not-json"}),
        ("vertex", {"service_account_json": '["sk-SECRET-list"]'}),
    ],
)
def test_invalid_provider_fields_are_refused_without_showing_values(
    provider: str, fields: Dict[str, Any], caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway = Gateway()
    admin = MeshAPIAdmin(
        base_url="http://127.0.0.1",
        token=gateway.admin_token,
        transport=InProcessTransport(gateway),
    )
    with pytest.raises(MeshAPIError) as refused:
        admin.provider_keys.add(provider, **fields)
    assert refused.value.error_code == "invalid_argument"
    assert refused.value.param  # names the field
    assert gateway.requests == []
    for text in chain_of(refused.value) + [r.getMessage() for r in caplog.records]:
        assert "SECRET" not in text and "12345678" not in text
    add_model, _ = PROVIDERS[provider]
    with pytest.raises(Exception) as direct:  # the model built directly: pydantic's own error
        add_model(**fields)
    assert "SECRET" not in str(direct.value) and "12345678" not in str(direct.value)


@settings(max_examples=40, deadline=None)
@given(secret=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=8, max_size=40))
def test_any_secret_stays_out_of_reprs_and_dumps(secret: str) -> None:
    params = OpenAIProviderKeyParams(api_key=secret, organization="org-1")
    other = OpenAIProviderKeyParams(api_key="#" * len(secret), organization="org-1")
    # What is shown does not depend on the secret at all (a secret such as "Provider" may
    # well appear in the class's name, so "not in" alone would not say it leaked).
    assert texts_of(params) == texts_of(other)
    assert json.loads(params.to_json_bytes())["api_key"] == secret


def test_provider_secrets_over_the_wire_on_every_transport(
    run: Runner, meshapi_gateway: GatewayFixture, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    meshapi_gateway.gateway.inject(faults.Status(500), route="/v1/provider-keys/*", method="POST")

    async def scenario(c: Clients) -> Any:
        with pytest.raises(MeshAPIError) as failed:
            await do(c.admin.provider_keys.add("openai", api_key=SECRET, max_retries=0))
        stored = await do(c.admin.provider_keys.add("openai", api_key=SECRET))
        return failed.value, stored

    error, stored = run(scenario)
    assert error.status == 500
    bodies = [r.json for r in meshapi_gateway.gateway.requests]
    assert bodies[-1] == {"api_key": SECRET}  # sent in clear, in the body only
    shown = chain_of(error) + texts_of(stored) + [r.getMessage() for r in caplog.records]
    for text in shown:
        assert SECRET not in text


# -- a secret is a SecretStr from a method's first line; an echoed one is taken out -------------

ALL_PROVIDER_MODELS = [model for pair in PROVIDERS.values() for model in pair]


def test_every_secret_field_of_every_provider_is_concealed() -> None:
    fields = SecretFields.of(*ALL_PROVIDER_MODELS)
    names = {"api_key", "secret_access_key", "session_token", "service_account_json"}
    assert fields.names == names
    assert fields.json_names == {"service_account_json"}
    given = {
        "api_key": SECRET,
        "secret_access_key": SECRET,
        "session_token": SECRET,
        "service_account_json": {"type": "service_account", "private_key": SECRET},
        "region": "eu-west-1",
    }
    concealed = fields.conceal(given)
    assert given["api_key"] == SECRET  # the caller's mapping is left as it was
    assert concealed["region"] == "eu-west-1"
    for name in fields.names:
        assert isinstance(concealed[name], SecretStr), name
    assert SECRET not in repr(concealed)
    # validation and the body see the same values as before
    account = {"service_account_json": concealed["service_account_json"]}
    sent = json.loads(bind(VertexProviderKeyParams, account, None).to_json_bytes())
    assert json.loads(sent["service_account_json"])["private_key"] == SECRET
    # values validation must refuse are left for it to refuse
    odd = fields.conceal({"api_key": 12345678, "service_account_json": {"k": object()}})
    assert odd["api_key"] == 12345678 and isinstance(odd["service_account_json"], dict)
    args, kwargs = fields.conceal_arguments(("openai", {"api_key": SECRET}), {"api_key": SECRET})
    assert args[0] == "openai" and isinstance(args[1]["api_key"], SecretStr)
    assert isinstance(kwargs["api_key"], SecretStr)


def test_a_call_takes_its_secrets_out_of_an_echoed_error() -> None:
    config = ClientConfig.create(base_url="https://api.meshapi.ai", token="mak_0123SECRETADMIN")
    runtime = Runtime(lambda: 0.0, lambda: 0.0, lambda: 0.5, lambda: "key")
    call = prepare_call(PROVIDERS_ADD_OPENAI, config, runtime, fields={"api_key": SECRET})
    action = call.next_action()
    assert isinstance(action, Send) and SECRET.encode() in action.request.body  # type: ignore[operator]
    assert SECRET not in repr(action.request)
    echo = json.dumps({"error": {"code": "bad", "message": f"{SECRET} / mak_0123SECRETADMIN"}})
    call.receive_response(Response(400, {}, echo.encode()))
    failed = call.next_action()
    assert isinstance(failed, Fail)
    assert failed.error.message == "[redacted] / [redacted]"
    assert SECRET not in repr(Response(400, {}, echo.encode()))  # a body shows its size only
