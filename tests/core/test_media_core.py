"""The pure pieces of media and files: streamed bodies, multipart encoding, file arguments,
image references, signed-URL requests, download lengths, retry classes, video task replies."""

from __future__ import annotations

import doctest
import io
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

import meshapi_core.downloads
import meshapi_core.external
import meshapi_core.multipart
import meshapi_core.uploads
from meshapi.testing._gateway.multipart import parse_form
from meshapi_core.calls import Fail, Runtime, Send, Sleep
from meshapi_core.config import CallOptions, ClientConfig
from meshapi_core.downloads import ByteCounter
from meshapi_core.endpoint import MAX_REQUEST_SIZE
from meshapi_core.endpoints import all_endpoints
from meshapi_core.endpoints.audio import AUDIO_TRANSCRIPTIONS
from meshapi_core.endpoints.chat import CHAT_COMPLETIONS
from meshapi_core.endpoints.images import IMAGES_EDIT
from meshapi_core.errors import (
    InvalidArgumentError,
    ServerError,
    StreamInterruptedError,
)
from meshapi_core.external import check_external_url, external_call, external_request
from meshapi_core.http import FileRange, ReaderRange, Response, StreamedBody
from meshapi_core.models.images import ImageEditParams, ImageItem, check_image_ref
from meshapi_core.multipart import boundary_from, content_type_for, encode_multipart, form_fields
from meshapi_core.params import bind
from meshapi_core.prepare import collect_uploads, prepare_call
from meshapi_core.uploads import (
    FilePart,
    Upload,
    UploadFailedError,
    file_field,
    guess_content_type,
    in_memory_part,
    sniff,
    to_upload,
)

CONFIG = ClientConfig.create(base_url="https://api.meshapi.ai", token="rsk_secret_token")
RUNTIME = Runtime(lambda: 0.0, lambda: 0.0, lambda: 0.5, lambda: "fixedkey")


@pytest.mark.parametrize(
    "module",
    [
        meshapi_core.uploads,
        meshapi_core.multipart,
        meshapi_core.external,
        meshapi_core.downloads,
    ],
)
def test_doctests(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


# -- streamed bodies ---------------------------------------------------------------------------


def opener(files: Dict[str, bytes]) -> Any:
    opened: List[io.BytesIO] = []

    def open_file(path: str) -> io.BytesIO:
        if path not in files:
            raise FileNotFoundError(2, "No such file or directory")
        file = io.BytesIO(files[path])
        opened.append(file)
        return file

    open_file.opened = opened  # type: ignore[attr-defined]
    return open_file


def test_streamed_body_reads_files_in_bounded_chunks() -> None:
    body = StreamedBody((b"<", FileRange("big", 2, 10_000), b">"))
    open_file = opener({"big": bytes(range(256)) * 50})
    chunks = list(body.chunks(open_file, chunk_size=1024))
    assert body.length == 10_002 and body.replayable
    assert max(len(c) for c in chunks[1:-1]) == 1024
    assert b"".join(chunks) == b"<" + (bytes(range(256)) * 50)[2:10_002] + b">"
    assert all(f.closed for f in open_file.opened)
    assert b"".join(body.chunks(open_file)) == b"".join(chunks)  # read again: replayable


def test_a_file_that_shrinks_or_vanishes_is_an_argument_error() -> None:
    short = StreamedBody((FileRange("f", 0, 100, "audio"),))
    with pytest.raises(InvalidArgumentError, match="ended after 10 of its 100 bytes") as caught:
        list(short.chunks(opener({"f": b"0123456789"})))
    assert caught.value.param == "audio"
    with pytest.raises(InvalidArgumentError, match="could not read 'gone'"):
        list(StreamedBody((FileRange("gone", 0, 1),)).chunks(opener({})))


def test_readers_rewind_when_they_can_and_are_one_shot_when_not() -> None:
    source = io.BytesIO(b"xxhello")
    source.seek(2)
    seekable = StreamedBody((ReaderRange(source, 2, 5),))
    assert b"".join(seekable.chunks(open)) == b"hello" == b"".join(seekable.chunks(open))
    one_shot = StreamedBody((b"a", ReaderRange(io.BytesIO(b"stream"))))
    assert one_shot.length is None and not one_shot.replayable
    assert b"".join(one_shot.chunks(open)) == b"astream"
    text = StreamedBody((ReaderRange(io.StringIO("text")),))
    with pytest.raises(InvalidArgumentError, match="binary mode"):
        list(text.chunks(open))


def test_request_repr_shows_the_body_size_not_its_bytes() -> None:
    request = external_request(CONFIG, "PUT", "https://s/x", body=StreamedBody((b"abc",)))
    assert "streamed, 3 bytes" in repr(request)


# -- multipart ---------------------------------------------------------------------------------


def test_form_fields_rules() -> None:
    assert form_fields(
        {"a": "x", "b": False, "c": 1.5, "d": [1, "two", None], "e": {"k": [1]}, "f": None,
         "g": [{"x": 1}]}
    ) == [
        ("a", "x"), ("b", "false"), ("c", "1.5"), ("d", "1"), ("d", "two"),
        ("e", '{"k":[1]}'), ("g", '[{"x":1}]'),
    ]  # fmt: skip


def test_names_cannot_break_out_of_their_header() -> None:
    body = encode_multipart(
        [('evil"\r\nX-Injected: 1', "v")],
        [FilePart("f", 'a"\r\n.wav', "audio/wav", b"data")],
        "B",
    )
    assert isinstance(body, bytes)
    assert b"\r\nX-Injected" not in body
    assert b'name="evil%22%0D%0AX-Injected: 1"' in body
    assert b'filename="a%22%0D%0A.wav"' in body


def test_a_file_on_disk_makes_a_streamed_form_of_known_length() -> None:
    part = FilePart("file", "a.wav", "audio/wav", FileRange("/a.wav", 0, 1000))
    body = encode_multipart([("model", "m")], [part], "B")
    assert isinstance(body, StreamedBody)
    assert body.replayable
    data = b"".join(body.chunks(opener({"/a.wav": b"x" * 1000})))
    assert body.length == len(data)
    form = parse_form(data, content_type_for("B"))
    assert form.value("model") == "m" and form.file("file").data == b"x" * 1000


def test_boundaries_use_only_allowed_characters() -> None:
    assert boundary_from('a b\r\n"c') == "meshapi-abc"
    assert boundary_from("") == "meshapi-boundary"
    assert len(boundary_from("x" * 200)) <= 70


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_NAME = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="%"), min_size=1, max_size=30
)


