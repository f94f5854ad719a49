"""Chat as meshapi 0.1.11 wrote it: params objects (positional and ``params=``), a stream,
and a tool call the application answers."""

from __future__ import annotations

import json
import os
from typing import List

from meshapi import (
    ChatCompletionChunk,
    ChatCompletionParams,
    ChatCompletionResponse,
    ChatMessage,
    MeshAPI,
    Tool,
    ToolCall,
    ToolFunction,
)

BASE_URL = os.environ["MESHAPI_BASE_URL"]
TOKEN = os.environ["MESHAPI_TOKEN"]

WEATHER = Tool(
    type="function",
    function=ToolFunction(
        name="get_weather",
        description="Get current weather for a city",
        parameters={
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    ),
)


def ask(client: MeshAPI, question: str) -> str:
    reply: ChatCompletionResponse = client.chat.completions.create(
        ChatCompletionParams(
            model="openai/gpt-4o-mini",
            messages=[
                ChatMessage(role="system", content="You are a concise assistant."),
                ChatMessage(role="user", content=question),
            ],
            temperature=0.7,
            max_tokens=256,
        )
    )
    return reply.choices[0].message.content or ""


def echo(client: MeshAPI, text: str) -> str:
    params = ChatCompletionParams(
        model="mesh/echo", messages=[ChatMessage(role="user", content=text)]
    )
    reply = client.chat.completions.create(params=params)
    return f"{reply.choices[0].message.content} ({reply.usage.total_tokens if reply.usage else 0} tokens)"


def stream(client: MeshAPI, text: str) -> str:
    params = ChatCompletionParams(
        model="mesh/echo", messages=[ChatMessage(role="user", content=text)]
    )
    chunks: List[ChatCompletionChunk] = []
    for chunk in client.chat.completions.stream(params=params):
        chunks.append(chunk)
    return "".join(
        c.choices[0].delta.content or "" for c in chunks if c.choices and c.choices[0].delta
    )


def weather(client: MeshAPI) -> str:
    messages = [ChatMessage(role="user", content="What is the weather in Paris?")]
    first = client.chat.completions.create(
        ChatCompletionParams(
            model="openai/gpt-4o-mini", messages=messages, tools=[WEATHER], tool_choice="auto"
        )
    )
    calls = first.choices[0].message.tool_calls or []
    call: ToolCall = calls[0]
    city = json.loads(call.function.arguments)["city"]
    messages.append(ChatMessage(role="assistant", content=None, tool_calls=[call]))
    messages.append(
        ChatMessage(role="tool", tool_call_id=call.id, content=json.dumps({"temp_c": 18}))
    )
    second = client.chat.completions.create(
        ChatCompletionParams(model="mesh/echo", messages=messages, tools=[WEATHER])
    )
    return f"{call.function.name}({city}) -> {first.choices[0].finish_reason}, then {second.choices[0].finish_reason}"


def main() -> None:
    client = MeshAPI(base_url=BASE_URL, token=TOKEN, timeout=30.0, max_retries=3)
    print(ask(client, "What is 2+2?"))
    print(echo(client, "hello there"))
    print(stream(client, "streamed hello"))
    print(weather(client))
    client.close()


if __name__ == "__main__":
    main()
