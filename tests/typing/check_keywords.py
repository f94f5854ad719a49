"""Checked by ``mypy --strict`` in ``scripts/lint``, never run: every ``type: ignore`` below
marks a mistake mypy must catch (with ``warn_unused_ignores``, a mistake it stops catching
fails the lint)."""

from __future__ import annotations

from meshapi import AsyncMeshAPI, ChatCompletion, ChatCompletionParams, MeshAPI, ModelInfo


def keyword_form(client: MeshAPI) -> ChatCompletion:
    return client.chat.completions.create(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "hi"}],
        temperature=0.2,
        max_retries=0,
        timeout=5.0,
    )


def misspelled_field(client: MeshAPI) -> None:
    client.chat.completions.create(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "hi"}],
        temprature=0.2,  # type: ignore[call-arg]
    )


def wrong_field_type(client: MeshAPI) -> None:
    client.chat.completions.create(
        messages=[{"role": "user", "content": "hi"}],
        max_tokens="many",  # type: ignore[arg-type]
    )


def misspelled_option(client: MeshAPI) -> None:
    client.models.free(max_retry=1)  # type: ignore[call-arg]


def params_object_and_dict(client: MeshAPI) -> None:
    client.chat.completions.create(ChatCompletionParams(messages=[]))
    client.chat.completions.create({"messages": [{"role": "user", "content": "hi"}]})
    client.chat.completions.create({"mesages": []})  # type: ignore[arg-type]


def pages(client: MeshAPI) -> None:
    page = client.models.search(q="claude")
    first: ModelInfo = page.data[0]
    for model in page:
        reveal: ModelInfo = model
    del first, reveal


async def async_forms(client: AsyncMeshAPI) -> None:
    reply: ChatCompletion = await client.chat.completions.create(
        model="auto", messages=[{"role": "user", "content": "hi"}]
    )
    async for chunk in client.chat.completions.stream(model="auto", messages=[]):
        print(chunk.choices)
    async for model in client.models.search(q="x"):
        found: ModelInfo = model
        del found
    page = await client.models.search(q="x")
    print(page.total, reply)
    await client.chat.completions.create(model="auto", messages=[], seed="x")  # type: ignore[arg-type]
