"""A token never appears in a repr, a log line or an exception message."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meshapi_core.calls import Runtime
from meshapi_core.config import CallOptions, ClientConfig
from meshapi_core.endpoints.chat import CHAT_COMPLETIONS
from meshapi_core.errors import MeshAPIError
from meshapi_core.prepare import prepare_call

tokens = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(["rsk_", "mak_", "eyJ"]),
    st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789", min_size=12, max_size=40),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(token=tokens)
def test_token_absent_from_reprs_and_errors(token: str, caplog: pytest.LogCaptureFixture) -> None:
    from meshapi import AsyncMeshAPI, MeshAPI

    caplog.set_level(logging.DEBUG)
    config = ClientConfig.create(base_url="https://api.meshapi.ai", token=token)
    texts = [repr(config), str(config)]
    runtime = Runtime(lambda: 0.0, lambda: 0.0, lambda: 0.5, lambda: "k")
    try:
        call = prepare_call(CHAT_COMPLETIONS, config, runtime, params={"messages": []})
        texts.append(repr(call.next_action()))
    except MeshAPIError as error:  # mak_ keys cannot call inference
        texts += [str(error), repr(error)]
    for bad in ({"Bad\n": token}, {"X-Token": token + "\n"}, {"X-Token": token + "\u00e9"}):
        try:
            CallOptions.create({"extra_headers": bad})
        except MeshAPIError as error:
            texts += [str(error), repr(error)]
    client = MeshAPI(base_url="https://api.meshapi.ai", token=token)
    aclient = AsyncMeshAPI(base_url="https://api.meshapi.ai", token=token)
    texts += [repr(client), repr(aclient), repr(client.config), repr(vars(client.chat.completions))]
    client.close()
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        assert token not in text
