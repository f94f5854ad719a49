"""Cost guards: the per-chunk and per-request work of the hot paths, counted, never timed.

The benchmarks (``bench/``) measure time on a real socket; these tests pin down the work that
time comes from, so a change that doubles it fails here, deterministically and in well under
a second. What is counted:

- pydantic validations (calls of ``SchemaValidator.validate_json`` / ``validate_python``):
  exactly one per chunk, one per reply, none on the way out but the request's serialization;
- ``json.loads`` / ``json.dumps`` calls: chunks and replies go straight from bytes to pydantic,
  and the body straight from the params to bytes (one ``to_json``, no ``json.dumps``);
- every Python-level function call (``sys.setprofile`` sees Python and C calls alike) per
  chunk, per SSE event and per ``create``, with about 1.5x headroom over today's count;
- memory blocks a decoded chunk keeps alive (``sys.getallocatedblocks``).

When one of these fails after a deliberate change, re-measure (each test prints its figure on
failure) and move the bound, saying why in the commit.
"""

from __future__ import annotations

import gc
import json
import sys
from collections import Counter
from typing import Any, Callable, Dict, Iterator, List, Tuple, TypeVar
from unittest import mock

from meshapi import ChatCompletionParams, ChatMessage, MeshAPI
from meshapi_core.endpoint import SSE
from meshapi_core.http import Request
from meshapi_core.models.chat import ChatCompletionChunk
from meshapi_core.sse import SSEDecoder
from meshapi_core.streams import StreamDecoder

T = TypeVar("T")

CHUNKS = 10_000
FRAME = (
    'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1767225600,'
    '"model":"m","choices":[{"index":0,"delta":{"content":"t%d "},"finish_reason":null}]}\n\n'
)
BODY = ("".join(FRAME % i for i in range(CHUNKS)) + "data: [DONE]\n\n").encode()
READS = [BODY[i : i + 65536] for i in range(0, len(BODY), 65536)]  # as a socket delivers it

