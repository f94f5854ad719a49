"""The async client as meshapi 0.1.11 wrote it: ``async with``, awaited ``create`` with a
params object (positional and ``params=``), an ``async for`` stream, and ``aclose``."""

from __future__ import annotations

import asyncio
import os

from meshapi import AsyncMeshAPI, ChatCompletionParams, ChatCompletionResponse, ChatMessage

BASE_URL = os.environ["MESHAPI_BASE_URL"]
TOKEN = os.environ["MESHAPI_TOKEN"]


async def main() -> None:
    async with AsyncMeshAPI(base_url=BASE_URL, token=TOKEN) as client:
        reply: ChatCompletionResponse = await client.chat.completions.create(
            ChatCompletionParams(
                model="openai/gpt-4o-mini",
                messages=[ChatMessage(role="user", content="What is 2+2?")],
            )
        )
        print(reply.choices[0].message.content)
        params = ChatCompletionParams(
            model="mesh/echo", messages=[ChatMessage(role="user", content="Hello!")]
        )
        again = await client.chat.completions.create(params=params)
        print(again.choices[0].message.content, again.choices[0].finish_reason)
        text = ""
        async for chunk in client.chat.completions.stream(params=params):
            if chunk.choices and chunk.choices[0].delta:
                text += chunk.choices[0].delta.content or ""
        print("streamed:", text)
        models = await client.models.list(type="text")
        print("text models:", len(models) > 0)

    client = AsyncMeshAPI(base_url=BASE_URL, token=TOKEN)
    model = await client.models.get(model_id="openai/gpt-4o-mini")
    print(model.id, model.is_free)
    await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
