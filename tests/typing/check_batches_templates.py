"""Checked by ``mypy --strict`` in ``scripts/lint``, never run: the keyword forms of
``batches`` and ``templates``. Every ``type: ignore`` marks a mistake mypy must catch."""

from __future__ import annotations

from typing import List, Optional

from meshapi import AsyncMeshAPI, Batch, BatchObject, MeshAPI, Template, TemplateSummary


def batch_keywords(client: MeshAPI) -> Batch:
    return client.batches.create(
        requests=[{"custom_id": "q1", "body": {"model": "openai/gpt-5-nano", "messages": []}}],
        completion_window="24h",
        metadata={"job": "nightly"},
        deadline=30.0,
    )


def batch_mistakes(client: MeshAPI) -> None:
    client.batches.create(requests=[], completion_windw="24h")  # type: ignore[call-overload]
    client.batches.create(requests=[], metadata="nightly")  # type: ignore[call-overload]
    client.batches.list(limit="20")  # type: ignore[arg-type]
    client.batches.wait("batch_1", poll_interval="2")  # type: ignore[arg-type]
    client.batches.get("batch_1", max_retry=1)  # type: ignore[call-arg]


def batch_pages(client: MeshAPI) -> Optional[str]:
    page = client.batches.list(limit=20, after="batch_1")
    first: Batch = page.data[0]
    for batch in page:
        same: BatchObject = batch
        del same
    done: Batch = client.batches.wait(first.id, poll_interval=5.0, deadline=600)
    return page.last_id if done.done else page.first_id


def template_keywords(client: MeshAPI) -> List[Template]:
    made: TemplateSummary = client.templates.create(name="support", system="Hi {{ who }}.")
    client.templates.update(made.id, description="d", timeout=5.0)
    client.templates.update(made.id, descripton="d")  # type: ignore[call-overload]
    client.templates.create(name=1)  # type: ignore[call-overload]
    client.templates.delete(made.id)
    return client.templates.list(team_id="team_1")


async def async_forms(client: AsyncMeshAPI) -> None:
    batch = await client.batches.create(requests=[])
    async for item in client.batches.list(limit=5):
        found: Batch = item
        del found
    page = await client.batches.list()
    print(page.has_more, batch.status)
    await client.batches.cancel(batch.id)
    template = await client.templates.get("t")
    await client.templates.delete(template.id)
    await client.batches.wait(batch.id, poll_intervl=2.0)  # type: ignore[call-arg]