@given(
    fields=st.lists(st.tuples(_NAME, _TEXT), max_size=5),
    files=st.lists(st.tuples(_NAME, _NAME, st.binary(max_size=300)), max_size=3),
)
def test_any_form_parses_back_to_what_was_sent(
    fields: List[Tuple[str, str]], files: List[Tuple[str, str, bytes]]
) -> None:
    parts = [
        FilePart(name, filename, "application/octet-stream", data) for name, filename, data in files
    ]
    body = encode_multipart(fields, parts, "meshapi-0123456789abcdef0123456789abcdef")
    assert isinstance(body, bytes)
    form = parse_form(body, content_type_for("meshapi-0123456789abcdef0123456789abcdef"))
    assert form.fields == fields
    assert [(f.name, f.filename, f.data) for f in form.files] == files


# -- file arguments ----------------------------------------------------------------------------


def test_file_arguments_are_typed_before_anything_else() -> None:
    assert to_upload(b"x", "file").content == b"x"
    assert to_upload(bytearray(b"x"), "file").content == b"x"
    assert to_upload(Path("/a/b.wav"), "file").content == "/a/b.wav"
    assert to_upload(("n.mp3", b"x", "audio/mpeg"), "file") == Upload(b"x", "n.mp3", "audio/mpeg")
    for bad, message in (
        (42, "not int"),
        (["a"], "not list"),
        (("a", b"x", "t", "extra"), "4 items"),
        (io.StringIO("x"), "text mode"),
        (("", b"x"), "file name"),
    ):
        with pytest.raises(InvalidArgumentError, match=message):
            to_upload(bad, "file")
    closed = io.BytesIO(b"x")
    closed.close()
    with pytest.raises(InvalidArgumentError, match="closed"):
        to_upload(closed, "file")
    with pytest.raises(InvalidArgumentError, match="URL or base64"):
        to_upload("a.png", "image", str_is_path=False)
    assert file_field(None) == {}
    with pytest.raises(InvalidArgumentError, match="no file was given"):
        file_field(None, content_type="audio/wav")


def test_names_and_types_are_inferred() -> None:
    assert guess_content_type("Talk.M4A") == "audio/mp4"
    assert sniff(b"\xff\xfb\x90\x64") == ("mp3", "audio/mpeg")
    assert sniff(b"\x00\x00\x00\x18ftypisom") == ("mp4", "video/mp4")
    png = in_memory_part(Upload(b"\x89PNG\r\n\x1a\n"), "image", "image")
    assert (png.filename, png.content_type) == ("image.png", "image/png")
    named = in_memory_part(Upload(b"\x89PNG\r\n\x1a\n", filename="x"), "image", "image")
    assert (named.filename, named.content_type) == ("x", "image/png")
    unknown = in_memory_part(Upload(b"hello"), "file", "file")
    assert (unknown.filename, unknown.content_type) == ("file", "application/octet-stream")


