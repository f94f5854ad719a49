"""Property tests of everything that reads what a server sends: only SDK errors escape, and
they are bounded. Bounded examples by default (``tests/conftest.py``); ``--hypothesis-profile=
soak`` runs many more. The regression tests at the end are the fuzzers' findings, each the
smallest input that broke the SDK before it was fixed.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from hypothesis import given
from hypothesis import strategies as st

from meshapi_core.errors import MAX_MESSAGE, error_from_frame, error_from_response

from . import targets

# -- strategies --------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
keys = st.sampled_from(
    ["code", "type", "message", "request_id", "retry_after_seconds", "details", "provider_error",
     "provider_code", "detail", "error", "choices", "id", "data", "value"]
)  # fmt: skip
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "error": st.dictionaries(keys, json_values, max_size=6) | json_values,
        "detail": json_values,
        "request_id": json_values,
        "type": st.sampled_from(["error", "done", "x"]) | json_values,
    },
)


def encoded(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


bodies = (
    envelopes.map(encoded)
    | json_values.map(encoded)
    | st.binary(max_size=300)
    | st.text(max_size=200).map(str.encode)
    | st.sampled_from([b"", b"[" * 5000, b'{"error": ' + b"[" * 5000, b"<html><title>x</title>"])
)
header_values = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40) | st.sampled_from(
    ["5", "1.5", "-1", "nan", "inf", "1e400", "9" * 500, "Wed, 21 Oct 2015 07:28:10 GMT",
     "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 31 Feb 2015 07:28:10 GMT"]
)  # fmt: skip
headers = st.dictionaries(
    st.sampled_from(["retry-after", "retry-after-ms", "x-request-id", "content-type"]),
    header_values,
    max_size=4,
)
statuses = st.sampled_from(
    [0, 200, 201, 204, 400, 401, 402, 403, 404, 409, 413, 422, 429]
) | st.integers(100, 599)
nows = st.none() | st.floats(min_value=0, max_value=4e9)
cuts = st.lists(st.integers(0, 10**6), max_size=8)

sse_pieces = st.lists(
    st.sampled_from([b"data: ", b"data:", b"event: x", b"id: 1", b"retry: 5", b": ping", b"\n", b"\r\n",
                     b"\r", b"[DONE]", b"\xff", b"\xe2\x82"])
    | envelopes.map(encoded)
    | st.just(b'{"choices": [{"index": 0, "delta": {"content": "x"}}]}')
    | st.just(b'{"type": "done", "value": 1}'),
    max_size=30,
).map(b"".join)  # fmt: skip


# -- the properties ---------------------------------------------------------------------------


@given(sse_pieces | st.binary(max_size=300), cuts, st.integers(1, 64))
def test_the_sse_decoder_raises_only_its_own_error(body: bytes, at: List[int], limit: int) -> None:
    targets.sse(targets.split(body, at), limit)


@given(sse_pieces | st.binary(max_size=300), cuts, headers, st.booleans(), st.integers(1, 4096))
def test_the_stream_machine_raises_only_sdk_errors(
    body: bytes, at: List[int], head: Dict[str, str], tagged: bool, limit: int
) -> None:
    targets.stream(targets.split(body, at), head, tagged, limit)


@given(statuses, headers, bodies, nows)
def test_the_error_mapper_never_raises(
    status: int, head: Dict[str, str], body: bytes, now: Any
) -> None:
    targets.error_response(status, head, body, now)


@given(envelopes.map(encoded), headers)
def test_an_error_frame_is_always_an_error(payload: bytes, head: Dict[str, str]) -> None:
    targets.error_frame(payload, head)


@given(headers, nows)
def test_a_retry_after_is_a_bounded_wait_or_none(head: Dict[str, str], now: Any) -> None:
    targets.retry_after(head, now)


@given(st.sampled_from([200, 201, 204]), headers, bodies)
def test_the_reply_decoders_raise_only_sdk_errors(
    status: int, head: Dict[str, str], body: bytes
) -> None:
    targets.json_reply(status, head, body)


# -- regressions: what fuzzing found ----------------------------------------------------------


def test_json_nested_past_the_parser_limit_is_not_json() -> None:
    """``json.loads`` raises RecursionError, not ValueError, on deep nesting; an error body
    or an in-band error of 256 KiB of ``[`` escaped the mapper as a RecursionError."""
    targets.error_response(503, {}, b"[" * 100_000, None)
    targets.error_response(200, {}, b'{"error": ' + b"[" * 100_000, None)
    targets.json_reply(200, {}, b'{"error": ' + b"[" * 100_000)
    targets.stream([b'data: {"error": ' + b"[" * 100_000 + b"\n\n"], {}, False, 1 << 20)


def test_an_integer_too_large_for_a_float_is_no_wait() -> None:
    """``retry_after_seconds`` of 400 digits made ``math.isnan`` raise OverflowError."""
    body = b'{"error": {"code": "x", "retry_after_seconds": ' + b"9" * 400 + b"}}"
    error = error_from_response(503, {}, body)
    assert error.retry_after_seconds == 86_400.0  # capped, as an absurd wait is
    frame = json.loads(body)
    assert error_from_frame(frame, {}).retry_after_seconds == 86_400.0


def test_an_unhashable_tag_picks_the_default_model() -> None:
    """A tagged stream looked up a list-valued ``type`` in a dict: TypeError."""
    targets.stream([b'data: {"type": []}\n\n', b'data: {"type": {"a": 1}}\n\n'], {}, True, 4096)


def test_a_huge_message_is_shortened() -> None:
    body = encoded({"error": {"message": "m" * 1_000_000, "code": "c" * 10_000}})
    error = error_from_response(400, {}, body)
    assert len(error.message) < MAX_MESSAGE + 100
    assert len(error.error_code) < 300
    targets.check_error(error)


def test_a_non_string_message_is_bounded_text() -> None:
    body = encoded({"error": {"message": [["x" * 10_000] * 100] * 10}})
    error = error_from_response(400, {}, body)
    targets.check_error(error)


def test_details_are_bounded_in_size_and_depth() -> None:
    deep: Any = "leaf"
    for _ in range(200):
        deep = [deep]
    body = encoded(
        {"error": {"message": "m", "details": {"deep": deep, "wide": ["d" * 1000] * 1000}}}
    )
    details = error_from_response(422, {}, body).details
    assert len(json.dumps(details)) < 80_000
    assert "more items" in json.dumps(details)
    assert "nested too deep" in json.dumps(details)
