"""openai-python programs, as their users wrote them for ``openai.OpenAI``, with only the import
and the construction changed (``from meshapi import MeshAPI``, ``MeshAPI(api_key=...,
base_url=...)``). ``test_openai_programs.py`` runs each against the emulator; ``mypy --strict``
checks them (``scripts/lint``), as it would check the user's own code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import httpx
from pydantic import BaseModel

from meshapi import (
    APIConnectionError,
    APIError,
    APIStatusError,
    ChatCompletionMessageParam,
    ConflictError,
    InternalServerError,
    MeshAPI,
    NotFoundError,
    RateLimitError,
    pydantic_function_tool,
)

MODEL = "openai/gpt-4o-mini"


def get_weather(city: str) -> str:
    """The program's own tool."""
    return json.dumps({"city": city, "forecast": "sunny", "celsius": 21})


TOOLS: List[Dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]
FUNCTIONS: Dict[str, Callable[..., str]] = {"get_weather": get_weather}


def tool_loop(base_url: str, api_key: str) -> Tuple[List[ChatCompletionMessageParam], str]:
    """The tool loop of openai's function-calling guide: append the reply's message, then a
    ``tool`` message per call, and ask again until the model answers in text."""
    client = MeshAPI(api_key=api_key, base_url=base_url)
    messages: List[ChatCompletionMessageParam] = [
        {"role": "user", "content": "What's the weather like in Paris today?"}
    ]
    while True:
        response = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS)
        message = response.choices[0].message
        messages.append(message)
        if not message.tool_calls:
            client.close()
            return messages, message.content or ""
        for tool_call in message.tool_calls:
            arguments = json.loads(tool_call.function.arguments)
            result = FUNCTIONS[tool_call.function.name](**arguments)
            messages.append({"role": "tool", "tool_call_id": tool_call.id, "content": result})


def streamed_tool_loop(base_url: str, api_key: str) -> Tuple[List[ChatCompletionMessageParam], str]:
    """The same loop over streams (openai's ``.stream()`` helper): each turn's final
    completion goes back into the conversation."""
    client = MeshAPI(api_key=api_key, base_url=base_url)
    messages: List[ChatCompletionMessageParam] = [
        {"role": "user", "content": "What's the weather like in Paris today?"}
    ]
    while True:
        with client.chat.completions.stream(model=MODEL, messages=messages, tools=TOOLS) as stream:
            for _event in stream:
                pass
            completion = stream.get_final_completion()
        message = completion.choices[0].message
        messages.append(message)
        if not message.tool_calls:
            client.close()
            return messages, message.content or ""
        for tool_call in message.tool_calls:
            result = FUNCTIONS[tool_call.function.name](**json.loads(tool_call.function.arguments))
            messages.append({"role": "tool", "tool_call_id": tool_call.id, "content": result})


class Step(BaseModel):
    explanation: str
    output: str


class MathReasoning(BaseModel):
    steps: List[Step]
    final_answer: str


def structured_output(base_url: str, api_key: str) -> Tuple[Optional[MathReasoning], Optional[str]]:
    """openai's structured-outputs guide: ``parse`` with a pydantic ``response_format``."""
    client = MeshAPI(api_key=api_key, base_url=base_url)
    completion = client.chat.completions.parse(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You are a helpful math tutor."},
            {"role": "user", "content": "how can I solve 8x + 7 = -23"},
        ],
        response_format=MathReasoning,
    )
    message = completion.choices[0].message
    client.close()
    if message.refusal:
        return None, message.refusal
    return message.parsed, None


class GetDeliveryDate(BaseModel):
    """Get the delivery date for a customer's order."""

    order_id: str


def structured_tools(base_url: str, api_key: str) -> List[GetDeliveryDate]:
    """Tools made from pydantic models, their arguments parsed into them."""
    client = MeshAPI(api_key=api_key, base_url=base_url)
    completion = client.chat.completions.parse(
        model=MODEL,
        messages=[{"role": "user", "content": "Where is my order #12345?"}],
        tools=[pydantic_function_tool(GetDeliveryDate)],
    )
    found: List[GetDeliveryDate] = []
    for tool_call in completion.choices[0].message.tool_calls or []:
        parsed = tool_call.function.parsed_arguments
        assert isinstance(parsed, GetDeliveryDate)
        found.append(parsed)
    client.close()
    return found


class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: List[str]


def responses_structured(base_url: str, api_key: str) -> Optional[CalendarEvent]:
    """The Responses API's ``parse`` with ``text_format``."""
    client = MeshAPI(api_key=api_key, base_url=base_url)
    response = client.responses.parse(
        model=MODEL,
        input=[
            {"role": "system", "content": "Extract the event information."},
            {"role": "user", "content": "Alice and Bob are going to a science fair on Friday."},
        ],
        text_format=CalendarEvent,
    )
    client.close()
    return response.output_parsed


def stream_create(base_url: str, api_key: str) -> Tuple[str, Optional[int]]:
    """``create(stream=True)`` with ``stream_options``: the text, and the usage chunk's."""
    client = MeshAPI(api_key=api_key, base_url=base_url)
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Count to 5."}],
        stream=True,
        stream_options={"include_usage": True},
    )
    text = ""
    total: Optional[int] = None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content is not None:
            text += chunk.choices[0].delta.content
        if chunk.usage is not None:
            total = chunk.usage.total_tokens
    client.close()
    return text, total


