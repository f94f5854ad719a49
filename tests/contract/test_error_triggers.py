"""The documented error triggers of the emulator, through the SDK: every shape of
``docs/gateway/errors.md`` on every client kind, and every documented code's family and fields."""

from __future__ import annotations

from typing import Any, Type

import pytest

from meshapi import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    MeshAPI,
    MeshAPIError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
)
from meshapi.testing import faults
from meshapi.testing._gateway.codes import ERROR_CODES
from meshapi.testing.pytest_plugin import GatewayFixture

from .calls import call
from .conftest import Api, Runner

CHAT = "/v1/chat/completions"
ANTHROPIC = {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}
DETAILS = [{"loc": ["body", "messages"], "msg": "Field required", "type": "missing"}]

FAMILIES = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def chat(model: str = "openai/gpt-4o-mini") -> Any:
    return lambda c: c.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "hi"}], max_retries=0
    )


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_documented_code(meshapi_gateway: GatewayFixture, code: str) -> None:
    documented = ERROR_CODES[code]
    client = MeshAPI(base_url=meshapi_gateway.base_url, token=meshapi_gateway.token)
    with client, pytest.raises(MeshAPIError) as info:
        chat(f"mesh/error/{code}")(client)
    error = info.value
    family: Type[APIStatusError] = FAMILIES.get(
        documented.status, ServerError if documented.status >= 500 else APIStatusError
    )
    assert isinstance(error, family), (type(error), documented.status)
    assert (error.status, error.error_code) == (documented.status, code)
    assert error.provider_code == documented.provider_code
    assert error.request_id == meshapi_gateway.gateway.last_request.request_id
    if documented.retry_after is not None:
        assert error.retry_after_seconds == documented.retry_after
    assert len(meshapi_gateway.gateway.requests) == 1  # max_retries=0: one attempt


SHAPES = [
    pytest.param(faults.Error("context_window_exceeded"), "context_window_exceeded", id="code"),
    pytest.param(
        faults.Error("upstream_error", nested_request_id=True), "upstream_error", id="nested-id"
    ),
    pytest.param(faults.Status(404, body={"detail": "Nope"}), "not_found", id="detail-string"),
    pytest.param(
        faults.Status(422, body={"detail": DETAILS}), "validation_error", id="detail-list"
    ),
    pytest.param(faults.Status(400, body=ANTHROPIC), "invalid_request_error", id="anthropic"),
    pytest.param(faults.Status(502, html=True), "upstream_error", id="html"),
    pytest.param(faults.InbandError("rate_limit_exceeded"), "rate_limit_exceeded", id="inband"),
]


@pytest.mark.parametrize(("fault", "code"), SHAPES)
def test_every_shape(run: Runner, meshapi_gateway: GatewayFixture, fault: Any, code: str) -> None:
    meshapi_gateway.gateway.inject(fault, route=CHAT)

    async def scenario(api: Api) -> Any:
        with pytest.raises(MeshAPIError) as info:
            await call(api, chat())
        return info.value

    error = run(scenario)
    assert error.error_code == code
    if not getattr(fault, "html", False):
        assert error.request_id == meshapi_gateway.gateway.last_request.request_id


def test_real_route_triggers(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        found = []
        for model in ("mesh/error/spend_limit_exceeded", "nope/none", "mesh/echo-bare"):
            with pytest.raises(MeshAPIError) as info:
                await call(api, chat(model))
            found.append(info.value)
        with pytest.raises(NotFoundError) as bare:
            await call(api, lambda c: c.models.get("gpt-4o"))
        found.append(bare.value)
        return found

    spend, unknown, unknown_too, bare = run(scenario)
    assert isinstance(spend, PaymentRequiredError) and spend.status == 402
    assert unknown.error_code == unknown_too.error_code == "model_not_found"
    assert bare.error_code == "not_found" and bare.message == "Model 'gpt-4o' not found"
