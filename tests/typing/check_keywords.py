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
    # create() is overloaded on stream=, so mypy names no overload that matches
    client.chat.completions.create(  # type: ignore[call-overload]
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "hi"}],
        temprature=0.2,
    )
    client.embeddings.create(model="x", input="hi", dimensons=3)  # type: ignore[call-overload]


def wrong_field_type(client: MeshAPI) -> None:
    client.chat.completions.create(  # type: ignore[call-overload]
        messages=[{"role": "user", "content": "hi"}],
        max_tokens="many",
    )
    client.embeddings.create(model="x", input="hi", dimensions="3")  # type: ignore[call-overload]


def misspelled_option(client: MeshAPI) -> None:
    client.models.free(max_retry=1)  # type: ignore[call-arg]


def params_object_and_dict(client: MeshAPI) -> None:
    client.chat.completions.create(ChatCompletionParams(messages=[]))
    client.chat.completions.create({"messages": [{"role": "user", "content": "hi"}]})
    client.chat.completions.create({"mesages": []})  # type: ignore[call-overload]


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
    await client.chat.completions.create(model="auto", messages=[], seed="x")  # type: ignore[call-overload]


def raw_responses(client: MeshAPI) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="auto", messages=[{"role": "user", "content": "hi"}], max_retries=0
    )
    completion: ChatCompletion = raw.parse()
    status: int = raw.status_code
    stream = client.chat.completions.with_raw_response.stream(model="auto", messages=[])
    for chunk in stream.parse():
        print(chunk.choices, completion, status)
    final: ChatCompletion = stream.parse().final()
    model: ModelInfo = client.models.with_raw_response.get("a/b").parse()
    first: ModelInfo = client.models.with_raw_response.search(q="x").parse().data[0]
    print(final, model, first)
    client.chat.completions.with_raw_response.create(modle="auto")  # type: ignore[call-overload]
    client.chat.completions.with_raw_response.craete()  # type: ignore[attr-defined]
    client.realtime.with_raw_response.connect(model="x")  # type: ignore[attr-defined]
    wrong: int = raw.parse()  # type: ignore[assignment]
    del wrong


async def async_raw_responses(client: AsyncMeshAPI) -> None:
    raw = await client.chat.completions.with_raw_response.create(model="auto", messages=[])
    completion: ChatCompletion = await raw.parse()
    stream = await (await client.chat.completions.with_raw_response.stream(messages=[])).parse()
    final: ChatCompletion = await stream.final()
    async for piece in stream.text():
        text: str = piece
        del text
    page = await (await client.models.with_raw_response.search(q="x")).parse()
    first: ModelInfo = page.data[0]
    print(completion, final, first, raw.request_id, raw.elapsed, raw.attempts)
    await client.models.with_raw_response.get(3)  # type: ignore[arg-type]
