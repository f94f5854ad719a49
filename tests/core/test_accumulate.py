"""Stream accumulators: chat chunks, Responses events and Messages events folded into the
whole reply, from hand-made events."""

from __future__ import annotations

import doctest
import json
from typing import Any, Dict, List, Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

from meshapi_core import accumulate, events
from meshapi_core.accumulate import (
    ChatCompletionAccumulator,
    LastEvent,
    MessageAccumulator,
    ResponseAccumulator,
)
from meshapi_core.errors import ResponseDecodeError
from meshapi_core.models.chat import ChatCompletion, ChatCompletionChunk


def test_doctests() -> None:
    assert doctest.testmod(accumulate).failed == 0
    assert doctest.testmod(events).failed == 0


def chunk(*choices: Dict[str, Any], **top: Any) -> ChatCompletionChunk:
    return ChatCompletionChunk.model_validate({"id": "c1", "model": "m", **top, "choices": list(choices)})


def fold(chunks: List[ChatCompletionChunk]) -> ChatCompletion:
    acc = ChatCompletionAccumulator()
    for c in chunks:
        acc.add(c)
    return acc.result()


def calls_of(completion: ChatCompletion, choice: int = 0) -> List[Dict[str, Any]]:
    calls = completion.choices[choice].message.tool_calls or []
    return [
        {"id": c.id, "name": c.function.name, "arguments": c.function.arguments} for c in calls
    ]


# -- chat: content, choices, usage ----------------------------------------------------------------


def test_the_spec_example_folds_into_the_whole_completion() -> None:
    done = fold(
        [
            chunk({"index": 0, "delta": {"role": "assistant", "content": "Hello"}}, created=7),
            chunk({"index": 0, "delta": {"content": " world"}}),
            chunk({"index": 0, "delta": {}, "finish_reason": "stop"}),
            chunk(
                usage={"prompt_tokens": 14, "completion_tokens": 7, "total_tokens": 21},
                cost="0.0000021",
            ),
        ]
    )
    assert done.id == "c1"
    assert done.object == "chat.completion"
    assert done.created == 7
    assert done.model == "m"
    assert done.choices[0].message.role == "assistant"
    assert done.choices[0].message.content == "Hello world"
    assert done.choices[0].finish_reason == "stop"
    assert done.usage is not None and done.usage.total_tokens == 21
    assert done.cost == "0.0000021"


def test_several_choices_are_kept_apart_and_ordered_by_index() -> None:
    done = fold(
        [
            chunk({"index": 1, "delta": {"content": "B1"}}),
            chunk({"index": 0, "delta": {"content": "A1"}}),
            chunk({"index": 1, "delta": {"content": "B2"}, "finish_reason": "length"}),
            chunk({"index": 0, "delta": {"content": "A2"}, "finish_reason": "stop"}),
        ]
    )
    assert [c.index for c in done.choices] == [0, 1]
    assert [c.message.content for c in done.choices] == ["A1A2", "B1B2"]
    assert [c.finish_reason for c in done.choices] == ["stop", "length"]


def test_text_is_the_first_choice_content() -> None:
    acc = ChatCompletionAccumulator()
    assert acc.text(chunk({"index": 1, "delta": {"content": "other"}})) == ""
    assert acc.text(chunk({"index": 0, "delta": {"content": "mine"}})) == "mine"
    assert acc.text(chunk(usage={"total_tokens": 1})) == ""


def test_refusal_is_joined_and_content_left_empty() -> None:
    done = fold(
        [
            chunk({"index": 0, "delta": {"role": "assistant", "refusal": "I can't "}}),
            chunk({"index": 0, "delta": {"refusal": "help with that."}, "finish_reason": "stop"}),
        ]
    )
    message = done.choices[0].message
    assert message.refusal == "I can't help with that."
    assert message.content is None


def test_logprobs_lists_are_joined_and_unknown_fields_kept() -> None:
    done = fold(
        [
            chunk(
                {"index": 0, "delta": {"content": "a"}, "logprobs": {"content": [{"token": "a"}]}},
                provider="p1",
            ),
            chunk({"index": 0, "delta": {"content": "b"}, "logprobs": {"content": [{"token": "b"}]}}),
        ]
    )
    assert done.choices[0].logprobs == {"content": [{"token": "a"}, {"token": "b"}]}
    assert done.model_extra == {"provider": "p1"}


