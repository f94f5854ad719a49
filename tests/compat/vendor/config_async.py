"""meshapi 0.1.11's ``MeshAPIConfig`` on the async side: the async HTTP client made from a
config, async resource classes made from it (templates by keyword, ``params=`` and all), and
``AsyncRealtimeResource(config)`` whose ``connect`` is awaited or used with ``async with``."""

from __future__ import annotations

import asyncio
import os

from meshapi import (
    AsyncChatResource,
    AsyncRealtimeResource,
    AsyncTemplatesResource,
    ChatCompletionParams,
    ChatMessage,
    CreateTemplateParams,
    MeshAPIConfig,
    UpdateTemplateParams,
)
from meshapi._http import AsyncHttpClient

BASE_URL = os.environ["MESHAPI_BASE_URL"]
TOKEN = os.environ["MESHAPI_TOKEN"]


async def main() -> None:
    config = MeshAPIConfig(base_url=BASE_URL, token=TOKEN)
    http = AsyncHttpClient(config)
    chat = AsyncChatResource(http)
    reply = await chat.completions.create(
        params=ChatCompletionParams(
            model="mesh/echo", messages=[ChatMessage(role="user", content="hello async")]
        )
    )
    print(reply.choices[0].message.content)
    templates = AsyncTemplatesResource(http)
    made = await templates.create(params=CreateTemplateParams(name="short", system="Be brief."))
    changed = await templates.update(
        template_id=made.id, params=UpdateTemplateParams(params={"max_tokens": 16})
    )
    print([t.name for t in await templates.list()], changed.params)
    await templates.delete(template_id=made.id)
    await http.aclose()

    realtime = AsyncRealtimeResource(config)
    async with realtime.connect(model="openai/gpt-realtime") as session:
        first = await session.receive()
        print(first.event["type"] if first.event else None)
    session = await realtime.connect(model="openai/gpt-realtime")
    await session.send(
        {"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}}
    )
    async for message in session:
        if message.event and message.event["type"] == "session.updated":
            print("updated")
            break
    await session.close()


if __name__ == "__main__":
    asyncio.run(main())
