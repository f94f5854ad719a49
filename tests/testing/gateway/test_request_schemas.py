"""The emulator reads the request fields the gateway documents, as the gateway types them.

Each case below is a drift the schema parity test (``test_schema_parity.py``) found between
the emulator's reading of a request and ``docs/gateway/api.md``, fixed in the emulator: a
field it ignored, a shape it left unchecked, a bound it checked by hand.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Tuple

import pytest

from meshapi.testing import FakeClock, Gateway

from .._helpers import gw_request

USER = {"role": "user", "content": "hi"}
CHAT = {"model": "mesh/echo", "messages": [USER]}

REFUSED: Dict[str, Tuple[str, Dict[str, Any], Tuple[Any, ...], str]] = {
    # case: (path, body, where the problem is, its type)
    "chat: a tool call without its id": (
        "/v1/chat/completions",
        {
            **CHAT,
            "messages": [
                USER,
                {
                    "role": "assistant",
                    "tool_calls": [{"type": "function", "function": {"name": "f"}}],
                },
            ],
        },
        ("body", "messages", 1, "tool_calls", 0, "id"),
        "missing",
    ),
    "chat: a tool call of another type": (
        "/v1/chat/completions",
        {
            **CHAT,
            "messages": [
                USER,
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c", "type": "fn", "function": {"name": "f"}}],
                },
            ],
        },
        ("body", "messages", 1, "tool_calls", 0, "type"),
        "literal_error",
    ),
    "chat: a tool's strict flag as a string": (
        "/v1/chat/completions",
        {**CHAT, "tools": [{"type": "function", "function": {"name": "f", "strict": "yes"}}]},
        ("body", "tools", 0, "function", "strict"),
        "bool_type",
    ),
    "chat: max_completion_tokens below 1": (
        "/v1/chat/completions",
        {**CHAT, "max_completion_tokens": 0},
        ("body", "max_completion_tokens"),
        "greater_than_equal",
    ),
    "chat: an unknown output modality": (
        "/v1/chat/completions",
        {**CHAT, "modalities": ["text", "video"]},
        ("body", "modalities", 1),
        "literal_error",
    ),
    "compare: a message with an unknown role": (
        "/v1/chat/compare",
        {"models": ["a/b", "c/d"], "messages": [{"role": "robot", "content": "hi"}]},
        ("body", "messages", 0, "role"),
        "literal_error",
    ),
    "router: a message with an unknown role": (
        "/v1/router/select",
        {"messages": [{"role": "robot", "content": "hi"}]},
        ("body", "messages", 0, "role"),
        "literal_error",
    ),
    "embeddings: sparse_embedding without its type": (
        "/v1/embeddings",
        {"input": "hi", "sparse_embedding": {}},
        ("body", "sparse_embedding", "type"),
        "missing",
    ),
    "images: an unknown sequential_image_generation": (
        "/v1/images/generations",
        {"prompt": "a cat", "sequential_image_generation": "sometimes"},
        ("body", "sequential_image_generation"),
        "literal_error",
    ),
    "image edits: upscale_factor as a number": (
        "/v1/images/edits",
        {"model": "openai/gpt-image-1", "image": "aGk=", "upscale_factor": 2},
        ("body", "upscale_factor"),
        "string_type",
    ),
    "video: resolution as a number": (
        "/v1/video/generations",
        {"model": "m", "content": [{"type": "text", "text": "hi"}], "resolution": 720},
        ("body", "resolution"),
        "string_type",
    ),
    "speech: an unknown text normalisation": (
        "/v1/audio/speech",
        {"input": "hi", "apply_text_normalization": "maybe"},
        ("body", "apply_text_normalization"),
        "literal_error",
    ),
    "speech: previous_request_ids as a string": (
        "/v1/audio/speech",
        {"input": "hi", "previous_request_ids": "req_1"},
        ("body", "previous_request_ids"),
        "list_type",
    ),
    "files: more than 100 files to embed": (
        "/v1/files/embed",
        {"file_ids": [f"file_{i}" for i in range(101)]},
        ("body", "file_ids"),
        "too_long",
    ),
}


def post(path: str, body: Any) -> Tuple[int, Any]:
    gateway = Gateway(clock=FakeClock(), seed=5)
    plan = gateway.handle(gw_request("POST", path, gateway.token, body))
    raw = plan.read_body()
    return plan.status, json.loads(raw) if raw else None


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_body_the_gateway_refuses_is_refused(case: str) -> None:
    path, body, where, kind = REFUSED[case]
    status, reply = post(path, body)
    assert status == 422, reply
    problems = [(tuple(p["loc"]), p["type"]) for p in reply["error"]["details"]]
    assert (where, kind) in problems


def test_more_than_100_files_are_refused_as_pydantic_words_it() -> None:
    _, reply = post("/v1/files/embed", {"file_ids": [f"file_{i}" for i in range(101)]})
    assert reply["error"]["details"] == [
        {
            "type": "too_long",
            "loc": ["body", "file_ids"],
            "msg": "List should have at most 100 items after validation, not 101",
        }
    ]


def test_a_tool_loop_with_gemini_signatures_is_accepted() -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "lookup", "arguments": "{}"},
        "thought_signature": "c2ln",
    }
    body = {
        **CHAT,
        "max_completion_tokens": 32,
        "modalities": ["text"],
        "tools": [{"type": "function", "function": {"name": "lookup", "strict": True}}],
        "messages": [
            USER,
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [call],
                "reasoning_details": [{"type": "reasoning.encrypted", "data": "x"}],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "42"},
        ],
    }
    status, reply = post("/v1/chat/completions", body)
    assert status == 200, reply
    assert reply["choices"][0]["finish_reason"] == "stop"