def test_audio_and_reasoning_details_accumulate() -> None:
    done = fold(
        [
            chunk({"index": 0, "delta": {"audio": {"id": "au_1", "data": "AAA", "transcript": "he"}}}),
            chunk({"index": 0, "delta": {"audio": {"data": "BBB", "transcript": "llo"}}}),
            chunk({"index": 0, "delta": {"reasoning_details": [{"type": "reasoning.text", "text": "x"}]}}),
        ]
    )
    message = done.choices[0].message
    assert message.audio == {"id": "au_1", "data": "AAABBB", "transcript": "hello"}
    assert message.reasoning_details == [{"type": "reasoning.text", "text": "x"}]


def test_an_empty_stream_gives_an_empty_completion() -> None:
    done = ChatCompletionAccumulator().result()
    assert done.choices == []
    assert done.usage is None


@given(st.lists(st.text(max_size=5), min_size=1, max_size=30))
def test_content_is_the_deltas_joined_however_they_are_split(pieces: List[str]) -> None:
    acc = ChatCompletionAccumulator()
    for piece in pieces:
        acc.add(chunk({"index": 0, "delta": {"content": piece}}))
    assert acc.result().choices[0].message.content == "".join(pieces)


def _random_choice() -> Any:
    """One choice's part of a chunk: mostly content alone, sometimes anything else."""
    content = st.one_of(st.just(""), st.text(max_size=4), st.none())
    delta = st.fixed_dictionaries(
        {},
        optional={
            "role": st.sampled_from(["assistant", "tool"]),
            "content": content,
            "refusal": st.text(max_size=3),
            "tool_calls": st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "index": st.integers(0, 2),
                        "id": st.sampled_from(["c1", "c2"]),
                        "function": st.fixed_dictionaries(
                            {}, optional={"name": st.sampled_from(["f", "g"]), "arguments": st.text(max_size=3)}
                        ),
                    },
                ),
                max_size=2,
            ),
            "audio": st.fixed_dictionaries({"data": st.text(max_size=2)}),
            "tag": st.integers(0, 3),
        },
    )
    plain = st.fixed_dictionaries({"index": st.integers(0, 2), "delta": st.fixed_dictionaries({"content": content})})
    full = st.fixed_dictionaries(
        {"index": st.integers(0, 2), "delta": delta},
        optional={
            "finish_reason": st.sampled_from([None, "stop", "length"]),
            "logprobs": st.one_of(st.none(), st.just({"content": [{"token": "t"}]})),
        },
    )
    return st.one_of(plain, plain, plain, full)


