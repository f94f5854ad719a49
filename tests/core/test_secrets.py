"""A token never appears in a repr, a log line or an exception message."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meshapi_core.config import CallOptions, ClientConfig
from meshapi_core.endpoints import CHAT_COMPLETIONS
from meshapi_core.errors import MeshAPIError

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
    try:
        request = config.build_request(CHAT_COMPLETIONS, json_body={"messages": []})
        texts.append(repr(request))
    except MeshAPIError as error:  # mak_ keys cannot call inference
        texts += [str(error), repr(error)]
    try:
        config.build_request(CHAT_COMPLETIONS, options=CallOptions(extra_headers={"Bad\n": token}))
    except (MeshAPIError, ValueError) as error:
        texts.append(str(error))
    client = MeshAPI(base_url="https://api.meshapi.ai", token=token)
    aclient = AsyncMeshAPI(base_url="https://api.meshapi.ai", token=token)
    texts += [repr(client), repr(aclient), repr(client.config), repr(vars(client.chat.completions))]
    client.close()
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        assert token not in text
