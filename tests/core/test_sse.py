"""Tests for meshapi_core.sse: the WHATWG event-stream rules, chunking and limits."""

from __future__ import annotations

import doctest
import re
from typing import List, Optional, Sequence, Tuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meshapi_core import sse
from meshapi_core.errors import MeshAPIError, ResponseDecodeError
from meshapi_core.sse import ServerSentEvent, SSEDecoder

Ev = ServerSentEvent


def decode(*chunks: bytes, max_event_size: int = 16 * 1024 * 1024) -> List[ServerSentEvent]:
    """Feed ``chunks`` one by one, then close; return every event."""
    decoder = SSEDecoder(max_event_size)
    events: List[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.close())
    return events


def bytewise(blob: bytes) -> List[bytes]:
    return [blob[i : i + 1] for i in range(len(blob))]


# --- a reference implementation, written from the WHATWG text, for the properties ----------


def reference(
    blob: bytes, max_event_size: int = 16 * 1024 * 1024
) -> Tuple[Optional[List[ServerSentEvent]], int, str]:
    """Decode a whole stream the slow, obvious way: (events or None if too large, comments,
    last event id)."""
    text = blob.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    *lines, rest = re.split("\r\n|\r|\n", text)
    too_large = len(rest) > max_event_size
    events: List[ServerSentEvent] = []
    comments = 0
    data, event_type, id_buffer, last_id = "", "", "", ""
    retry: Optional[int] = None
    for line in lines:
        too_large = too_large or len(line) > max_event_size
        if line == "":
            last_id = id_buffer
            if data:
                events.append(Ev(event_type or "message", data[:-1], last_id, retry))
            data, event_type, retry = "", "", None
            continue
        if line.startswith(":"):
            comments += 1
            continue
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            data += value + "\n"
            too_large = too_large or len(data) - 1 > max_event_size
        elif field == "event":
            event_type = value
        elif field == "id" and "\0" not in value:
            id_buffer = value
        elif field == "retry" and value and all(c in "0123456789" for c in value):
            retry = int(value)
    return (None if too_large else events), comments, last_id


# --- the public types -----------------------------------------------------------------------


def test_doctests() -> None:
    result = doctest.testmod(sse)
    assert result.attempted > 0
    assert result.failed == 0


def test_event_defaults_repr_and_equality() -> None:
    event = Ev(data="x")
    assert (event.event, event.data, event.id, event.retry) == ("message", "x", "", None)
    assert repr(Ev("e", "d", "1", 5)) == "ServerSentEvent(event='e', data='d', id='1', retry=5)"
    assert Ev("e", "d", "1", 5) == Ev(event="e", data="d", id="1", retry=5)
    assert Ev("e", "d", "1", 5) != Ev("e", "d", "1", None)
    assert Ev(data="x") != "x"
    assert not hasattr(event, "__dict__")


@pytest.mark.parametrize("bad", [0, -1, 1.5, "10", True, None])
def test_max_event_size_must_be_a_positive_int(bad: object) -> None:
    with pytest.raises(ValueError, match="max_event_size"):
        SSEDecoder(bad)  # type: ignore[arg-type]


# --- line ends ------------------------------------------------------------------------------


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_each_line_end_style(end: str) -> None:
    blob = f"event: a{end}data: 1{end}data: 2{end}{end}data: 3{end}{end}".encode()
    assert decode(blob) == [Ev("a", "1\n2"), Ev(data="3")]
    assert decode(*bytewise(blob)) == [Ev("a", "1\n2"), Ev(data="3")]


def test_mixed_line_ends() -> None:
    assert decode(b"data: a\r\ndata: b\rdata: c\n\r\n") == [Ev(data="a\nb\nc")]


def test_crlf_split_across_feeds_is_one_line_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n") == []  # the LF completes the CRLF: no blank line yet
    assert decoder.feed(b"\r") == [Ev(data="a")]
    assert decoder.feed(b"\ndata: b\n\n") == [Ev(data="b")]


def test_cr_then_lf_after_an_empty_feed() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"") == []
    assert decoder.feed(b"\xe2") == []  # half a character: no text yet
    assert decoder.feed(b"\x82\xac\n") == []  # "\u20ac" starts a line: the CR was a line end
    assert decoder.feed(b"\n") == [Ev(data="a")]
    # The line "\u20ac" is a field named "\u20ac" with an empty value: ignored.


