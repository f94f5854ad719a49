"""Checked by ``mypy --strict`` in ``scripts/lint``, never run: a call that leaves out a
required field is caught in every form (keywords, a dict), while the params object, a dict
with the required keys, ``params=`` (meshapi 0.1.11's spelling) and the per-call options next
to them all type-check. Every ``type: ignore`` marks a mistake mypy must catch
(``warn_unused_ignores`` fails the lint if it stops catching one)."""

from __future__ import annotations

from pathlib import Path
from typing import List

from meshapi import (
    AsyncMeshAPI,
    AsyncMeshAPIAdmin,
    AsyncStream,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionParams,
    CreateTemplateParams,
    EmbeddingsParams,
    ImageGenerationParams,
    MeshAPI,
    MeshAPIAdmin,
    MessagesResponse,
    ModerationParams,
    ModerationParamsDict,
    ModerationResponse,
    ResponsesParams,
    ResponsesResponse,
    Stream,
    TranscriptionParams,
    TranscriptionResponse,
)

HI = [{"role": "user", "content": "hi"}]


def missing_required_keyword(client: MeshAPI) -> None:
    client.moderations.create()  # type: ignore[call-overload]
    client.chat.completions.create(model="openai/gpt-4o-mini")  # type: ignore[call-overload]
    client.chat.completions.create(model="auto", stream=True)  # type: ignore[call-overload]
    client.chat.completions.stream(model="auto")  # type: ignore[call-overload]
    client.chat.completions.parse(model="auto")  # type: ignore[call-overload]
    client.audio.transcribe(num_speakers=99)  # type: ignore[call-overload]
    client.audio.transcribe("a.mp3", diarize=True)  # type: ignore[call-overload]
    client.audio.transcriptions.create(file=b"x")  # type: ignore[call-overload]
    client.audio.speech.create(model="m", voice="alloy")  # type: ignore[call-overload]
    client.audio.synthesize(voice="alloy")  # type: ignore[call-overload]
    client.embeddings.create()  # type: ignore[call-overload]
    client.embeddings.create(model="openai/text-embedding-3-small")  # type: ignore[call-overload]
    client.images.generate()  # type: ignore[call-overload]
    client.images.generate(model="openai/gpt-image-1", size="1024x1024")  # type: ignore[call-overload]
    client.images.edit(prompt="a hat")  # type: ignore[call-overload]
    client.responses.create(model="auto")  # type: ignore[call-overload]
    client.messages.create(model="m", messages=HI)  # type: ignore[call-overload]
    client.compare.create(messages=HI)  # type: ignore[call-overload]
    client.web.search(max_results=3)  # type: ignore[call-overload]
    client.router.select()  # type: ignore[call-overload]
    client.rag.search(top_k=3)  # type: ignore[call-overload]
    client.batches.create()  # type: ignore[call-overload]
    client.videos.generate(model="m")  # type: ignore[call-overload]
    client.templates.create(system="You help.")  # type: ignore[call-overload]


def missing_required_key_in_a_dict(client: MeshAPI) -> None:
    client.moderations.create({})  # type: ignore[call-overload]
    client.chat.completions.create({"model": "auto"})  # type: ignore[call-overload]
    client.embeddings.create(params={"model": "m"})  # type: ignore[call-overload]
    empty: ModerationParamsDict = {}  # type: ignore[typeddict-item]
    del empty


def params_and_fields_together(client: MeshAPI, params: ModerationParams) -> None:
    # refused at run time ("Pass the parameters once"): caught before
    client.moderations.create(params, input="x")  # type: ignore[call-overload]
    client.images.generate(ImageGenerationParams(prompt="a fox"), prompt="a cat")  # type: ignore[call-overload]


def valid_forms(client: MeshAPI, params: ModerationParams) -> None:
    replies: List[ModerationResponse] = [
        client.moderations.create(input="x"),
        client.moderations.create(input="x", model="m", timeout=5.0, max_retries=0),
        client.moderations.create(params),
        client.moderations.create(ModerationParams(input="x")),
        client.moderations.create({"input": "x"}),
        client.moderations.create({"input": ["a", "b"], "model": "m"}),
        client.moderations.create(params=params),
        client.moderations.create(params={"input": "x"}),
        client.moderations.create(
            params, timeout=5.0, max_retries=0, deadline=30.0, extra_headers={"X-A": "b"}
        ),
        client.moderations.create(params=params, extra_query={"q": "1"}, idempotency_key="k"),
    ]
    fields: ModerationParamsDict = {"input": "x"}
    client.moderations.create(fields)
    client.embeddings.create(EmbeddingsParams(model="m", input="hi"), timeout=1.0)
    client.embeddings.create(params={"input": "hi"}, max_retries=2)
    client.images.generate({"prompt": "a fox"}, deadline=60.0)
    client.images.generate(prompt="a fox")
    client.web.search({"query": "x"}, extra_headers={"X-A": "b"})
    client.rag.search(query="leave", top_k=3)
    print(replies)


