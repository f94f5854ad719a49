"""openai-python programs for ``openai.AsyncOpenAI``, with only the import and the construction
changed (``from meshapi import AsyncMeshAPI``). ``test_openai_programs.py`` runs each under
asyncio and under trio; ``mypy --strict`` checks them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import httpx

from meshapi import (
    APIStatusError,
    AsyncMeshAPI,
    ChatCompletionMessageParam,
    NotFoundError,
    pydantic_function_tool,
)

from .openai_sync import FUNCTIONS, MODEL, TOOLS, GetDeliveryDate, MathReasoning


async def tool_loop(base_url: str, api_key: str) -> Tuple[List[ChatCompletionMessageParam], str]:
    """The tool loop, awaited."""
    client = AsyncMeshAPI(api_key=api_key, base_url=base_url)
    messages: List[ChatCompletionMessageParam] = [
        {"role": "user", "content": "What's the weather like in Paris today?"}
    ]
    while True:
        response = await client.chat.completions.create(
            model=MODEL, messages=messages, tools=TOOLS
        )
        message = response.choices[0].message
        messages.append(message)
        if not message.tool_calls:
            await client.close()
            return messages, message.content or ""
        for tool_call in message.tool_calls:
            result = FUNCTIONS[tool_call.function.name](**json.loads(tool_call.function.arguments))
            messages.append({"role": "tool", "tool_call_id": tool_call.id, "content": result})


async def stream_create(base_url: str, api_key: str) -> Tuple[str, Optional[int]]:
    """``stream = await client.chat.completions.create(..., stream=True)``."""
    client = AsyncMeshAPI(api_key=api_key, base_url=base_url)
    stream = await client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Count to 5."}],
        stream=True,
        stream_options={"include_usage": True},
    )
    text = ""
    total: Optional[int] = None
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content is not None:
            text += chunk.choices[0].delta.content
        if chunk.usage is not None:
            total = chunk.usage.total_tokens
    await client.close()
    return text, total


async def stream_helper(base_url: str, api_key: str) -> Tuple[str, str]:
    """openai's ``.stream()`` helper: ``async with``, the events, then the final completion."""
    client = AsyncMeshAPI(api_key=api_key, base_url=base_url)
    text = ""
    async with client.chat.completions.stream(
        model=MODEL, messages=[{"role": "user", "content": "Count to 3."}]
    ) as stream:
        async for chunk in stream:
            if chunk.choices:
                text += chunk.choices[0].delta.content
        completion = await stream.get_final_completion()
    await client.close()
    return text, completion.choices[0].message.content or ""


async def structured(base_url: str, api_key: str) -> Tuple[Optional[MathReasoning], List[str]]:
    """``parse`` with a model as the response format, and tools made from models."""
    client = AsyncMeshAPI(api_key=api_key, base_url=base_url)
    completion = await client.chat.completions.parse(
        model=MODEL,
        messages=[{"role": "user", "content": "how can I solve 8x + 7 = -23"}],
        response_format=MathReasoning,
    )
    with_tools = await client.chat.completions.parse(
        model=MODEL,
        messages=[{"role": "user", "content": "Where is my order #12345?"}],
        tools=[pydantic_function_tool(GetDeliveryDate)],
    )
    orders = [
        call.function.parsed_arguments.order_id
        for call in with_tools.choices[0].message.tool_calls or []
        if isinstance(call.function.parsed_arguments, GetDeliveryDate)
    ]
    await client.close()
    return completion.choices[0].message.parsed, orders


async def responses(base_url: str, api_key: str) -> Tuple[Optional[MathReasoning], str]:
    """The Responses API: ``parse`` with ``text_format``, and ``create(stream=True)``."""
    client = AsyncMeshAPI(api_key=api_key, base_url=base_url)
    parsed = await client.responses.parse(
        model=MODEL, input="how can I solve 8x + 7 = -23", text_format=MathReasoning
    )
    stream = await client.responses.create(model=MODEL, input="What is 2+2?", stream=True)
    final = await stream.get_final_response()
    await client.close()
    return parsed.output_parsed, final.output_text


async def raw_and_streaming(base_url: str, api_key: str, folder: Path) -> Dict[str, Any]:
    """``with_raw_response`` and ``with_streaming_response``, awaited."""
    client = AsyncMeshAPI(api_key=api_key, base_url=base_url)
    seen: Dict[str, Any] = {}
    raw = await client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "What is 2+2?"}]
    )
    seen["raw"] = (raw.status_code, (await raw.parse()).choices[0].message.content)
    async with client.chat.completions.with_streaming_response.create(
        model=MODEL, messages=[{"role": "user", "content": "What is 2+2?"}]
    ) as response:
        seen["request_id"] = response.headers.get("x-request-id")
        completion = await response.parse()
        seen["parsed"] = (completion.request_id, completion.choices[0].message.content)
    async with client.chat.completions.with_streaming_response.create(
        model=MODEL, messages=[{"role": "user", "content": "Count to 3."}], stream=True
    ) as response:
        seen["lines"] = [line async for line in response.iter_lines() if line]
    async with client.audio.speech.with_streaming_response.create(
        model="sarvam/bulbul:v3", voice="alloy", input="Hello."
    ) as speech:
        await speech.stream_to_file(folder / "speech.mp3")
    seen["size"] = (folder / "speech.mp3").stat().st_size
    await client.close()
    return seen


async def errors_and_audio(base_url: str, api_key: str) -> Dict[str, Any]:
    """Errors by openai's names, and audio in openai's shape."""
    http_client = httpx.AsyncClient()
    client = AsyncMeshAPI(
        api_key=api_key,
        base_url=base_url,
        http_client=http_client,
        timeout=httpx.Timeout(20.0, connect=5.0),
    )
    seen: Dict[str, Any] = {}
    try:
        await client.models.retrieve("no-such/model")
    except NotFoundError as error:
        seen["not_found"] = error.status_code
    except APIStatusError as error:  # pragma: no cover - the line above catches it
        seen["status"] = error.status_code
    speech = await client.audio.speech.create(
        model="sarvam/bulbul:v3", voice="alloy", input="Good morning."
    )
    transcription = await client.audio.transcriptions.create(
        model="openai/whisper-1", file=("speech.mp3", speech.content)
    )
    seen["transcript"] = transcription.text
    models = await client.models.list()
    seen["models"] = len(models.data)
    await client.close()
    seen["http_client_open"] = not http_client.is_closed
    await http_client.aclose()
    return seen