def test_cr_cr_is_two_line_ends() -> None:
    assert decode(b"data: a\r\r") == [Ev(data="a")]
    assert decode(b"data: a\r", b"\r") == [Ev(data="a")]


def test_other_unicode_line_breaks_are_ordinary_characters() -> None:
    text = "data: a\u2028b\x0bc\x0cd\x1ce\x85f\n\n"
    assert decode(text.encode()) == [Ev(data="a\u2028b\x0bc\x0cd\x1ce\x85f")]


# --- the byte order mark --------------------------------------------------------------------


def test_bom_is_stripped() -> None:
    assert decode(b"\xef\xbb\xbfdata: x\n\n") == [Ev(data="x")]


def test_bom_split_across_feeds_is_stripped() -> None:
    assert decode(b"\xef", b"\xbb", b"\xbfdata: x\n\n") == [Ev(data="x")]
    assert decode(b"\xef\xbb", b"\xbf", b"data: x\n\n") == [Ev(data="x")]


def test_only_one_bom_and_only_at_the_start() -> None:
    # A second BOM is part of the first line, whose field name is then "\ufeffdata".
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\ndata: y\n\n") == [Ev(data="y")]
    assert decode(b"data: \xef\xbb\xbfx\n\n") == [Ev(data="\ufeffx")]
    assert decode(b"data: x\n\n", b"\xef\xbb\xbfdata: y\n\n") == [Ev(data="x")]


# --- fields ---------------------------------------------------------------------------------


def test_comments_are_counted_and_ignored() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b": ping\n:\n:: x\ndata: a\n: in the middle\n\n") == [Ev(data="a")]
    assert decoder.comments == 4
    assert decoder.feed(b": ping\n\n") == []
    assert decoder.comments == 5


def test_data_with_and_without_the_space() -> None:
    assert decode(b"data:x\n\n") == [Ev(data="x")]
    assert decode(b"data: x\n\n") == [Ev(data="x")]
    assert decode(b"data:  x \n\n") == [Ev(data=" x ")]  # only one space goes
    assert decode(b"data:\tx\n\n") == [Ev(data="\tx")]


def test_multi_line_data() -> None:
    assert decode(b"data: a\ndata:\ndata: c\n\n") == [Ev(data="a\n\nc")]
    assert decode(b"data\ndata\n\n") == [Ev(data="\n")]


def test_empty_data_line_dispatches_an_empty_event() -> None:
    assert decode(b"data:\n\n") == [Ev(data="")]
    assert decode(b"data\n\n") == [Ev(data="")]
    assert decode(b"data: \n\n") == [Ev(data="")]


def test_no_data_dispatches_nothing_and_resets_the_type() -> None:
    assert decode(b"event: a\n\ndata: x\n\n") == [Ev("message", "x")]
    assert decode(b"event: a\nid: 1\nretry: 5\n\n\n\n") == []


def test_event_type() -> None:
    assert decode(b"event: update\ndata: x\n\n") == [Ev("update", "x")]
    assert decode(b"event:update\ndata: x\n\ndata: y\n\n") == [Ev("update", "x"), Ev(data="y")]
    assert decode(b"event: a\nevent: b\ndata: x\n\n") == [Ev("b", "x")]
    assert decode(b"event:\ndata: x\n\n") == [Ev("message", "x")]
    assert decode(b"event\ndata: x\n\n") == [Ev("message", "x")]
    assert decode(b"event: a b:c\ndata: x\n\n") == [Ev("a b:c", "x")]


def test_field_names_are_case_sensitive_and_exact() -> None:
    assert decode(b"Data: x\n\n") == []
    assert decode(b"data : x\n\n") == []
    assert decode(b" data: x\n\n") == []
    assert decode(b"EVENT: a\ndata: x\n\n") == [Ev(data="x")]


def test_value_keeps_later_colons() -> None:
    assert decode(b'data: {"a": "b:c"}\n\n') == [Ev(data='{"a": "b:c"}')]


