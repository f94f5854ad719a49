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
    catalog = meshapi_gateway.gateway.models
    seeing = [m for m in catalog if "image" in m["input_modalities"]]
    assert len(vision) == len(seeing) > 3  # walked one item per page
    assert [m.id for m in vision[:3]] == [
        "google/gemini-3-flash-preview",  # 1,048,576 tokens each: ties by id, descending
        "google/gemini-2.5-flash-lite",
        "google/gemini-2.5-flash",
    ]
    lengths = [m.context_length or 0 for m in vision]
    assert lengths == sorted(lengths, reverse=True)
    assert [m.id for m in brands.data] == sorted(
        m["id"] for m in catalog if m["brand"] in ("OpenAI", "Mesh")
    )
    assert brands.data[0].id == "mesh/echo" and "openai/gpt-5-nano" in {m.id for m in brands.data}
    # every brand but the brand filter's own
    assert brands.brands == sorted({m["brand"] for m in catalog})
    assert {"Anthropic", "BytePlus", "Google", "Sarvam"} <= set(brands.brands)
    assert brands.facets["brand"] == {
        "Mesh": 2,
        "OpenAI": sum(1 for m in catalog if m["brand"] == "OpenAI"),
    }
    assert [m.id for m in free.data] == ["mesh/echo", "meta-llama/llama-3.3-70b-instruct:free"]
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
    assert len(everything) == len(meshapi_gateway.gateway.models) > 30
    assert [m.id for m in embedding] == [
        m["id"] for m in meshapi_gateway.gateway.models if m["model_type"] == "embedding"
    ]
    assert sorted(m.id for m in free) == ["mesh/echo", "meta-llama/llama-3.3-70b-instruct:free"]
    assert len(paid) == len(everything) - 2
    assert one.context_length == 200_000 and one.supports_batching is True
    assert one.pricing is not None and one.pricing.prompt_usd_per_1m_discounted == "1"
    assert one.pricing.long_context_input_usd_per_1m is None
    assert bare.status == 404 and "claude" in bare.message  # FastAPI's {"detail": ...} shape
