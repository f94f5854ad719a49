"""``embeddings``, ``moderations``, ``web``, ``router`` and ``api_versions``, on every
transport."""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

import pytest

from meshapi import (
    ApiVersion,
    BadRequestError,
    EmbeddingsResponse,
    ModerationResponse,
    NotFoundError,
    PermissionDeniedError,
    RouterSelectResponse,
    WebSearchParams,
    WebSearchResponse,
)
from meshapi.testing._routes.moderations import FLAGGED_KEYWORDS
from meshapi.testing._routes.router import CLASSIFIER_FAILURE_MARKER
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import Api, Runner, call

EMBED = "openai/text-embedding-3-small"


# -- embeddings ------------------------------------------------------------------------------


def test_embeddings_of_text_and_tokens(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        texts = await call(api, "embeddings.create", model=EMBED, input=["cat", "dog"])
        again = await call(api, "embeddings.create", model=EMBED, input="cat")
        tokens = await call(api, "embeddings.create", model=EMBED, input=[[1, 2, 3], [4]])
        small = await call(api, "embeddings.create", model=EMBED, input="cat", dimensions=8)
        return texts, again, tokens, small

    texts, again, tokens, small = run(scenario)
    assert isinstance(texts, EmbeddingsResponse)
    assert [d.index for d in texts.data] == [0, 1]
    assert len(texts.data[0].embedding) == 1536
    assert texts.data[0].embedding == again.data[0].embedding != texts.data[1].embedding
    assert math.isclose(math.hypot(*texts.data[0].embedding), 1.0, abs_tol=1e-3)
    assert texts.model == EMBED and texts.usage is not None and texts.usage.prompt_tokens == 2
    assert len(tokens.data) == 2 and tokens.usage.prompt_tokens == 4
    assert len(small.data[0].embedding) == 8
    request = meshapi_gateway.gateway.last_request
    assert request is not None and request.json == {"input": "cat", "model": EMBED, "dimensions": 8}


def test_embeddings_base64_and_multimodal(run: Runner) -> None:
    items = [
        {"type": "text", "text": "a cat"},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
    ]

    async def scenario(api: Api) -> Any:
        packed = await call(
            api, "embeddings.create", model=EMBED, input="cat", encoding_format="base64"
        )
        plain = await call(api, "embeddings.create", model=EMBED, input="cat")
        multi = await call(api, "embeddings.create", model="mesh/embed-multimodal", input=items)
        with pytest.raises(BadRequestError) as refused:
            await call(api, "embeddings.create", model=EMBED, input=items)
        with pytest.raises(BadRequestError) as capability:
            await call(api, "embeddings.create", model="openai/gpt-4o-mini", input="x")
        return packed, plain, multi, refused.value, capability.value

    packed, plain, multi, refused, capability = run(scenario)
    raw = base64.b64decode(packed.data[0].embedding)
    floats = struct.unpack(f"<{len(raw) // 4}f", raw)
    assert [round(f, 6) for f in floats] == plain.data[0].embedding
    assert len(multi.data) == 1 and len(multi.data[0].embedding) == 256
    assert refused.error_code == "invalid_request"
    assert capability.error_code == "model_capability_not_supported"


# -- moderations -----------------------------------------------------------------------------


def test_moderations_flag_the_documented_keywords(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        many = await call(api, "moderations.create", input=["I will kill it", "hello there"])
        items = await call(
            api,
            "moderations.create",
            input=[{"type": "text", "text": "so much hate"}, {"type": "image_url",
                   "image_url": {"url": "https://example.com/a.png"}}],
        )  # fmt: skip
        with pytest.raises(NotFoundError):
            await call(api, "moderations.create", input="x", model="nope-moderation")
        return many, items

    many, items = run(scenario)
    assert isinstance(many, ModerationResponse)
    assert many.model == "omni-moderation-latest"
    assert [r.flagged for r in many.results] == [True, False]
    assert many.results[0].categories["violence"] is True
    assert many.results[0].category_scores["violence"] >= 0.9
    assert many.results[1].category_scores["violence"] < 0.01
    assert len(items.results) == 1 and items.results[0].categories["hate"] is True
    assert FLAGGED_KEYWORDS["kill"] == "violence"


# -- web search ------------------------------------------------------------------------------


def test_web_search_sends_no_client_defaults(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        plain = await call(api, "web.search", query="python sdk")
        sent = meshapi_gateway.gateway.last_request
        tuned = await call(
            api,
            "web.search",
            WebSearchParams(
                query="python sdk",
                max_results=2,
                include_answer=True,
                provider="tavily",
                include_domains=["docs.python.org"],
            ),
        )
        return plain, sent, tuned

    plain, sent, tuned = run(scenario)
    assert sent.json == {"query": "python sdk"}
    assert isinstance(plain, WebSearchResponse)
    assert len(plain.results) == 5 and plain.provider == "native" and plain.answer is None
    assert plain.request_id == sent.request_id
    assert [r.url for r in tuned.results] == [
        "https://docs.python.org/python-sdk/1",
        "https://docs.python.org/python-sdk/2",
    ]
    assert tuned.provider == "tavily" and tuned.answer


def test_web_search_errors(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    limited = meshapi_gateway.gateway.add_key(allowed_models=["openai/gpt-4o-mini"])

    async def scenario(api: Api) -> Any:
        with pytest.raises(ValueError, match="query"):
            await call(api, "web.search", query="")
        with pytest.raises(PermissionDeniedError):
            await call(api, "web.search", query="x")

    run(scenario, token=limited)


# -- router ------------------------------------------------------------------------------------


def test_router_select(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    hard = [{"role": "user", "content": "Prove that 17 is prime."}]

    async def scenario(api: Api) -> Any:
        plain = await call(api, "router.select", messages=[{"role": "user", "content": "hi"}])
        shortlist = await call(
            api,
            "router.select",
            messages=hard,
            candidate_models=["nope/x", "anthropic/claude-haiku-4.5"],
        )
        sent = meshapi_gateway.gateway.last_request
        embeddings = await call(api, "router.select", messages=hard, api_type="embeddings")
        failing = await call(
            api, "router.select", messages=[{"role": "user", "content": CLASSIFIER_FAILURE_MARKER}]
        )
        return plain, shortlist, sent, embeddings, failing

    plain, shortlist, sent, embeddings, failing = run(scenario)
    assert isinstance(plain, RouterSelectResponse)
    assert plain.model == "openai/gpt-4o-mini" and plain.reasoning_effort == "low"
    assert plain.auto_router is not None and plain.auto_router.fallback_used is False
    assert shortlist.model == "anthropic/claude-haiku-4.5"
    assert shortlist.reasoning_effort == "high"
    assert sent.json["candidate_models"] == ["nope/x", "anthropic/claude-haiku-4.5"]
    assert embeddings.model == "openai/text-embedding-3-small"
    assert failing.auto_router.fallback_used is True
    assert failing.auto_router.fallback_reason == "classifier_timeout"


# -- api versions ------------------------------------------------------------------------------


def test_api_versions(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        return await call(api, "api_versions.list")

    versions = run(scenario)
    assert all(isinstance(v, ApiVersion) for v in versions)
    assert [v.label for v in versions] == ["2026-07", "2026-08", "2026-09"]
    assert [v.baseline for v in versions] == [False, True, False]
    assert versions[2].latest is True
