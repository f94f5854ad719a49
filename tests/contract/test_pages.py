"""One endpoint of each list and empty kind, on every client kind: cursor pages (batches),
offset pages (model search) and a ``204 No Content`` (template delete)."""

from __future__ import annotations

from typing import Any, List

import pytest

from meshapi.testing.pytest_plugin import GatewayFixture

from .calls import call, walk
from .conftest import Api, Runner

pytestmark = pytest.mark.user_clients

BODY = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "What is 2+2?"}]}


def make_batches(gw: GatewayFixture, count: int) -> List[str]:
    from meshapi import MeshAPI

    with MeshAPI(base_url=gw.base_url, token=gw.token) as client:
        return [
            client.batches.create(requests=[{"custom_id": f"q{n}", "body": BODY}]).id
            for n in range(count)
        ]


def test_cursor_pages(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    ids = make_batches(meshapi_gateway, 5)
    newest_first = ids[::-1]
    meshapi_gateway.gateway.clear_requests()

    async def scenario(api: Api) -> Any:
        first = await call(api, lambda c: c.batches.list(limit=2))
        walked = await walk(api, lambda c: c.batches.list(limit=2))
        second = await call(api, lambda c: c.batches.list(limit=2, after=first.last_id))
        return first, walked, second

    first, walked, second = run(scenario)
    assert [b.id for b in first.data] == newest_first[:2]
    assert first.has_more is True
    assert (first.first_id, first.last_id) == (newest_first[0], newest_first[1])
    assert first.model.object == "list"
    assert [b.id for b in walked] == newest_first
    assert [b.id for b in second.data] == newest_first[2:4]
    # the walk asked for exactly three pages, each after the last id of the one before
    queries = [r.query for r in meshapi_gateway.gateway.requests if r.method == "GET"]
    assert queries[1:4] == [
        {"limit": ["2"]},
        {"limit": ["2"], "after": [newest_first[1]]},
        {"limit": ["2"], "after": [newest_first[3]]},
    ]


def test_offset_pages(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    catalog = sorted(m["id"] for m in meshapi_gateway.gateway.models)

    async def scenario(api: Api) -> Any:
        first = await call(api, lambda c: c.models.search(limit=2))
        walked = await walk(api, lambda c: c.models.search(limit=2))
        return first, walked

    first, walked = run(scenario)
    assert first.total == len(catalog) >= 5
    assert [m.id for m in first.data] == catalog[:2]
    assert first.has_more is True
    assert first.first_id is None and first.last_id is None
    assert first.brands  # a field of the page model, reached through the page
    assert [m.id for m in walked] == catalog
    offsets = [r.query.get("offset") for r in meshapi_gateway.gateway.requests][1:]
    assert offsets == [None] + [[str(n)] for n in range(2, len(catalog), 2)]


def test_no_content(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        template = await call(api, lambda c: c.templates.create(name="t"))
        gone = await call(api, lambda c: c.templates.delete(template.id))
        left = await call(api, lambda c: c.templates.list())
        return gone, left

    assert run(scenario) == (None, [])
    deleted = meshapi_gateway.gateway.requests[-2]
    assert (deleted.method, deleted.status) == ("DELETE", 204)
