"""openai-python idioms as type checkers see them: checked by ``mypy --strict`` in
``scripts/lint``, never run. Each annotated assignment states the type mypy must infer; each
``type: ignore`` marks a mistake it must catch (``warn_unused_ignores`` fails the lint if it
stops catching one)."""

from __future__ import annotations

from typing import List, Optional

import httpx
from pydantic import BaseModel

from meshapi import (
    APIStatusError,
    AsyncMeshAPI,
    AsyncStream,
    AsyncStreamingResponse,
    BinaryResponseContent,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessageParam,
    MeshAPI,
    ModelInfo,
    ParsedChatCompletion,
    ParsedResponse,
    ResponsesResponse,
    ResponsesStreamEvent,
    Stream,
    StreamingResponse,
    TranscriptionResponse,
    pydantic_function_tool,
)

MESSAGES: List[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]


class Answer(BaseModel):
    value: int


def create_is_typed_by_stream(client: MeshAPI, flag: bool) -> None:
    whole: ChatCompletion = client.chat.completions.create(model="auto", messages=MESSAGES)
    stream: Stream[ChatCompletionChunk, ChatCompletion] = client.chat.completions.create(
        model="auto", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    either = client.chat.completions.create(model="auto", messages=MESSAGES, stream=flag)
    events: Stream[ResponsesStreamEvent, ResponsesResponse] = client.responses.create(
        input="hi", stream=True
    )
    whole.choices[0].message.content  # noqa: B018
    stream.choices  # type: ignore[attr-defined]  # noqa: B018
    either.choices  # type: ignore[union-attr]  # noqa: B018
    del events


async def async_create_is_typed_by_stream(client: AsyncMeshAPI) -> None:
    stream: AsyncStream[ChatCompletionChunk, ChatCompletion] = (
        await client.chat.completions.create(model="auto", messages=MESSAGES, stream=True)
    )
    async for chunk in stream:
        print(chunk.choices)
    await client.close()


def the_tool_loop(client: MeshAPI) -> None:
    messages = list(MESSAGES)
    resp = client.chat.completions.create(model="auto", messages=messages)
    messages.append(resp.choices[0].message)
    messages.append({"role": "tool", "tool_call_id": "call_1", "content": "18°C"})
    with client.chat.completions.stream(model="auto", messages=messages) as stream:
        messages.append(stream.get_final_completion().choices[0].message)
    client.chat.completions.create(model="auto", messages=messages)
    messages.append(resp)  # type: ignore[arg-type]


def structured_outputs(client: MeshAPI) -> None:
    completion: ParsedChatCompletion[Answer] = client.chat.completions.parse(
        model="auto", messages=MESSAGES, response_format=Answer
    )
    parsed: Optional[Answer] = completion.choices[0].message.parsed
    refusal: Optional[str] = completion.choices[0].message.refusal
    response: ParsedResponse[Answer] = client.responses.parse(input="hi", text_format=Answer)
    output: Optional[Answer] = response.output_parsed
    tools = client.chat.completions.parse(
        model="auto", messages=MESSAGES, tools=[pydantic_function_tool(Answer)]
    )
    arguments: object = (tools.choices[0].message.tool_calls or [])[0].function.parsed_arguments
    client.chat.completions.parse(  # type: ignore[call-overload]
        model="auto", messages=MESSAGES, response_format={"type": "json_object"}
    )
    print(parsed, refusal, output, arguments)


def raw_and_streaming_responses(client: MeshAPI) -> None:
    raw = client.chat.completions.with_raw_response.create(model="auto", messages=MESSAGES)
    completion: ChatCompletion = raw.parse()
    raw_stream = client.chat.completions.with_raw_response.create(
        model="auto", messages=MESSAGES, stream=True
    )
    chunks: Stream[ChatCompletionChunk, ChatCompletion] = raw_stream.parse()
    with client.chat.completions.with_streaming_response.create(
        model="auto", messages=MESSAGES
    ) as response:
        head: StreamingResponse[ChatCompletion] = response
        lines: List[str] = list(response.iter_lines())
        again: ChatCompletion = response.parse()
    with client.audio.speech.with_streaming_response.create(input="hi") as speech:
        size: int = speech.stream_to_file("speech.mp3")
    client.batches.with_streaming_response.wait("b")  # type: ignore[attr-defined]
    print(completion, chunks, head, lines, again, size)


async def async_streaming_responses(client: AsyncMeshAPI) -> None:
    async with client.chat.completions.with_streaming_response.create(
        model="auto", messages=MESSAGES, stream=True
    ) as response:
        head: AsyncStreamingResponse[AsyncStream[ChatCompletionChunk, ChatCompletion]] = response
        async for line in response.iter_lines():
            print(line, head)
    async with client.models.with_streaming_response.get("a/b") as model_response:
        model: ModelInfo = await model_response.parse()
        print(model)


def client_and_replies(client: MeshAPI) -> None:
    MeshAPI(http_client=httpx.Client(), timeout=httpx.Timeout(30.0, connect=5.0))
    MeshAPI(default_query={"a": "b"}, default_headers={"x": "y"})
    client.copy(max_retries=0).with_options(timeout=httpx.Timeout(10.0))
    MeshAPI(http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    data: List[ModelInfo] = client.models.list().data
    model: ModelInfo = client.models.retrieve("a/b")
    as_dict = model.to_dict()
    as_json: str = model.to_json(indent=None)
    speech: BinaryResponseContent = client.audio.speech.create(input="hi", voice="alloy")
    written: int = speech.write_to_file("hi.mp3")
    text: TranscriptionResponse = client.audio.transcriptions.create(
        model="openai/whisper-1", file=speech.content
    )
    client.audio.transcriptions.create(model="openai/whisper-1", fil=b"")  # type: ignore[call-overload]
    try:
        client.models.list()
    except APIStatusError as error:
        status: int = error.status_code
        body: object = error.response.json()
        print(status, body)
    print(data, as_dict, as_json, written, text)
