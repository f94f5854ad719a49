"""The emulated models call tools and answer in JSON modes the way providers do, unscripted.

Arguments are checked with the independent validator of ``test_schema.py``; every request goes
through the SDK and the in-process transport, as an application's own test would.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List

import pytest

from meshapi import MeshAPI
from meshapi.testing import Gateway, InProcessTransport

from .test_schema import problems

WEATHER: Dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
        "where": {
            "type": "object",
            "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
            "required": ["lat", "lon"],
            "additionalProperties": False,
        },
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
    },
    "required": ["city", "unit", "days", "where", "tags"],
    "additionalProperties": False,
}
TIME: Dict[str, Any] = {
    "type": "object",
    "properties": {"zone": {"type": "string"}},
    "required": ["zone"],
}
TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}},
    {"type": "function", "function": {"name": "get_time", "parameters": TIME}},
]
SCHEMAS = {"get_weather": WEATHER, "get_time": TIME}


@pytest.fixture
def client() -> Iterator[MeshAPI]:
    gateway = Gateway()
    with MeshAPI(
        base_url="http://127.0.0.1", token=gateway.token, transport=InProcessTransport(gateway)
    ) as client:
        yield client


def user(text: str) -> List[Dict[str, Any]]:
    return [{"role": "user", "content": text}]


def calls_of(reply: Any) -> List[Any]:
    return list(reply.choices[0].message.tool_calls or [])


def assert_valid(call: Any) -> Dict[str, Any]:
    arguments = json.loads(call.function.arguments)
    assert problems(arguments, SCHEMAS[call.function.name], SCHEMAS[call.function.name]) == []
    return dict(arguments)


def test_a_forced_function_is_called_with_arguments_valid_for_its_schema(client: MeshAPI) -> None:
    reply = client.chat.completions.create(
        model="openai/gpt-4o-mini",
        messages=user("Hello there."),
        tools=TOOLS,
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    assert reply.choices[0].finish_reason == "tool_calls"
    (call,) = calls_of(reply)
    assert call.function.name == "get_weather" and call.id.startswith("call_")
    arguments = assert_valid(call)
    assert arguments["unit"] in ("celsius", "fahrenheit") and len(arguments["tags"]) >= 2


def test_required_calls_the_first_tool_when_none_is_mentioned(client: MeshAPI) -> None:
    reply = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=user("Hello."), tools=TOOLS, tool_choice="required"
    )
    assert [c.function.name for c in calls_of(reply)] == ["get_weather"]


def test_auto_calls_the_tools_the_message_mentions_else_answers_in_text(client: MeshAPI) -> None:
    named = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=user("Please GET TIME in Paris."), tools=TOOLS
    )
    assert [c.function.name for c in calls_of(named)] == ["get_time"]
    both = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=user("get_time and get_weather"), tools=TOOLS
    )
    assert [c.function.name for c in calls_of(both)] == ["get_weather", "get_time"]
    assert len({c.id for c in calls_of(both)}) == 2
    one = client.chat.completions.create(
        model="openai/gpt-4o-mini",
        messages=user("get_time and get_weather"),
        tools=TOOLS,
        parallel_tool_calls=False,
    )
    assert [c.function.name for c in calls_of(one)] == ["get_weather"]
    plain = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=user("What is 2+2?"), tools=TOOLS
    )
    assert plain.choices[0].finish_reason == "stop"
    assert plain.choices[0].message.content == "2 + 2 = 4."
    none = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=user("get_time"), tools=TOOLS, tool_choice="none"
    )
    assert not calls_of(none)


def test_a_tool_loop_ends_after_the_tools_answer(client: MeshAPI) -> None:
    messages: List[Dict[str, Any]] = user("What is the weather? Use get_weather.")
    for _ in range(3):
        reply = client.chat.completions.create(
            model="openai/gpt-4o-mini", messages=messages, tools=TOOLS, tool_choice="required"
        )
        message = reply.choices[0].message
        if not message.tool_calls:
            break
        messages.append(message.model_dump(exclude_none=True))
        for call in message.tool_calls:
            messages.append({"role": "tool", "tool_call_id": call.id, "content": "sunny"})
    assert reply.choices[0].finish_reason == "stop"
    assert reply.choices[0].message.content
    assert len(messages) == 3


def test_a_stream_sends_arguments_in_fragments_that_assemble_to_the_call(
    client: MeshAPI,
) -> None:
    kwargs: Dict[str, Any] = {
        "model": "openai/gpt-4o-mini",
        "messages": user("get_weather and get_time"),
        "tools": TOOLS,
    }
    whole = client.chat.completions.create(**kwargs)
    fragments: Dict[int, int] = {}
    with client.chat.completions.stream(**kwargs) as stream:
        for chunk in stream:
            for choice in chunk.choices:
                for delta in (choice.delta.tool_calls or []) if choice.delta else []:
                    if delta.function and delta.function.arguments:
                        fragments[delta.index] = fragments.get(delta.index, 0) + 1
        final = stream.final()
    assert fragments.keys() == {0, 1} and all(n >= 2 for n in fragments.values())
    assert [(c.function.name, c.function.arguments) for c in calls_of(final)] == [
        (c.function.name, c.function.arguments) for c in calls_of(whole)
    ]
    assert final.choices[0].finish_reason == "tool_calls"


def test_forcing_a_function_that_is_not_among_the_tools_is_a_400(client: MeshAPI) -> None:
    from meshapi import BadRequestError

    with pytest.raises(BadRequestError, match="get_stock"):
        client.chat.completions.create(
            model="openai/gpt-4o-mini",
            messages=user("hi"),
            tools=TOOLS,
            tool_choice={"type": "function", "function": {"name": "get_stock"}},
        )


def test_json_mode_answers_a_json_object(client: MeshAPI) -> None:
    fmt: Any = {"type": "json_object"}
    reply = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=user("What is 2+2? Answer in JSON."),
        response_format=fmt,
    )  # fmt: skip
    assert json.loads(reply.choices[0].message.content or "") == {"answer": "2 + 2 = 4."}
    streamed = "".join(
        client.chat.completions.stream(
            model="openai/gpt-4o-mini", messages=user("Hi, in JSON."), response_format=fmt
        ).text()
    )
    assert isinstance(json.loads(streamed), dict)


def test_responses_call_function_tools_and_answer_json_modes(client: MeshAPI) -> None:
    tools = [{"type": "function", "name": "get_time", "parameters": TIME}]
    forced = client.responses.create(
        model="openai/gpt-4o-mini", input="Hello.", tools=tools,
        tool_choice={"type": "function", "name": "get_time"},
    )  # fmt: skip
    (item,) = forced.output
    assert item["type"] == "function_call" and item["name"] == "get_time"
    assert problems(json.loads(item["arguments"]), TIME, TIME) == []
    answered = client.responses.create(
        model="openai/gpt-4o-mini",
        input=[
            {"role": "user", "content": "get_time please"},
            {"type": "function_call", "call_id": item["call_id"], "name": "get_time",
             "arguments": item["arguments"]},
            {"type": "function_call_output", "call_id": item["call_id"], "output": "noon"},
        ],
        tools=tools,
    )  # fmt: skip
    assert answered.output[0]["type"] == "message"
    as_json = client.responses.create(
        model="openai/gpt-4o-mini", input="Say hi.", text={"format": {"type": "json_object"}}
    )
    assert isinstance(json.loads(as_json.output_text), dict)


def test_messages_use_tools_as_anthropic_models_do(client: MeshAPI) -> None:
    tools = [{"name": "get_time", "input_schema": TIME}, {"name": "get_weather",
              "input_schema": WEATHER}]  # fmt: skip
    forced = client.messages.create(
        model="anthropic/claude-haiku-4.5", max_tokens=100, tools=tools,
        messages=user("Hello."), tool_choice={"type": "tool", "name": "get_weather"},
    )  # fmt: skip
    assert forced.stop_reason == "tool_use"
    (block,) = forced.content
    assert block.type == "tool_use" and block.name == "get_weather"
    assert problems(block.input, WEATHER, WEATHER) == []
    any_tool = client.messages.create(
        model="anthropic/claude-haiku-4.5", max_tokens=100, tools=tools,
        messages=user("Hello."), tool_choice={"type": "any"},
    )  # fmt: skip
    assert [b.name for b in any_tool.content] == ["get_time"]
    answered = client.messages.create(
        model="anthropic/claude-haiku-4.5", max_tokens=100, tools=tools,
        messages=[
            {"role": "user", "content": "Hello."},
            {"role": "assistant", "content": [{"type": "tool_use", "id": block.id,
                                               "name": "get_weather", "input": block.input}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": block.id,
                                          "content": "sunny"}]},
        ],
        tool_choice={"type": "any"},
    )  # fmt: skip
    assert answered.stop_reason == "end_turn" and answered.content[0].type == "text"