def test_id_persists_across_events() -> None:
    decoder = SSEDecoder()
    assert decoder.last_event_id == ""
    events = decoder.feed(b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n")
    assert events == [Ev(data="a", id="1"), Ev(data="b", id="1"), Ev(data="c", id="")]
    assert decoder.last_event_id == ""
    assert decoder.feed(b"id: 2\n\n") == []  # no data, but the id is still set
    assert decoder.last_event_id == "2"
    assert decoder.feed(b"data: d\n\n") == [Ev(data="d", id="2")]


def test_last_event_id_is_set_at_dispatch() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 1\ndata: a\n") == []
    assert decoder.last_event_id == ""  # the event is not complete yet
    assert decoder.feed(b"\n") == [Ev(data="a", id="1")]
    assert decoder.last_event_id == "1"


def test_id_with_nul_is_ignored() -> None:
    assert decode(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n") == [
        Ev(data="a", id="1"),
        Ev(data="b", id="1"),
    ]
    assert decode(b"id: \xe2\x82\xac\ndata: a\n\n") == [Ev(data="a", id="\u20ac")]


@pytest.mark.parametrize(
    ("line", "retry"),
    [
        (b"retry: 3000", 3000),
        (b"retry:0", 0),
        (b"retry: 007", 7),
        (b"retry: 123456789012345678901234567890", 123456789012345678901234567890),
        (b"retry:", None),
        (b"retry", None),
        (b"retry: -1", None),
        (b"retry: 1.5", None),
        (b"retry: 10 ", None),
        (b"retry:  10", None),
        (b"retry: 1e3", None),
        ("retry: \u0661\u0662".encode(), None),  # Arabic-Indic digits are not ASCII digits
        ("retry: \u00b2".encode(), None),
        (b"retry: " + b"9" * 5000, None),  # absurd: ignored rather than converted
    ],
)
def test_retry_needs_ascii_digits(line: bytes, retry: Optional[int]) -> None:
    assert decode(line + b"\ndata: x\n\n") == [Ev(data="x", retry=retry)]


def test_retry_belongs_to_its_event() -> None:
    assert decode(b"retry: 5\ndata: a\n\ndata: b\n\nretry: 1\n\ndata: c\n\n") == [
        Ev(data="a", retry=5),
        Ev(data="b"),
        Ev(data="c"),
    ]
    assert decode(b"retry: 5\nretry: x\ndata: a\n\n") == [Ev(data="a", retry=5)]


def test_unknown_fields_are_ignored() -> None:
    assert decode(b"foo: bar\nfoo\n\xe2\x82\xac: 1\ndata: x\n\n") == [Ev(data="x")]


# --- text decoding --------------------------------------------------------------------------


def test_utf8_character_split_across_feeds() -> None:
    blob = "data: h\u00e9llo \u20ac \U0001f600\n\n".encode()
    expected = [Ev(data="h\u00e9llo \u20ac \U0001f600")]
    assert decode(*bytewise(blob)) == expected
    emoji = blob.index(b"\xf0")
    assert decode(blob[: emoji + 2], blob[emoji + 2 :]) == expected


def test_invalid_utf8_becomes_replacement_characters() -> None:
    assert decode(b"data: a\xffb\xc0\n\n") == [Ev(data="a\ufffdb\ufffd")]
    assert decode(b"data: a\xe2\x82\n\n") == [Ev(data="a\ufffd")]  # truncated character
    assert decode(b"\xff", b"\n", b"data: x\n\n") == [Ev(data="x")]


def test_truncated_character_at_the_end_of_the_stream() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: x\n\ndata: \xe2\x82") == [Ev(data="x")]
    assert decoder.close() == []


# --- end of stream --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tail", [b"data: x", b"data: x\n", b"data: x\r\n", b"event: a\ndata: x\r", b"\n"]
)
def test_close_discards_an_incomplete_event(tail: bytes) -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: done\n\n" + tail) == [Ev(data="done")]
    assert decoder.close() == []


def test_close_is_idempotent_and_feed_after_close_is_an_error() -> None:
    decoder = SSEDecoder()
    assert decoder.close() == []
    assert decoder.close() == []
    with pytest.raises(RuntimeError, match="after close"):
        decoder.feed(b"data: x\n\n")


# --- limits ---------------------------------------------------------------------------------


def assert_too_large(error: ResponseDecodeError, limit: int) -> None:
    assert isinstance(error, MeshAPIError)
    assert error.error_code == "event_too_large"
    assert str(limit) in error.message


def test_pending_line_over_the_limit() -> None:
    decoder = SSEDecoder(max_event_size=10)
    assert decoder.feed(b"data: 1234") == []  # exactly 10 characters pending
    with pytest.raises(ResponseDecodeError) as caught:
        decoder.feed(b"5")
    assert_too_large(caught.value, 10)