# -- image references --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "good",
    [
        "https://cdn.example/cat.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:image/webp;name=a.webp;base64,UklGRg==",
        "iVBORw0KGgoAAAANSUhEUgAA",
        "iVBORw0K\nGgoAAAAN",
    ],
)
def test_image_references_accepted(good: str) -> None:
    assert check_image_ref(good) == good


@pytest.mark.parametrize(
    "bad", ["cat.png", "/tmp/cat.png", "data:image/png,notbase64!", "ftp://x/y", "", "a"]
)
def test_image_references_refused(bad: str) -> None:
    with pytest.raises(InvalidArgumentError):
        check_image_ref(bad)


def test_an_edit_with_a_file_becomes_a_form_and_one_with_a_reference_stays_json() -> None:
    with_file = bind(ImageEditParams, {"model": "m", "image": Path("c.png"), "prompt": "p"}, None)
    assert collect_uploads(IMAGES_EDIT, with_file) == {"image": [Upload("c.png")]}
    with_ref = bind(
        ImageEditParams, {"model": "m", "image": {"url": "data:image/png;base64,AAAA"}}, None
    )
    assert collect_uploads(IMAGES_EDIT, with_ref) == {}
    call = prepare_call(IMAGES_EDIT, CONFIG, RUNTIME, params=with_ref)
    request = call.next_action().request  # type: ignore[union-attr]
    assert request.header("content-type") == "application/json"
    with pytest.raises(InvalidArgumentError, match="mix files and references"):
        collect_uploads(
            IMAGES_EDIT,
            bind(
                ImageEditParams,
                {"model": "m", "image": b"x", "reference_images": [b"y", "AAAA"]},
                None,
            ),
        )


def test_image_bytes_of_inline_and_remote_items() -> None:
    assert ImageItem(url="data:image/png;base64,aGk=").image_bytes() == b"hi"
    with pytest.raises(ValueError, match=r"images\.download"):
        ImageItem(url="https://cdn/x.png").image_bytes()
    with pytest.raises(ValueError, match="neither"):
        ImageItem().image_bytes()


# -- forms in the call machine -----------------------------------------------------------------


def _form_call(source: Any) -> Any:
    part = FilePart("file", "a.wav", "audio/wav", source)
    return prepare_call(
        AUDIO_TRANSCRIPTIONS, CONFIG, RUNTIME, fields={"model": "m"}, files={"file": [part]}
    )


def test_a_replayable_form_is_retried_with_one_key_and_a_one_shot_form_is_not() -> None:
    error = Response(503, {}, b'{"error": {"code": "provider_not_available", "message": "x"}}')
    replayable = _form_call(FileRange("/a.wav", 0, 10))
    first = replayable.next_action()
    assert isinstance(first, Send)
    request = first.request
    assert request.header("content-type") == "multipart/form-data; boundary=meshapi-fixedkey"
    assert request.header("content-length") == str(request.body.length)
    assert request.header("idempotency-key") == "fixedkey"
    replayable.receive_response(error)
    assert isinstance(replayable.next_action(), Sleep)
    one_shot = _form_call(ReaderRange(io.BytesIO(b"x")))
    assert one_shot.next_action().request.header("content-length") is None  # type: ignore[union-attr]
    one_shot.receive_response(error)
    action = one_shot.next_action()
    assert isinstance(action, Fail) and isinstance(action.error, ServerError)


def test_a_body_over_the_gateways_ceiling_is_refused_before_it_is_sent() -> None:
    assert AUDIO_TRANSCRIPTIONS.max_request_size == MAX_REQUEST_SIZE == 32 * 1024 * 1024
    assert all(e.max_request_size == MAX_REQUEST_SIZE for e in all_endpoints().values())
    with pytest.raises(InvalidArgumentError, match="over 33,554,432 bytes") as caught:
        _form_call(FileRange("/a.wav", 0, MAX_REQUEST_SIZE))  # plus the form's own bytes
    assert caught.value.param == "file"
    assert _form_call(FileRange("/a.wav", 0, MAX_REQUEST_SIZE - 1024)).next_action()
    text = "x" * MAX_REQUEST_SIZE
    params = {"model": "m", "messages": [{"role": "user", "content": text}]}
    with pytest.raises(InvalidArgumentError, match="/v1/chat/completions would be 33,554,4"):
        prepare_call(CHAT_COMPLETIONS, CONFIG, RUNTIME, params=params)
    # A signed upload URL is another host's: the gateway's ceiling is not its.
    big = StreamedBody((FileRange("/big", 0, 4 * MAX_REQUEST_SIZE),))
    put = external_request(CONFIG, "PUT", "https://storage.example/u?sig=1", body=big)
    assert put.body is big