def responses_stream(base_url: str, api_key: str) -> str:
    """The Responses API streamed with ``create(stream=True)``."""
    client = MeshAPI(api_key=api_key, base_url=base_url)
    text = ""
    for event in client.responses.create(model=MODEL, input="What is 2+2?", stream=True):
        if event.type == "response.output_text.delta":
            # openai types the events as a union narrowed by ``type``; here the event is a
            # ResponsesStreamEvent whose delta events are a subclass, so mypy needs telling
            text += event.delta  # type: ignore[attr-defined]
    client.close()
    return text


def raw_response(base_url: str, api_key: str) -> Tuple[int, Optional[str], str]:
    """``with_raw_response``: the headers, then the parsed completion."""
    client = MeshAPI(api_key=api_key, base_url=base_url)
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "What is 2+2?"}]
    )
    request_id = raw.headers.get("x-request-id")
    completion = raw.parse()
    client.close()
    return raw.status_code, request_id, completion.choices[0].message.content or ""


def streaming_response(base_url: str, api_key: str, folder: Path) -> Tuple[List[str], int]:
    """``with_streaming_response``: an event stream read line by line, and speech written to
    a file as it arrives."""
    client = MeshAPI(api_key=api_key, base_url=base_url)
    lines: List[str] = []
    with client.chat.completions.with_streaming_response.create(
        model=MODEL, messages=[{"role": "user", "content": "Count to 3."}], stream=True
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line:
                lines.append(line)
    with client.audio.speech.with_streaming_response.create(
        model="sarvam/bulbul:v3", voice="alloy", input="Hello from the stream."
    ) as speech:
        speech.stream_to_file(folder / "speech.mp3")
    client.close()
    return lines, (folder / "speech.mp3").stat().st_size


def errors(base_url: str, api_key: str) -> Dict[str, Any]:
    """openai's error handling: the status family first, then the connection."""
    client = MeshAPI(api_key=api_key, base_url=base_url, max_retries=0)
    seen: Dict[str, Any] = {}
    try:
        client.models.retrieve("no-such/model")
    except NotFoundError as error:
        seen["not_found"] = (error.status_code, error.response.json()["error"]["code"])
    try:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    except RateLimitError as error:
        seen["rate_limited"] = error.response.headers.get("retry-after")
    except InternalServerError as error:
        seen["server"] = error.status_code
    except APIStatusError as error:
        seen["status"] = (error.status_code, error.response.text)
    unreachable = MeshAPI(api_key=api_key, base_url="http://127.0.0.1:9", max_retries=0)
    try:
        unreachable.models.list()
    except APIConnectionError as error:
        seen["connection"] = type(error).__name__
    except APIError as error:  # pragma: no cover - the line above catches it
        seen["other"] = error
    seen["conflict_is_a_bad_request"] = issubclass(ConflictError, APIStatusError)
    client.close()
    unreachable.close()
    return seen


def audio(base_url: str, api_key: str, folder: Path) -> Tuple[int, str, str]:
    """openai's audio guide: speech to a file, then back to text, and to English."""
    client = MeshAPI(api_key=api_key, base_url=base_url)
    speech_file_path = folder / "speech.mp3"
    response = client.audio.speech.create(
        model="sarvam/bulbul:v3", voice="alloy", input="Today is a wonderful day."
    )
    response.write_to_file(speech_file_path)
    with open(speech_file_path, "rb") as audio_file:
        transcription = client.audio.transcriptions.create(model="openai/whisper-1", file=audio_file)
    with open(speech_file_path, "rb") as audio_file:
        translation = client.audio.translations.create(model="openai/whisper-1", file=audio_file)
    client.close()
    return len(response.content), transcription.text or "", translation.text or ""


def models(base_url: str, api_key: str) -> Tuple[List[str], str, Dict[str, Any], str]:
    """The catalog: ``models.list().data``, ``models.retrieve``, and a reply's dict and JSON."""
    client = MeshAPI(api_key=api_key, base_url=base_url)
    ids = [model.id for model in client.models.list().data]
    model = client.models.retrieve(MODEL)
    client.close()
    return ids, model.id, model.to_dict(), model.to_json()


def client_settings(base_url: str, api_key: str) -> List[str]:
    """openai's client settings: your httpx client, an ``httpx.Timeout``, default headers and
    query, ``with_options`` and ``copy``."""
    http_client = httpx.Client()
    client = MeshAPI(
        api_key=api_key,
        base_url=base_url,
        http_client=http_client,
        timeout=httpx.Timeout(20.0, connect=5.0),
        default_headers={"X-Team": "compat"},
        default_query={"source": "compat"},
        max_retries=1,
    )
    answers = []
    for each in (client, client.with_options(timeout=5.0), client.copy(max_retries=0)):
        reply = each.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "What is 2+2?"}]
        )
        answers.append(reply.choices[0].message.content or "")
    client.close()
    assert not http_client.is_closed  # ours to close
    http_client.close()
    return answers


def answer(client: MeshAPI, question: str) -> str:
    """Application code that tests mock (see the ``mocks`` tests)."""
    completion = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": question}]
    )
    return completion.choices[0].message.content or ""