def test_complete_line_over_the_limit_in_one_feed() -> None:
    with pytest.raises(ResponseDecodeError) as caught:
        decode(b": a comment much longer than ten\n\n", max_event_size=10)
    assert_too_large(caught.value, 10)


def test_line_at_the_limit_is_fine() -> None:
    assert decode(b"data: 1234\n\n", max_event_size=10) == [Ev(data="1234")]
    assert decode(b"data:", b"12345\n\n", max_event_size=10) == [Ev(data="12345")]


def test_event_data_over_the_limit() -> None:
    decoder = SSEDecoder(max_event_size=10)
    # Every line fits; the data of the third event, "12345\n12345", is 11 characters.
    assert decoder.feed(b"data:12345\ndata:123\n\n") == [Ev(data="12345\n123")]
    assert decoder.feed(b"data:12345\ndata:1234\n\n") == [Ev(data="12345\n1234")]
    with pytest.raises(ResponseDecodeError) as caught:
        decoder.feed(b"data:12345\ndata:12345\n")
    assert_too_large(caught.value, 10)
    assert "data" in caught.value.message


def test_decoder_is_unusable_after_the_limit() -> None:
    decoder = SSEDecoder(max_event_size=4)
    with pytest.raises(ResponseDecodeError):
        decoder.feed(b"data: 12345")
    with pytest.raises(ResponseDecodeError) as caught:
        decoder.feed(b"\n\n")
    assert_too_large(caught.value, 4)
    with pytest.raises(ResponseDecodeError):
        decoder.close()
    assert decoder.close() == []
    with pytest.raises(RuntimeError):
        decoder.feed(b"")


def test_unterminated_line_over_the_limit_at_close() -> None:
    decoder = SSEDecoder(max_event_size=4)
    assert decoder.feed(b":abc\xe2\x82") == []  # four characters, then half of a fifth
    with pytest.raises(ResponseDecodeError):
        decoder.close()


def test_limit_counts_characters_not_bytes() -> None:
    blob = ("data:" + "\u20ac" * 5 + "\n\n").encode()
    assert decode(blob, max_event_size=10) == [Ev(data="\u20ac" * 5)]


def test_large_event_in_small_pieces() -> None:
    # Linear work: one 8 MiB event in 4 KiB pieces. A quadratic decoder would copy about
    # 8 GiB here; this one decodes it in milliseconds (timed outside the test suite).
    size = 8 * 1024 * 1024
    payload = b"0123456789abcdef" * (size // 16)
    blob = b"event: big\ndata: " + payload + b"\n\n"
    decoder = SSEDecoder()
    events: List[ServerSentEvent] = []
    for i in range(0, len(blob), 4096):
        events.extend(decoder.feed(blob[i : i + 4096]))
    assert len(events) == 1
    assert events[0].event == "big"
    assert len(events[0].data) == size
    assert events[0].data == payload.decode()


def test_many_lines_in_small_pieces() -> None:
    lines = [f"data: {i}\n".encode() for i in range(50_000)]
    blob = b"".join(lines) + b"\n"
    events = decode(*[blob[i : i + 1000] for i in range(0, len(blob), 1000)])
    assert events == [Ev(data="\n".join(str(i) for i in range(50_000)))]


# --- properties -----------------------------------------------------------------------------

line_end = st.sampled_from(["\n", "\r\n", "\r"])
value_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"),
    max_size=12,
) | st.sampled_from(["", " ", "x", "\u00e9", "\u20ac", "\U0001f600", "a:b", "\0", "\ufeff"])
field_line = st.one_of(
    st.builds(lambda v: "data:" + v, value_text),
    st.builds(lambda v: "data: " + v, value_text),
    st.just("data"),
    st.builds(lambda v: "event: " + v, value_text),
    st.builds(lambda v: "id: " + v, value_text),
    st.builds(lambda v: "retry: " + v, st.from_regex(r"\A[0-9]{1,6}\Z") | value_text),
    st.builds(lambda v: ":" + v, value_text),
    st.builds(lambda v: "x-unknown: " + v, value_text),
    st.just(""),
    st.just(""),
    value_text,
)
sse_text = st.builds(
    lambda bom, lines, tail: bom + "".join(line + end for line, end in lines) + tail,
    st.sampled_from(["", "", "\ufeff"]),
    st.lists(st.tuples(field_line, line_end), max_size=30),
    st.sampled_from(["", "", "data: unfinished", "\r"]),
)
sse_bytes = sse_text.map(lambda text: text.encode("utf-8"))
awkward_bytes = st.lists(
    st.sampled_from(
        [
            b"\r",
            b"\n",
            b"\r\n",
            b"data:",
            b"data: x",
            b"id:",
            b"retry:1",
            b"event:e",
            b":",
            b" ",
            b"\xef\xbb\xbf",
            b"\xef\xbb",
            b"\xe2\x82",
            b"\xac",
            b"\xf0\x9f",
            b"\xff",
            b"\0",
        ]
    ),
    max_size=40,
).map(b"".join)
any_stream = sse_bytes | awkward_bytes | st.binary(max_size=200)