def chat_forms(client: MeshAPI, params: ChatCompletionParams, flag: bool) -> None:
    whole: ChatCompletion = client.chat.completions.create(params)
    whole = client.chat.completions.create(params, timeout=5.0, max_retries=0)
    whole = client.chat.completions.create(params=params, stream=False)
    whole = client.chat.completions.create({"messages": HI}, extra_headers={"X-A": "b"})
    whole = client.chat.completions.create(messages=HI, model="auto", timeout=5.0)
    streamed: Stream[ChatCompletionChunk, ChatCompletion] = client.chat.completions.create(
        params, stream=True, timeout=5.0
    )
    streamed = client.chat.completions.create(messages=HI, stream=True)
    streamed = client.chat.completions.stream(params, timeout=5.0)
    streamed = client.chat.completions.stream(params=params)
    streamed = client.chat.completions.stream(messages=HI)
    either = client.chat.completions.create(params, stream=flag)
    either = client.chat.completions.create(messages=HI, stream=flag)
    parsed = client.chat.completions.parse(params, max_retries=0)
    parsed = client.chat.completions.parse(messages=HI)
    print(whole, streamed, either, parsed.choices)


def other_overloaded_methods(client: MeshAPI, params: ResponsesParams) -> None:
    reply: ResponsesResponse = client.responses.create(params, timeout=5.0)
    reply = client.responses.create(input="hi")
    reply = client.responses.create(params=params)
    message: MessagesResponse = client.messages.create(
        {"model": "m", "max_tokens": 16, "messages": HI}, max_retries=0
    )
    message = client.messages.create(model="m", max_tokens=16, messages=HI)
    print(reply, message)


def files(client: MeshAPI, audio: bytes) -> None:
    params = TranscriptionParams(model="elevenlabs/scribe_v2")
    results: List[TranscriptionResponse] = [
        client.audio.transcribe(audio, params),
        client.audio.transcribe(audio, params, filename="a.mp3", timeout=60.0),
        client.audio.transcribe(None, {"model": "m", "source_url": "https://x/a.mp3"}),
        client.audio.transcribe(file=audio, params=params),
        client.audio.transcribe(params=params, max_retries=0),
        client.audio.transcribe(Path("a.mp3"), model="m", diarize=True, num_speakers=2),
        client.audio.transcriptions.create(params, file=audio, timeout=60.0),
        client.audio.transcriptions.create(model="openai/whisper-1", file=audio),
        client.audio.audio_translate(audio, {"model": "m"}),
        client.audio.audio_translate(audio, model="m"),
    ]
    client.audio.audio_translate(audio)  # type: ignore[call-overload]
    client.audio.translations.create(file=audio)  # type: ignore[call-overload]
    print(results)


def vendor_keyword_params(client: MeshAPI) -> None:
    client.templates.create(CreateTemplateParams(name="x"), timeout=5.0)
    client.templates.create(params=CreateTemplateParams(name="x"), max_retries=0)
    client.templates.create({"name": "x"})
    client.templates.create(name="x", params={"temperature": 0.2})
    client.templates.create(params={"temperature": 0.2})  # type: ignore[call-overload]


def admin(admin: MeshAPIAdmin) -> None:
    admin.provider_keys.add("openai", api_key="sk-x")
    admin.provider_keys.add("openai", {"api_key": "sk-x"}, timeout=5.0)
    admin.provider_keys.add("openai")  # type: ignore[call-overload]
    admin.provider_keys.add("aws", access_key_id="a", region="us-east-1")  # type: ignore[call-overload]
    admin.memories.items.create("support", type="fact", content="x")
    admin.memories.items.create("support", {"type": "fact", "content": "x"}, max_retries=0)
    admin.memories.items.create("support", type="fact")  # type: ignore[call-overload]
    admin.orgs.create(name="acme")
    admin.orgs.create()  # type: ignore[call-overload]
    admin.admin_keys.create(name="deploy")  # type: ignore[call-overload]
    admin.billing.setup_auto_recharge()  # type: ignore[call-overload]


async def async_forms(client: AsyncMeshAPI, admin: AsyncMeshAPIAdmin) -> None:
    await client.moderations.create()  # type: ignore[call-overload]
    await client.chat.completions.create(model="auto")  # type: ignore[call-overload]
    await client.audio.transcribe(num_speakers=99)  # type: ignore[call-overload]
    await client.embeddings.create()  # type: ignore[call-overload]
    await client.images.generate()  # type: ignore[call-overload]
    await admin.orgs.invitations.create(email="a@example.com")  # type: ignore[call-overload]
    reply: ModerationResponse = await client.moderations.create(input="x", timeout=5.0)
    reply = await client.moderations.create(ModerationParams(input="x"), max_retries=0)
    stream: AsyncStream[ChatCompletionChunk, ChatCompletion] = (
        await client.chat.completions.create(messages=HI, stream=True)
    )
    async for event in client.images.stream(prompt="a fox"):
        print(event.has_images)
    print(reply, stream)


def raw_and_streaming_views(client: MeshAPI, params: ModerationParams) -> None:
    raw = client.moderations.with_raw_response.create(params, timeout=5.0)
    parsed: ModerationResponse = raw.parse()
    client.moderations.with_raw_response.create()  # type: ignore[call-overload]
    client.chat.completions.with_raw_response.create(model="auto")  # type: ignore[call-overload]
    client.embeddings.with_raw_response.create(input="hi")
    with client.moderations.with_streaming_response.create(input="x") as response:
        print(response.status_code)
    client.moderations.with_streaming_response.create()  # type: ignore[call-overload]
    client.audio.with_streaming_response.transcribe(b"x")  # type: ignore[call-overload]
    print(parsed)


async def async_views(client: AsyncMeshAPI) -> None:
    raw = await client.chat.completions.with_raw_response.create(messages=HI)
    completion: ChatCompletion = await raw.parse()
    await client.chat.completions.with_raw_response.create(model="auto")  # type: ignore[call-overload]
    print(completion)