def test_a_body_of_unknown_size_stops_at_the_ceiling_as_it_is_sent() -> None:
    class Endless:
        def read(self, n: int) -> bytes:
            return b"\0" * n

    call = _form_call(ReaderRange(Endless()))
    body = call.next_action().request.body  # type: ignore[union-attr]
    assert isinstance(body, StreamedBody) and body.length is None
    assert body.limit == MAX_REQUEST_SIZE
    sent = 0
    with pytest.raises(InvalidArgumentError, match="passed the gateway's limit") as caught:
        for data in body.chunks(open):
            sent += len(data)
    assert caught.value.param == "file"
    assert sent <= MAX_REQUEST_SIZE
    small = StreamedBody((ReaderRange(io.BytesIO(b"abc")),), limit=3)
    assert b"".join(small.chunks(open)) == b"abc"


# -- requests to other hosts -------------------------------------------------------------------


def test_external_requests_carry_nothing_of_the_gateway() -> None:
    config = ClientConfig.create(
        base_url="https://api.meshapi.ai", token="rsk_secret_token",
        default_headers={"X-Team": "secret"}, api_version="2026-09",
    )  # fmt: skip
    options = CallOptions(extra_headers={"Authorization": "Bearer other"}, extra_query={"a": 1})
    body = StreamedBody((FileRange("/x", 0, 5),))
    request = external_request(
        config, "PUT", "https://storage.example/u?sig=1", body=body,
        content_type="text/plain", options=options,
    )  # fmt: skip
    assert request.headers == (
        ("accept", "*/*"), ("content-type", "text/plain"), ("content-length", "5"),
    )  # fmt: skip
    assert request.url == "https://storage.example/u?sig=1"
    assert "rsk_secret_token" not in repr(request)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://storage.example/x", True),
        ("http://127.0.0.1:9000/x", True),
        ("http://localhost/x", True),
        ("http://[::1]/x", True),
        ("http://storage.example/x?sig=SECRET", False),
        ("ftp://storage.example/x", False),
        ("https://user:pw@storage.example/x", False),
        ("not a url", False),
    ],
)
def test_external_urls(url: str, allowed: bool) -> None:
    if allowed:
        assert check_external_url(url, allow_insecure_http=False) == url
    else:
        with pytest.raises(InvalidArgumentError) as caught:
            check_external_url(url, allow_insecure_http=False)
        assert "SECRET" not in caught.value.message and "pw" not in caught.value.message
    assert check_external_url("http://storage.example/x", allow_insecure_http=True)


def test_external_calls_retry_replayable_bodies_only() -> None:
    error = Response(503, {}, b"")
    for body, retried in ((b"x", True), (StreamedBody((ReaderRange(io.BytesIO(b"x")),)), False)):
        request = external_request(CONFIG, "PUT", "https://s/x", body=body)
        call = external_call(CONFIG, RUNTIME, request, decode=lambda r: None)
        assert isinstance(call.next_action(), Send)
        call.receive_response(error)
        assert isinstance(call.next_action(), Sleep) is retried


def test_upload_failed_error_keeps_the_step_and_the_cause() -> None:
    cause = ServerError("busy", status=503, error_code="provider_not_available", request_id="req_1")
    error = UploadFailedError("init", cause)
    assert (error.step, error.status, error.error_code, error.request_id) == (
        "init", 503, "provider_not_available", "req_1",
    )  # fmt: skip
    assert error.file_id is None and error.error is cause
    assert "registering the file" in str(error)


# -- downloads ---------------------------------------------------------------------


def test_a_failed_task_is_data_and_an_error_envelope_is_an_error() -> None:
    from meshapi_core.endpoints.videos import VIDEOS_RETRIEVE, VIDEOS_WAIT, task_path
    from meshapi_core.errors import ResponseDecodeError

    reply = VIDEOS_RETRIEVE.reply
    failed = reply.decode(
        Response(200, {}, b'{"id": "t", "status": "failed", "error": {"code": "invalid_input"}}')
    )
    assert failed.is_terminal and failed.error is not None
    with pytest.raises(ServerError):
        reply.decode(Response(200, {}, b'{"error": {"code": "upstream_error", "message": "x"}}'))
    with pytest.raises(ResponseDecodeError):
        reply.decode(Response(200, {}, b'{"id": 5, "error": {}}'))
    assert VIDEOS_WAIT.done(failed) and "still running" in VIDEOS_WAIT.describe(
        failed.model_copy(update={"status": "running"})
    )
    with pytest.raises(InvalidArgumentError, match="task must be"):
        task_path(12)


def test_byte_counter() -> None:
    complete = ByteCounter({"content-length": "3"})
    complete.feed(b"abc")
    complete.end()
    compressed = ByteCounter({"content-length": "3", "content-encoding": "gzip"})
    compressed.feed(b"abcdef")
    compressed.end()  # the header counts compressed bytes: the transport checks those
    unknown = ByteCounter({})
    unknown.end()
    long = ByteCounter({"content-length": "2"})
    long.feed(b"abc")
    with pytest.raises(StreamInterruptedError):
        long.end()
