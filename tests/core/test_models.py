"""Chat models: every documented shape is accepted, nothing the gateway says is lost."""

from __future__ import annotations

import json

import pydantic
import pytest

from meshapi_core.models.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionParams,
    ChatMessage,
    ChoiceDelta,
    FunctionCall,
    FunctionDefinition,
    ImageURL,
    ImageURLPart,
    InputAudio,
    InputAudioPart,
    JSONSchemaFormat,
    ResponseFormatJSONSchema,
    TextPart,
    Tool,
    ToolCall,
    ToolChoiceFunction,
    ToolChoiceObject,
    VideoURL,
    VideoURLPart,
)


def test_full_request_round_trips_to_the_documented_json() -> None:
    params = ChatCompletionParams(
        model="auto",
        messages=[
            ChatMessage(role="developer", content="Be brief."),
            ChatMessage(
                role="user",
                content=[
                    TextPart(text="What is this?"),
                    ImageURLPart(
                        image_url=ImageURL(url="data:image/png;base64,AAAA", detail="low")
                    ),
                    InputAudioPart(input_audio=InputAudio(data="UklGR", format="wav")),
                    VideoURLPart(video_url=VideoURL(url="https://v/x.mp4"), fps=2),
                ],
            ),
            ChatMessage(
                role="assistant",
                content=None,
                tool_calls=[
                    ToolCall(
                        id="call_1",
                        function=FunctionCall(name="f", arguments="{}"),
                        thought_signature="sig",
                    )
                ],
            ),
            ChatMessage(role="tool", tool_call_id="call_1", content="42"),
        ],
        tools=[Tool(function=FunctionDefinition(name="f", parameters={"type": "object"}))],
        tool_choice=ToolChoiceObject(function=ToolChoiceFunction(name="f")),
        response_format=ResponseFormatJSONSchema(
            json_schema=JSONSchemaFormat(name="s", schema={"type": "object"})
        ),
        reasoning_effort="none",
        template="support",
        variables={"name": "Ada"},
        weight_profile="cost_first",
    )
    body = params.to_json_dict()
    assert body["messages"][1]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"},
    }
    assert body["messages"][2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "f", "arguments": "{}"},
                "thought_signature": "sig",
            }
        ],
    }
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "s", "schema": {"type": "object"}},
    }
    assert body["tool_choice"] == {"type": "function", "function": {"name": "f"}}
    assert body["reasoning_effort"] == "none"
    # and the same JSON parses back into the same params
    assert ChatCompletionParams.model_validate(body).to_json_dict() == body


def test_dicts_validate_into_parts() -> None:
    msg = ChatMessage.model_validate(
        {
            "role": "user",
            "content": [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}],
        }
    )
    assert isinstance(msg.content, list)
    part = msg.content[0]
    assert isinstance(part, TextPart)
    assert part.model_extra == {"cache_control": {"type": "ephemeral"}}


@pytest.mark.parametrize(
    "bad",
    [
        {"messages": [{"role": "user", "content": "x"}], "temprature": 1},
        {"messages": [{"role": "robot", "content": "x"}]},
        {"messages": [{"role": "user", "content": "x"}], "temperature": 3},
        {"messages": [{"role": "user", "content": [{"type": "hologram"}]}]},
        {},
    ],
)
def test_bad_params_fail_where_they_are_built(bad: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        ChatCompletionParams.model_validate(bad)


def test_extra_body_sends_fields_this_release_does_not_know() -> None:
    params = ChatCompletionParams(
        messages=[], extra_body={"candidate_models": ["a", "b"], "temperature": 0.1}
    )
    assert params.to_json_dict() == {
        "messages": [],
        "candidate_models": ["a", "b"],
        "temperature": 0.1,
    }


def test_reply_keeps_unknown_fields_and_cost() -> None:
    body = {
        "id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "4", "refusal": None}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "prompt_tokens_details": {"cached_tokens": 0}, "classifier_tokens": 9},
        "cost": "0.0000021", "x_resolved_model_id": "openai/gpt-4o", "x_classifier_usage": [{"tokens": 3}],
        "brand_new_field": {"a": 1},
    }  # fmt: skip
    reply = ChatCompletion.model_validate_json(json.dumps(body))
    assert reply.cost == "0.0000021"
    assert reply.x_resolved_model_id == "openai/gpt-4o"
    assert reply.usage is not None
    assert reply.usage.classifier_tokens == 9
    assert reply.model_extra == {"brand_new_field": {"a": 1}}
    assert reply.choices[0].message.model_extra == {}
    assert reply.choices[0].message.refusal is None
    assert json.loads(reply.model_dump_json(exclude_unset=True)) == body


def test_replies_without_choices_each_get_an_empty_list_of_their_own() -> None:
    first = ChatCompletion.model_validate_json(b'{"id": "c"}')
    second = ChatCompletion()
    assert first.choices == second.choices == [] and first.choices is not second.choices
    chunk = ChatCompletionChunk.model_validate_json(b'{"id": "c"}')
    assert chunk.choices == [] and chunk.choices is not ChatCompletionChunk().choices
    assert "choices" not in first.model_dump(exclude_unset=True)


@pytest.mark.parametrize(("sent", "read"), [('"Hi"', "Hi"), ('""', ""), ("null", "")])
def test_a_chunks_content_is_text_and_null_reads_as_empty(sent: str, read: str) -> None:
    frame = '{"choices": [{"index": 0, "delta": {"content": ' + sent + "}}]}"
    assert ChatCompletionChunk.model_validate_json(frame).choices[0].delta.content == read
    assert ChoiceDelta.model_validate({"content": json.loads(sent)}).content == read


@pytest.mark.parametrize("sent", ["5", "true", '["a"]', '{"text": "a"}'])
def test_a_chunks_content_of_another_type_is_refused(sent: str) -> None:
    frame = '{"choices": [{"index": 0, "delta": {"content": ' + sent + "}}]}"
    with pytest.raises(pydantic.ValidationError) as caught:
        ChatCompletionChunk.model_validate_json(frame)
    (error,) = caught.value.errors()
    assert error["loc"] == ("choices", 0, "delta", "content")
    assert error["msg"] == "Input should be a valid string or null"
