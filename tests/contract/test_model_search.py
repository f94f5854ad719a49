"""``client.models`` on every client kind: ``search`` (filters, sorts, its refusals) next to
``list``, ``free``, ``paid`` and ``get``."""

from __future__ import annotations

from typing import Any

import pytest

from meshapi import BadRequestError, ModelSearchParams, ModelsPage, NotFoundError
from meshapi.testing.pytest_plugin import GatewayFixture

from .calls import call, walk
from .conftest import Api, Runner


def test_search(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        claude = await call(api, lambda c: c.models.search(ModelSearchParams(q="claude haiku")))
        vision = await walk(
            api,
            lambda c: c.models.search(
                input_modality=["image"], sort="context_length", order="desc", limit=1
            ),
        )
        brands = await call(api, lambda c: c.models.search({"brand": ["OpenAI", "Mesh"]}))
        free = await call(api, lambda c: c.models.search(free=True))
        cheapest = await call(
            api, lambda c: c.models.search(sort="price", output_modality=["text"], limit=1)
        )
        with pytest.raises(BadRequestError) as bad:
            await call(api, lambda c: c.models.search(sort="price"))
        return claude, vision, brands, free, cheapest, bad.value

    claude, vision, brands, free, cheapest, bad = run(scenario)
    assert [m.id for m in claude.data] == ["anthropic/claude-haiku-4.5"] and claude.total == 1
    assert isinstance(claude.model, ModelsPage)
    assert [m.id for m in vision] == [
        "anthropic/claude-haiku-4.5",
        "openai/gpt-4o-mini",
        "mesh/embed-multimodal",
    ]
    assert [m.id for m in brands.data] == [
        "mesh/echo",
        "mesh/embed-multimodal",
        "openai/gpt-4o-mini",
        "openai/text-embedding-3-small",
    ]
    # every brand but the brand filter's own
    assert brands.brands == ["Anthropic", "Google", "Mesh", "OpenAI", "Perplexity"]
    assert brands.facets["brand"] == {"Mesh": 2, "OpenAI": 2}
    assert [m.id for m in free.data] == ["mesh/echo"]
    assert [m.id for m in cheapest.data] == ["mesh/echo"]
    assert (bad.status, bad.error_code) == (400, "invalid_search_parameter")
    searches = [r.query for r in meshapi_gateway.gateway.requests]
    assert searches[0] == {"q": ["claude haiku"]}
    assert {"brand": ["OpenAI", "Mesh"]} in searches  # a repeated key, in order


def test_the_rest_of_the_catalog(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        everything = await call(api, lambda c: c.models.list())
        embedding = await call(api, lambda c: c.models.list(type="embedding"))
        free = await call(api, lambda c: c.models.free())
        paid = await call(api, lambda c: c.models.paid())
        one = await call(api, lambda c: c.models.get("anthropic/claude-haiku-4.5"))
        with pytest.raises(NotFoundError) as bare:
            await call(api, lambda c: c.models.get("claude"))
        return everything, embedding, free, paid, one, bare.value

    everything, embedding, free, paid, one, bare = run(scenario)
    assert len(everything) == len(meshapi_gateway.gateway.models) == 8
    assert [m.id for m in embedding] == [
        m["id"] for m in meshapi_gateway.gateway.models if m["model_type"] == "embedding"
    ]
    assert [m.id for m in free] == ["mesh/echo"] and len(paid) == 7
    assert one.context_length == 200_000 and one.supports_batching is True
    assert one.pricing is not None and one.pricing.prompt_usd_per_1m_discounted == "1"
    assert one.pricing.long_context_input_usd_per_1m is None
    assert bare.status == 404 and "claude" in bare.message  # FastAPI's {"detail": ...} shape
