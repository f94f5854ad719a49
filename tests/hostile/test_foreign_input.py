"""URLs, content types and header values from users or from servers: whatever they hold,
a failure is the SDK's own error, raised before anything is sent (never httpx's
``InvalidURL``, a ``UnicodeEncodeError``, aiohttp's bare ``ValueError``, or a file
registered at the gateway and then left behind)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import anyio
import pytest

from meshapi import InvalidArgumentError, MeshAPIError, UploadFailedError
from meshapi_core.http import Request

from ._server import Conn, RawServer, Seen, response
from .conftest import TOKEN, Api, backend_of, make_client, run

BAD_URL_TAILS = ["/u\r\n1", "/u\n1", "/u\x00", "/u 1", ":99999/u", "/u\x851"]
BAD_TYPES = ["t\u00ebxt/plain", "text/plain\r\nX-Injected: 1", "text/plain\n", " text/plain"]


def json_reply(body: Dict[str, Any]) -> bytes:
    return response(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def files_server(signed_tail: str) -> RawServer:
    """``POST /v1/files`` registers a file whose signed URL is this server plus
    ``signed_tail``; a ``PUT`` is answered 200."""

    def answer(seen: Seen, conn: Conn) -> bool:
        if seen.method == "POST":
            url = conn.server.url + signed_tail
            conn.send(json_reply({"file_id": "file_1", "signed_url": url}))
        else:
            conn.send(response(200))
        return True

    return RawServer(answer)


def methods(server: RawServer) -> List[str]:
    return [seen.method for seen in server.seen]


def assert_ours(error: BaseException) -> None:
    """The SDK's error, chained to nothing but the SDK's own, showing no secret."""
    assert isinstance(error, MeshAPIError)
    assert error.__cause__ is None
    assert error.__context__ is None or isinstance(error.__context__, MeshAPIError)
    assert TOKEN not in str(error) and "sig=" not in str(error)


# -- URLs the gateway hands over ------------------------------------------------------------


@pytest.mark.parametrize("tail", BAD_URL_TAILS, ids=repr)
def test_a_bad_signed_url_fails_the_upload_before_the_put(kind: str, tail: str) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(UploadFailedError) as info:
            await api.call(lambda c: c.rag.upload_file(b"hello", file_name="a.txt"))
        return info.value

    with files_server(tail + "?sig=abc") as server:
        error = run(kind, server.url, scenario)
        assert methods(server) == ["POST"]  # registered; no PUT anywhere
    assert_ours(error)
    assert (error.step, error.file_id) == ("upload", "file_1")
    assert isinstance(error.error, InvalidArgumentError) and error.error.param == "signed_url"


@pytest.mark.parametrize("tail", BAD_URL_TAILS[:3], ids=repr)
def test_a_bad_video_url_is_refused_before_the_download(kind: str, tail: str) -> None:
    def answer(seen: Seen, conn: Conn) -> bool:
        url = conn.server.url + tail
        conn.send(json_reply({"id": "cgt-1", "status": "succeeded", "content": {"video_url": url}}))
        return True

    async def scenario(api: Api) -> Any:
        task = await api.call(lambda c: c.videos.retrieve("cgt-1"))
        with pytest.raises(InvalidArgumentError) as info:
            await api.call(lambda c: c.videos.download(task).read())
        return info.value

    with RawServer(answer) as server:
        error = run(kind, server.url, scenario)
        assert [seen.target for seen in server.seen] == ["/v1/video/generations/cgt-1"]
    assert_ours(error)
    assert error.param == "task.content.video_url"


@pytest.mark.parametrize(
    "url", ["https://127.0.0.1:1/v\r\nx", "https://127.0.0.1:99999/v", "https://xn--a.localhost/v"]
)
def test_a_bad_url_given_to_a_download_is_refused(kind: str, url: str) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(InvalidArgumentError) as info:
            await api.call(lambda c: c.videos.download(url).read())
        return info.value

    with RawServer(lambda seen, conn: False) as server:
        error = run(kind, server.url, scenario)
        assert server.seen == []
    assert_ours(error)


# -- content types and base URLs a user gives -----------------------------------------------


@pytest.mark.parametrize("mime_type", BAD_TYPES, ids=repr)
def test_a_bad_mime_type_is_refused_before_the_file_is_registered(
    kind: str, mime_type: str
) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(InvalidArgumentError) as info:
            await api.call(
                lambda c: c.rag.upload_file(b"hello", file_name="a.txt", mime_type=mime_type)
            )
        return info.value

    with files_server("/upload?sig=abc") as server:
        error = run(kind, server.url, scenario)
        assert server.seen == []  # not even POST /v1/files
    assert_ours(error)
    assert error.param == "mime_type"


@pytest.mark.parametrize("content_type", BAD_TYPES[:2], ids=repr)
def test_a_bad_content_type_of_a_form_file_is_refused(kind: str, content_type: str) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(InvalidArgumentError) as info:
            await api.call(
                lambda c: c.audio.transcribe(
                    b"RIFF....WAVE", model="m", filename="a.wav", content_type=content_type
                )
            )
        return info.value

    with RawServer(lambda seen, conn: False) as server:
        error = run(kind, server.url, scenario)
        assert server.seen == []
    assert_ours(error)


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:99999", "http://127.0.0.1:1/v\r\n1", "http://ex\u00e4mple.localhost:1"],
    ids=["port", "crlf", "non-ascii-host"],
)
def test_a_base_url_no_transport_can_send_to_is_refused(kind: str, base_url: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        make_client(kind, base_url)
    assert info.value.param == "base_url"
    assert_ours(info.value)


# -- the transports' own last line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url_tail", "headers"),
    [
        ("/x", (("x-note", "caf\u00e9"),)),
        ("/x", (("x-note", "a\r\nX-Injected: 1"),)),
        (":99999/x", ()),
    ],
    ids=["non-ascii-header", "crlf-header", "port"],
)
def test_a_transport_refuses_what_its_library_cannot_send(
    kind: str, url_tail: str, headers: Any, tmp_path: Path
) -> None:
    """A request built by hand, past the core's checks: still the SDK's error, nothing sent.
    (httpx hands a CR/LF header value to h11, which refuses it as a protocol error: a
    connection error, as any of h11's. aiohttp sends a non-ASCII value as UTF-8.)"""
    crlf = any("\r" in value for _, value in headers)
    if kind.startswith("aiohttp") and headers and not crlf:
        pytest.skip("aiohttp sends UTF-8 header values; the core refuses them before")
    if kind == "httpx-sync":
        from meshapi_httpx import HttpxTransport as Sync

        transport: Any = Sync()
    elif kind.startswith("httpx"):
        from meshapi_httpx import AsyncHttpxTransport

        transport = AsyncHttpxTransport()
    else:
        from meshapi_aiohttp import AiohttpTransport

        transport = AiohttpTransport()

    with RawServer(lambda seen, conn: False) as server:
        request = Request("GET", server.url + url_tail, headers)

        async def scenario() -> MeshAPIError:
            try:
                opened = transport.open_stream(request)
                if not isinstance(opened, Request) and hasattr(opened, "__await__"):
                    opened = await opened
                raise AssertionError(f"sent: {opened!r}")
            except MeshAPIError as error:
                return error
            finally:
                closing = transport.close() if hasattr(transport, "close") else transport.aclose()
                if closing is not None:
                    await closing

        error = anyio.run(scenario, backend=backend_of(kind))
        assert server.seen == []
    assert_ours(error)
    if not (kind.startswith("httpx") and crlf):
        assert isinstance(error, InvalidArgumentError) and "Nothing was sent" in str(error)