REPLY = json.dumps(
    {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1767225600,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hi!"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }
).encode()


def count_calls(fn: Callable[[], T]) -> Tuple[T, Counter[str]]:
    """Run ``fn`` under ``sys.setprofile``; count its calls by name (``c:`` for C functions)."""
    calls: Counter[str] = Counter()

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            calls[f"py:{frame.f_code.co_name}"] += 1
        elif event == "c_call":
            calls[f"c:{getattr(arg, '__qualname__', arg)}"] += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result = fn()
    finally:
        sys.setprofile(previous)
    return result, calls


def validations(calls: Counter[str]) -> Dict[str, int]:
    """The pydantic validations and serializations among counted calls."""
    return {
        name: calls[f"c:SchemaValidator.{name}"]
        for name in ("validate_json", "validate_python", "validate_strings")
    } | {name: calls[f"c:SchemaSerializer.{name}"] for name in ("to_python", "to_json")}


def decode_stream() -> List[ChatCompletionChunk]:
    """The chunks of :data:`BODY`, through the stream machine, as a transport feeds it."""
    decoder = StreamDecoder(SSE(ChatCompletionChunk), {"x-request-id": "req_1"})
    chunks: List[ChatCompletionChunk] = []
    for data in READS:
        chunks.extend(decoder.feed(data))
    decoder.end()
    return chunks


def test_stream_chunks_are_validated_once_each_straight_from_json() -> None:
    decode_stream()  # warm: pydantic builds the schema on first use
    with mock.patch("json.loads", wraps=json.loads) as loads:
        chunks, calls = count_calls(decode_stream)
    assert len(chunks) == CHUNKS
    assert chunks[-1].choices[0].delta.content == f"t{CHUNKS - 1} "
    assert validations(calls) == {
        "validate_json": CHUNKS,
        "validate_python": 0,
        "validate_strings": 0,
        "to_python": 0,
        "to_json": 0,
    }
    assert loads.call_count == 0, "chunks must go from JSON text to pydantic without json.loads"
    per_chunk = sum(calls.values()) / CHUNKS
    # Today: 7 (feed's resume, validate_json, lens and appends; an event is its data alone,
    # and a chunk's content is validated without a Python call). Doubling it must fail.
    assert per_chunk <= 13, (per_chunk, calls.most_common(12))


def test_a_read_of_one_frame_takes_few_calls() -> None:
    """Reads of one SSE frame each, as httpx hands over a gateway's stream (one HTTP chunk
    per token), with the idle clock a stream has."""
    reads = [frame + b"\n\n" for frame in BODY.split(b"\n\n") if frame]

    def decode() -> int:
        decoder = StreamDecoder(SSE(ChatCompletionChunk), {}, idle_timeout=60.0, clock=lambda: 0.0)
        count = sum(1 for data in reads for _chunk in decoder.feed(data))
        decoder.end()
        return count

    decode()
    chunks, calls = count_calls(decode)
    assert chunks == CHUNKS
    per_chunk = sum(calls.values()) / CHUNKS
    # Today: 10 (feed, feed_data, the clock, bytes.decode, str.find, two lens, validate_json,
    # iter of the one chunk, the genexpr's resume): one frame takes no line loop, and feed
    # makes no generator for it.
    assert per_chunk <= 16, (per_chunk, calls.most_common(12))


def test_sse_decoder_function_calls_per_event_are_bounded() -> None:
    def decode() -> int:
        decoder = SSEDecoder()
        return sum(len(decoder.feed(data)) for data in READS)

    events, calls = count_calls(decode)
    assert events == CHUNKS + 1
    per_event = sum(calls.values()) / events
    # Today: 5 (the event object, two appends, two lens); each feed's own work is shared.
    assert per_event <= 8, (per_event, calls.most_common(12))


def test_a_decoded_chunk_keeps_few_memory_blocks_alive() -> None:
    decode_stream()
    gc.collect()
    gc.disable()
    try:
        before = sys.getallocatedblocks()
        chunks = decode_stream()
        per_chunk = (sys.getallocatedblocks() - before) / len(chunks)
    finally:
        gc.enable()
    # Today: 20 blocks (the chunk, its choice and delta, their dicts and field sets, strings).
    assert per_chunk <= 30, per_chunk


class _CannedResponse:
    status = 200

    def __init__(self) -> None:
        self.headers = {"content-type": "application/json"}

    def iter_bytes(self) -> Iterator[bytes]:
        yield REPLY

    def close(self) -> None:
        pass


class _CannedTransport:
    """A transport that answers every request with :data:`REPLY`, doing no I/O."""

    def __init__(self) -> None:
        self.requests: List[Request] = []

    def open_stream(self, request: Request) -> Any:
        self.requests.append(request)
        return _CannedResponse()

    def sleep(self, seconds: float) -> None:
        raise AssertionError("no retries expected")

    def close(self) -> None:
        pass


def _creates(client: MeshAPI, params: ChatCompletionParams, n: int) -> Iterator[Any]:
    for _ in range(n):
        yield client.chat.completions.create(params)


def test_create_encodes_once_validates_once_and_calls_few_functions() -> None:
    transport = _CannedTransport()
    client = MeshAPI(base_url="http://127.0.0.1:9", token="rsk_test", transport=transport)
    params = ChatCompletionParams(
        model="m", messages=[ChatMessage(role="user", content="Hi")], max_tokens=5
    )
    runs = 200
    list(_creates(client, params, 5))  # warm
    dumps, loads = (
        mock.patch("json.dumps", wraps=json.dumps),
        mock.patch("json.loads", wraps=json.loads),
    )
    with dumps as dumps_calls, loads as loads_calls:
        replies, calls = count_calls(lambda: list(_creates(client, params, runs)))
    assert replies[-1].choices[0].message.content == "Hi!"
    assert json.loads(transport.requests[-1].body or b"") == {
        "model": "m",
        "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": 5,
    }
    assert validations(calls) == {
        "validate_json": runs,  # the reply, straight from bytes
        "validate_python": 0,  # typed params are not validated again
        "validate_strings": 0,
        "to_python": 0,
        "to_json": runs,  # the params, straight to bytes, once
    }
    assert dumps_calls.call_count == 0
    assert loads_calls.call_count == 0
    per_create = sum(calls.values()) / runs
    # Today: 73 calls from params to reply, the transport's own work aside.
    assert per_create <= 135, (per_create, calls.most_common(15))


def test_the_sdks_own_httpx_client_skips_what_client_send_adds(meshapi_gateway: Any) -> None:
    """A create on the SDK's own httpx client goes straight to its HTTPTransport: no header
    merging, no auth or redirect loop, no cookie jar (``meshapi_httpx/_direct.py``)."""
    client = MeshAPI(base_url=meshapi_gateway.base_url, token=meshapi_gateway.token)
    params = ChatCompletionParams(
        model="openai/gpt-4o-mini", messages=[ChatMessage(role="user", content="Hi")]
    )
    client.chat.completions.create(params)  # warm: the connection is open and pooled
    runs = 20
    replies, calls = count_calls(lambda: list(_creates(client, params, runs)))
    client.close()
    assert len(replies) == runs
    skipped = ("_send_single_request", "_send_handling_auth", "_merge_headers", "extract_cookies")
    assert {name: calls[f"py:{name}"] for name in skipped} == dict.fromkeys(skipped, 0)
    assert calls["py:handle_request"] >= runs  # httpx's transport, then httpcore's pool
    per_create = sum(calls.values()) / runs
    # Today: 1,382 calls, sockets and h11 included (through client.send: 1,835). Going back
    # through client.send must fail.
    assert per_create <= 1_650, (per_create, calls.most_common(15))
