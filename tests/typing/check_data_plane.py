"""Checked by ``mypy --strict`` in ``scripts/lint``, never run: the data-plane methods are
typed end to end, and every ``type: ignore`` marks a mistake mypy must catch."""

from __future__ import annotations

from typing import List

from meshapi import (
    ApiVersion,
    AsyncMeshAPI,
    CompareStreamEvent,
    EmbeddingsResponse,
    MeshAPI,
    MessagesResponse,
    MessagesStreamEvent,
    ResponsesListItem,
    ResponsesResponse,
    ResponsesStreamEvent,
    WebSearchParams,
    WebSearchResponse,
)


def keyword_forms(client: MeshAPI) -> None:
    reply: ResponsesResponse = client.responses.create(model="auto", input="hi", timeout=5.0)
    vectors: EmbeddingsResponse = client.embeddings.create(input=[[1, 2], [3]], dimensions=8)
    found: WebSearchResponse = client.web.search(query="x", max_results=3, max_retries=0)
    again: WebSearchResponse = client.web.search(WebSearchParams(query="x"), timeout=1.0)
    message: MessagesResponse = client.messages.create(
        max_tokens=10, messages=[{"role": "user", "content": "hi"}]
    )
    versions: List[ApiVersion] = client.api_versions.list()
    del reply, vectors, found, again, message, versions


def misspelled_fields(client: MeshAPI) -> None:
    client.web.search(query="x", max_result=3)  # type: ignore[call-overload]
    client.responses.create(input="hi", max_tokens=5)  # type: ignore[call-overload]
    client.router.select(messages=[], candidate_model=["a/b"])  # type: ignore[call-overload]
    client.web.search({"query": "x", "depth": "basic"})  # type: ignore[call-overload]


def wrong_types(client: MeshAPI) -> None:
    client.web.search(query="x", max_results="3")  # type: ignore[call-overload]
    client.moderations.create(input=5)  # type: ignore[call-overload]


def streams_and_pages(client: MeshAPI) -> None:
    for event in client.responses.stream(input="hi"):
        typed: ResponsesStreamEvent = event
        del typed
    for compared in client.compare.stream(models=["a/b", "c/d"], messages=[]):
        typed_compare: CompareStreamEvent = compared
        print(typed_compare.event, typed_compare.error)
    page = client.responses.list(limit=5)
    first: ResponsesListItem = page.data[0]
    print(first.status, page.has_more)


async def async_forms(client: AsyncMeshAPI) -> None:
    reply: ResponsesResponse = await client.responses.create(input="hi")
    async for event in client.messages.stream(max_tokens=5, messages=[]):
        typed: MessagesStreamEvent = event
        del typed
    async for item in client.responses.list():
        listed: ResponsesListItem = item
        del listed
    page = await client.responses.list(after="resp_1")
    print(reply.output_text, page.last_id)
    await client.web.search(query="x", include_answr=True)  # type: ignore[call-overload]