@st.composite
def split(draw: st.DrawFn, blob: bytes) -> List[bytes]:
    cuts = sorted(draw(st.lists(st.integers(0, len(blob)), max_size=12)))
    bounds = [0, *cuts, len(blob)]
    return [blob[a:b] for a, b in zip(bounds, bounds[1:])]


def run(
    chunks: Sequence[bytes], max_event_size: int = 16 * 1024 * 1024, fast: bool = False
) -> Tuple[Optional[List[ServerSentEvent]], int, str]:
    """Decode ``chunks``: (events or None if too large, comments, last event id). With
    ``fast``, through ``feed_data``, as the stream machine does: events of data alone."""
    decoder = SSEDecoder(max_event_size)
    events: List[ServerSentEvent] = []
    try:
        for chunk in chunks:
            if fast:  # as data alone: compared by data only, below
                events.extend(Ev(data=value) for value in decoder.feed_data(chunk))
            else:
                events.extend(decoder.feed(chunk))
        events.extend(decoder.close())
    except ResponseDecodeError as error:
        if error.error_code != "event_too_large":
            raise
        return None, -1, ""
    return events, decoder.comments, decoder.last_event_id


def data_only(
    result: Tuple[Optional[List[ServerSentEvent]], int, str],
) -> Tuple[Optional[List[ServerSentEvent]], int, str]:
    """``result`` with its events reduced to their data, as ``feed_data`` gives them."""
    events, comments, last_id = result
    return (None if events is None else [Ev(data=e.data) for e in events]), comments, last_id


@given(st.data(), any_stream)
def test_any_split_gives_the_same_events_as_the_whole(data: st.DataObject, blob: bytes) -> None:
    chunks = data.draw(split(blob))
    whole = run([blob])
    assert run(chunks) == whole
    assert run(bytewise(blob)) == whole
    assert whole == reference(blob)
    assert run(chunks, fast=True) == data_only(whole)
    assert run(bytewise(blob), fast=True) == data_only(whole)


@given(st.data(), any_stream, st.integers(1, 24))
def test_only_sdk_errors_escape(data: st.DataObject, blob: bytes, limit: int) -> None:
    chunks = data.draw(split(blob))
    decoder = SSEDecoder(limit)
    errors: List[MeshAPIError] = []
    for chunk in [*chunks, b"more: bytes\n\n"]:
        try:
            decoder.feed(chunk)
        except MeshAPIError as error:  # anything else fails the test
            errors.append(error)
    try:
        decoder.close()
    except MeshAPIError as error:
        errors.append(error)
    assert all(isinstance(error, ResponseDecodeError) for error in errors)
    assert all(error.error_code == "event_too_large" for error in errors)
    failed = bool(errors)
    # Whether the limit trips depends on the stream, never on how it was split.
    assert failed == (reference(blob + b"more: bytes\n\n", limit)[0] is None)


@given(st.data(), sse_bytes, st.integers(1, 24))
def test_limited_decoding_matches_the_reference(
    data: st.DataObject, blob: bytes, limit: int
) -> None:
    chunks = data.draw(split(blob))
    expected = reference(blob, limit)
    for fast in (False, True):
        got = run(chunks, limit, fast)
        if expected[0] is None:
            assert got[0] is None
        else:
            assert got == (data_only(expected) if fast else expected)