_random_chunk = st.fixed_dictionaries(
    {"choices": st.lists(_random_choice(), max_size=2)},
    optional={
        "id": st.sampled_from(["", "c1", "c2"]),
        "model": st.sampled_from(["m", "n"]),
        "created": st.integers(0, 9),
        "system_fingerprint": st.just("fp"),
        "usage": st.just({"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}),
        "cost": st.just("0.1"),
        "provider": st.sampled_from(["p1", "p2"]),
    },
)


@given(st.lists(_random_chunk, max_size=12))
def test_the_fast_path_folds_what_the_full_fold_does(bodies: List[Dict[str, Any]]) -> None:
    """`add` takes a fast path for content-only chunks; `_fold` reads every field of every
    chunk. Both give the same completion, to the byte, for any sequence of chunks."""
    fast, full = ChatCompletionAccumulator(), ChatCompletionAccumulator()
    for body in bodies:
        data = json.dumps(body)
        fast.add(ChatCompletionChunk.model_validate_json(data))
        full._fold(ChatCompletionChunk.model_validate_json(data))
    assert fast.result().model_dump_json() == full.result().model_dump_json()


# -- chat: tool calls ------------------------------------------------------------------------------


def call_delta(**fields: Any) -> ChatCompletionChunk:
    return chunk({"index": 0, "delta": {"tool_calls": [fields]}})


def test_openai_parallel_tool_calls() -> None:
    done = fold(
        [
            call_delta(index=0, id="call_1", type="function", function={"name": "get_weather", "arguments": ""}),
            call_delta(index=0, function={"arguments": '{"city":"Pa'}),
            call_delta(index=1, id="call_2", type="function", function={"name": "get_time", "arguments": ""}),
            call_delta(index=0, function={"arguments": 'ris"}'}),
            call_delta(index=1, function={"arguments": "{}"}),
            chunk({"index": 0, "delta": {}, "finish_reason": "tool_calls"}),
        ]
    )
    assert calls_of(done) == [
        {"id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'},
        {"id": "call_2", "name": "get_time", "arguments": "{}"},
    ]
    assert done.choices[0].finish_reason == "tool_calls"
    assert done.choices[0].message.content is None
    assert done.choices[0].message.tool_calls is not None
    assert done.choices[0].message.tool_calls[0].type == "function"


def test_calls_without_index_are_keyed_by_id_then_by_the_call_in_flight() -> None:
    done = fold(
        [
            call_delta(id="a", function={"name": "f", "arguments": "{"}),
            call_delta(function={"arguments": '"x":1}'}),
            call_delta(id="b", function={"name": "g"}),
            call_delta(id="a", function={"arguments": ""}),  # a late, empty piece of a
            call_delta(function={"arguments": "[]"}),  # in flight: a (named by id last)
        ]
    )
    assert calls_of(done) == [
        {"id": "a", "name": "f", "arguments": '{"x":1}[]'},
        {"id": "b", "name": "g", "arguments": ""},
    ]


def test_fragments_under_another_index_than_the_name_join_the_call_in_flight() -> None:
    done = fold(
        [
            call_delta(index=0, id="call_1", function={"name": "lookup", "arguments": ""}),
            call_delta(index=1, function={"arguments": '{"q":'}),
            call_delta(index=1, function={"arguments": '"mesh"}'}),
        ]
    )
    assert calls_of(done) == [{"id": "call_1", "name": "lookup", "arguments": '{"q":"mesh"}'}]


def test_an_index_reused_with_a_new_id_is_a_new_call() -> None:
    done = fold(
        [
            call_delta(index=0, id="a", function={"name": "f", "arguments": "1"}),
            call_delta(index=0, function={"arguments": "2"}),
            call_delta(index=0, id="b", function={"name": "g", "arguments": "3"}),
            call_delta(index=0, function={"arguments": "4"}),
        ]
    )
    assert calls_of(done) == [
        {"id": "a", "name": "f", "arguments": "12"},
        {"id": "b", "name": "g", "arguments": "34"},
    ]


def test_missing_ids_are_made_up_and_a_second_name_starts_a_call() -> None:
    done = fold(
        [
            call_delta(function={"name": "f", "arguments": "{}"}),
            call_delta(function={"name": "g"}),
            call_delta(function={"arguments": "[1]"}),
        ]
    )
    assert calls_of(done) == [
        {"id": "call_mesh_0", "name": "f", "arguments": "{}"},
        {"id": "call_mesh_1", "name": "g", "arguments": "[1]"},
    ]


def test_an_id_arriving_after_the_name_completes_the_same_call() -> None:
    done = fold(
        [
            call_delta(function={"name": "f"}),
            call_delta(index=0, id="late", function={"arguments": "{}"}),
        ]
    )
    assert calls_of(done) == [{"id": "late", "name": "f", "arguments": "{}"}]


def test_thought_signatures_and_unknown_call_fields_are_kept() -> None:
    done = fold(
        [
            call_delta(index=0, id="c", function={"name": "f"}, thought_signature="sig", extra_tag=1),
            call_delta(index=0, function={"arguments": "{}"}),
        ]
    )
    calls = done.choices[0].message.tool_calls
    assert calls is not None
    assert calls[0].thought_signature == "sig"
    assert calls[0].model_extra == {"extra_tag": 1}


@given(st.lists(st.text(alphabet='{}[]":,ab1 ', max_size=4), min_size=1, max_size=20))
def test_argument_fragments_join_whatever_their_keys(pieces: List[str]) -> None:
    """Whether fragments carry the index, the id, both or neither, one call results."""
    for style in range(4):
        acc = ChatCompletionAccumulator()
        acc.add(call_delta(index=0, id="c", function={"name": "f", "arguments": ""}))
        for piece in pieces:
            key: Dict[str, Any] = [{}, {"index": 0}, {"id": "c"}, {"index": 0, "id": "c"}][style]
            acc.add(call_delta(**key, function={"arguments": piece}))
        assert calls_of(acc.result()) == [{"id": "c", "name": "f", "arguments": "".join(pieces)}]


# -- responses ---------------------------------------------------------------------------------------


class Loose(BaseModel):
    """An event model of the kind another module declares: known fields, extras allowed."""

    model_config = ConfigDict(extra="allow")
    type: Optional[str] = None


class Response(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    status: Optional[str] = None


RESPONSE_EVENTS: List[Dict[str, Any]] = [
    {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}},
    {"type": "response.output_text.delta", "delta": "The"},
    {"type": "response.reasoning_text.delta", "delta": "thinking..."},
    {"type": "response.output_text.delta", "delta": " answer"},
    {"type": "response.output_item.done", "item": {"type": "message"}},
    {
        "type": "response.completed",
        "response": {"id": "resp_1", "status": "completed", "output": [], "usage": {"total_tokens": 3}},
    },
]


@pytest.mark.parametrize("as_models", [False, True])
def test_responses_final_is_the_completed_events_response(as_models: bool) -> None:
    acc = ResponseAccumulator()
    texts = []
    for data in RESPONSE_EVENTS:
        event: Any = Loose.model_validate(data) if as_models else data
        texts.append(acc.text(event))
        acc.add(event)
    assert [t for t in texts if t] == ["The", " answer"]
    assert acc.output_text == "The answer"
    assert acc.completed
    final = acc.result()
    assert final["status"] == "completed"
    assert final["usage"] == {"total_tokens": 3}


def test_responses_final_validated_as_a_model_and_failed_is_terminal_too() -> None:
    acc = ResponseAccumulator(Response)
    acc.add({"type": "response.created", "response": {"id": "r", "status": "in_progress"}})
    acc.add({"type": "response.failed", "response": {"id": "r", "status": "failed", "error": {}}})
    final = acc.result()
    assert isinstance(final, Response)
    assert final.status == "failed"


def test_responses_without_a_terminal_event_have_no_final_response() -> None:
    acc = ResponseAccumulator()
    acc.add({"type": "response.created", "response": {"id": "r", "status": "in_progress"}})
    with pytest.raises(ResponseDecodeError, match=r"response\.completed"):
        acc.result()


def test_responses_tolerate_chat_shaped_chunks_for_text() -> None:
    acc = ResponseAccumulator()
    assert acc.text({"choices": [{"delta": {"content": "hi"}}]}) == "hi"
    assert acc.text({"type": "response.in_progress"}) == ""


# -- Anthropic messages ------------------------------------------------------------------------------

MESSAGE_EVENTS: List[Dict[str, Any]] = [
    {
        "type": "message_start",
        "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "content": [],
            "model": "anthropic/claude-haiku-4.5", "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 25, "output_tokens": 1},
        },
    },
    {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Let me"}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": " see."}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "EqQ"}},
    {"type": "content_block_stop", "index": 0},
    {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
    {"type": "ping"},
    {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Hello"}},
    {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "!"}},
    {"type": "content_block_stop", "index": 1},
    {
        "type": "content_block_start", "index": 2,
        "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}},
    },
    {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": ""}},
    {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": '{"city": "Pa'}},
    {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": 'ris"}'}},
    {"type": "content_block_stop", "index": 2},
    {
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use", "stop_sequence": None},
        "usage": {"output_tokens": 15},
    },
    {"type": "message_stop"},
]  # fmt: skip


@pytest.mark.parametrize("as_models", [False, True])
def test_messages_fold_into_the_final_message(as_models: bool) -> None:
    acc = MessageAccumulator()
    texts = []
    for data in MESSAGE_EVENTS:
        event: Any = Loose.model_validate(data) if as_models else data
        texts.append(acc.text(event))
        acc.add(event)
    assert "".join(texts) == "Hello!"
    assert acc.stopped
    message = acc.result()
    assert message["id"] == "msg_1"
    assert message["stop_reason"] == "tool_use"
    assert message["usage"] == {"input_tokens": 25, "output_tokens": 15}
    assert message["content"] == [
        {"type": "thinking", "thinking": "Let me see.", "signature": "EqQ"},
        {"type": "text", "text": "Hello!"},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
    ]


def test_messages_validated_as_a_model_with_an_unfinished_tool_input() -> None:
    class Message(BaseModel):
        model_config = ConfigDict(extra="allow")
        id: str
        content: List[Dict[str, Any]]

    acc = MessageAccumulator(Message)
    acc.add({"type": "message_start", "message": {"id": "m", "content": []}})
    acc.add({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "input": {}}})
    acc.add({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": '{"a": '}})
    message = acc.result()  # no content_block_stop: the stream was read as far as it went
    assert isinstance(message, Message)
    assert message.content == [{"type": "tool_use", "input": {}, "partial_json": '{"a": '}]


def test_messages_citations_and_an_empty_tool_input() -> None:
    acc = MessageAccumulator()
    acc.add({"type": "message_start", "message": {"id": "m", "content": []}})
    acc.add({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    acc.add({"type": "content_block_delta", "index": 0, "delta": {"type": "citations_delta", "citation": {"n": 1}}})
    acc.add({"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use"}})
    acc.add({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": ""}})
    acc.add({"type": "content_block_stop", "index": 1})
    content = acc.result()["content"]
    assert content[0]["citations"] == [{"n": 1}]
    assert content[1]["input"] == {}


def test_messages_without_message_start_have_no_message() -> None:
    with pytest.raises(ResponseDecodeError, match="message_start"):
        MessageAccumulator().result()


def test_last_event_is_the_default() -> None:
    acc: LastEvent[Any] = LastEvent()
    assert acc.result() is None
    acc.add({"delta": "x"})
    acc.add({"delta": 3, "done": True})
    assert acc.result() == {"delta": 3, "done": True}
    assert acc.text({"delta": "piece"}) == "piece"
    assert acc.text({"delta": 3}) == ""


def test_a_streamed_completion_matches_the_same_reply_whole() -> None:
    """The emulator's stream of a reply folds into the JSON body it sends for it."""
    from meshapi import MeshAPI
    from meshapi.testing import Gateway, InProcessTransport

    gateway = Gateway()
    client = MeshAPI(base_url="http://127.0.0.1", token=gateway.token, transport=InProcessTransport(gateway))
    params = {"model": "mesh/echo", "messages": [{"role": "user", "content": "one two three"}]}
    for script in (
        lambda: gateway.script_reply("Hello there, friend.", times=2),
        lambda: gateway.script_tool_call("get_weather", {"city": "Paris"}, chunks=4, call_id="call_9", times=2),
    ):
        script()
        whole = client.chat.completions.create(**params, tools=[{"function": {"name": "get_weather"}}])
        streamed = client.chat.completions.stream(**params, tools=[{"function": {"name": "get_weather"}}]).final()
        keep = {"choices", "usage", "object", "model"}
        assert json.loads(streamed.model_dump_json(include=keep)) == json.loads(whole.model_dump_json(include=keep))


def test_the_declared_event_models_fold_into_the_declared_replies() -> None:
    """The streams' own event models and reply types (as the endpoints declare them)."""
    from meshapi_core.endpoints.messages import MESSAGES_STREAM
    from meshapi_core.endpoints.responses import RESPONSES_STREAM
    from meshapi_core.models.messages import (
        MESSAGES_EVENT_MODELS,
        MessagesResponse,
        MessagesStreamEvent,
    )
    from meshapi_core.models.responses import (
        RESPONSES_EVENT_MODELS,
        ResponsesResponse,
        ResponsesStreamEvent,
    )

    for endpoint, events_, models, default, reply in (
        (MESSAGES_STREAM, MESSAGE_EVENTS, MESSAGES_EVENT_MODELS, MessagesStreamEvent, MessagesResponse),
        (RESPONSES_STREAM, RESPONSE_EVENTS, RESPONSES_EVENT_MODELS, ResponsesStreamEvent, ResponsesResponse),
    ):
        kind = endpoint.stream
        assert kind is not None and getattr(kind, "accumulator", None) is not None
        acc = kind.accumulator()  # type: ignore[union-attr,misc]
        for data in events_:
            acc.add(models.get(data["type"], default).model_validate(data))
        assert isinstance(acc.result(), reply)


def test_a_reply_the_events_cannot_make_is_a_decode_error_not_a_pydantic_one() -> None:
    class Strict(BaseModel):
        id: str
        content: List[Dict[str, Any]]

    acc = MessageAccumulator(Strict)
    acc.add({"type": "message_start", "message": {"content": []}})  # no id
    with pytest.raises(ResponseDecodeError, match="Strict"):
        acc.result()