# Streams as gateways send them: frames of one ``data: `` line, now and then something else
# (a comment, an id, an event type, another line end, a frame cut short), in reads that end
# between frames or not.
message = st.builds(lambda v: f"data: {v}\n\n", value_text)
other_frame = st.one_of(
    st.builds(lambda v: f"data: {v}\r\n\r\n", value_text),
    st.builds(lambda v: f"data:{v}\n\n", value_text),
    st.builds(lambda v: f"data: {v}\ndata: {v}\n\n", value_text),
    st.builds(lambda v: f"id: {v}\n", value_text),
    st.builds(lambda v: f"event: {v}\n", value_text),
    st.builds(lambda v: f"retry: {v}\n", st.sampled_from(["1", "20", "x"])),
    st.sampled_from([": ping\n\n", "\n", "\n\n", "data: cut", "\r", "\ufeff", "\xe9"]),
)
message_stream = st.builds(
    lambda bom, groups: (bom + "".join("".join(ms) + other for ms, other in groups)).encode(),
    st.sampled_from(["", "", "\ufeff"]),
    st.lists(
        st.tuples(st.lists(message, min_size=1, max_size=5), st.just("") | other_frame),
        max_size=6,
    ),
)


@st.composite
def frame_reads(draw: st.DrawFn, blob: bytes) -> List[bytes]:
    """``blob`` cut mostly between frames, as a gateway flushes them, and sometimes not."""
    ends = [i + 2 for i in range(len(blob) - 1) if blob[i : i + 2] == b"\n\n"]
    cuts = draw(st.lists(st.sampled_from(ends), min_size=len(ends) // 2)) if ends else []
    cuts += draw(st.lists(st.integers(0, len(blob)), max_size=1))
    bounds = [0, *sorted(cuts), len(blob)]
    return [blob[a:b] for a, b in zip(bounds, bounds[1:])]


@given(st.data(), message_stream, st.sampled_from([8, 64, 16 * 1024 * 1024]))
def test_the_fast_path_decodes_as_feed_does(data: st.DataObject, blob: bytes, limit: int) -> None:
    chunks = data.draw(frame_reads(blob))
    expected = reference(blob, limit)
    got = run(chunks, limit, fast=True)
    if expected[0] is None:
        assert got[0] is None
    else:
        assert got == data_only(expected)


def test_feed_data_gives_each_event_as_its_data() -> None:
    decoder = SSEDecoder()
    assert decoder.feed_data(b'data: {"a": 1}\n\n') == ['{"a": 1}']  # the first read: the loop
    # One frame a read, between events (a token, as a gateway sends it): its bad bytes are
    # replaced as the loop replaces them, and the next frame takes the shortcut again.
    assert decoder.feed_data(b"data: a\xffb\xe2\x82\n\n") == ["a\ufffdb\ufffd"]
    assert decoder.feed_data(b"data: \xe2\x82\xac\n\n") == ["\u20ac"]
    # Between events: whole frames at C speed, and a read may end anywhere.
    assert decoder.feed_data(b"data: x\n\ndata: \xc3\xa9\n\ndata: \xff\n\ndata: y") == [
        "x",
        "\u00e9",
        "\ufffd",
    ]
    assert decoder.feed_data(b"z\n\ndata: \xe2\x82") == ["yz"]
    assert decoder.feed_data(b"\xac\n\n") == ["\u20ac"]
    # Any other line, anywhere in a read, and the read is decoded line by line.
    assert decoder.feed_data(b"data: 1\n\nid: 7\ndata: 2\n\nevent: e\ndata: 3\n\n") == [
        "1",
        "2",
        "3",
    ]
    assert decoder.last_event_id == "7"
    assert decoder.feed_data(b"data: 4\r\n\r\ndata: 5\ndata: 6\n\n: c\n\ndata:7\n\n") == [
        "4",
        "5\n6",
        "7",
    ]
    assert decoder.comments == 1
    assert decoder.feed_data(b"data: 8\n\n\ndata: 9\n\n") == ["8", "9"]
    decoder.close()
    with pytest.raises(RuntimeError):
        decoder.feed_data(b"data: 10\n\n")


def test_feed_data_keeps_the_limits() -> None:
    decoder = SSEDecoder(8)
    assert decoder.feed_data(b"data: 12\n\n") == ["12"]
    assert decoder.feed_data(b"data: 12\n\ndata: 45") == ["12"]
    with pytest.raises(ResponseDecodeError) as caught:
        decoder.feed_data(b"6\n\n")
    assert_too_large(caught.value, 8)
    decoder = SSEDecoder(8)
    decoder.feed_data(b"data: 1\n\n")
    with pytest.raises(ResponseDecodeError):
        decoder.feed_data(b"data: 1\n\ndata: 123\n\n")
