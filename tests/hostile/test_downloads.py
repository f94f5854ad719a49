"""Downloads on every transport: a file the SDK writes is whole or absent.

- A compressed body whose HTTP framing looks complete (the right ``content-length``, the last
  chunk, or a close) but whose gzip or deflate stream was cut is interrupted, however it is
  read (``write_to``, ``read()``, iteration), and leaves no file.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from meshapi import APIConnectionError, StreamInterruptedError

from ._server import Conn, RawServer, Seen, chunk, gzip_of
from .conftest import Api, run

BODY = bytes(range(256)) * 2048  # 512 KiB that compress to about 2 KiB
COMPLETION = (
    b'{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,'
    b'"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}'
)
Answer = Callable[[Seen, Conn], bool]


def deflate_of(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def reply(body: bytes, framing: str = "length", **headers: str) -> Answer:
    """An answer sending ``body`` as it is, framed by its length, as chunks or by a close:
    whatever ``body`` is, the HTTP framing says it is all there."""

    def answer(seen: Seen, conn: Conn) -> bool:
        lines = ["HTTP/1.1 200 OK", "Content-Type: application/octet-stream"]
        lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
        if framing == "length":
            lines.append(f"Content-Length: {len(body)}")
        elif framing == "chunked":
            lines.append("Transfer-Encoding: chunked")
        else:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        if framing == "chunked":
            conn.send(head + chunk(body) + chunk(b""))
            return True
        conn.send(head + body)
        return framing == "length"

    return answer


def content(api: Api) -> Any:
    """A byte stream (``GET /v1/files/file_1/content``)."""
    return api.client.rag.content("file_1")


async def write_to(api: Api, path: Path) -> int:
    return int(await api.call(lambda c: c.rag.content("file_1").write_to(path)))


async def read_all(api: Api, how: str, path: Path) -> bytes:
    """The body, read ``how``: ``write_to`` (then the file), ``read()``, or iteration."""
    if how == "write_to":
        await write_to(api, path)
        return path.read_bytes()  # noqa: ASYNC240 (a small file, read once the scenario ends)
    if how == "read":
        return bytes(await api.call(lambda c: c.rag.content("file_1").read()))
    stream = content(api)
    if api.is_sync:
        return b"".join(stream)
    return b"".join([piece async for piece in stream])


def files_in(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.iterdir())


# -- a cut compressed body is never complete -----------------------------------------------

FRAMINGS = ["length", "chunked", "close"]
READS = ["write_to", "read", "iterate"]


@pytest.mark.parametrize("how", READS)
@pytest.mark.parametrize("framing", FRAMINGS)
def test_a_cut_gzip_body_in_complete_framing_is_interrupted(
    kind: str, framing: str, how: str, tmp_path: Path
) -> None:
    whole = gzip_of(BODY)
    cut = whole[: len(whole) // 2]

    async def scenario(api: Api) -> Any:
        with pytest.raises(StreamInterruptedError) as info:
            await read_all(api, how, tmp_path / "out.bin")
        return info.value

    with RawServer(reply(cut, framing, Content_Encoding="gzip", x_request_id="req_cut")) as server:
        error = run(kind, server.url, scenario)
    assert error.request_id == "req_cut"
    assert files_in(tmp_path) == []


CUTS: Dict[str, Callable[[bytes], bytes]] = {
    # every byte of the content is there; only the gzip trailer (CRC and size) is missing
    "gzip-trailer": lambda body: gzip_of(body)[:-8],
    "gzip-second-member": lambda body: gzip_of(body[:1000]) + gzip_of(body[1000:])[:-4],
    "deflate": lambda body: deflate_of(body, zlib.MAX_WBITS)[:-4],  # no Adler-32
    "raw-deflate": lambda body: deflate_of(body, -zlib.MAX_WBITS)[:-3],
    "layers": lambda body: gzip_of(deflate_of(body, zlib.MAX_WBITS)[:-4]),  # the inner one cut
}
ENCODINGS = {"layers": "deflate, gzip", "deflate": "deflate", "raw-deflate": "deflate"}


@pytest.mark.parametrize("cut", list(CUTS))
def test_every_cut_compressed_stream_is_interrupted(kind: str, cut: str, tmp_path: Path) -> None:
    body = CUTS[cut](BODY)
    encoding = ENCODINGS.get(cut, "gzip")

    async def scenario(api: Api) -> None:
        with pytest.raises(StreamInterruptedError):
            await write_to(api, tmp_path / "out.bin")

    with RawServer(reply(body, Content_Encoding=encoding)) as server:
        run(kind, server.url, scenario)
    assert files_in(tmp_path) == []


def test_a_whole_body_with_a_cut_gzip_stream_is_a_broken_response(kind: str) -> None:
    # The JSON is all there and parses: only the gzip trailer is missing.
    answer = reply(gzip_of(COMPLETION)[:-8], Content_Encoding="gzip")

    async def scenario(api: Api) -> Any:
        with pytest.raises(APIConnectionError) as info:
            await api.create()
        return info.value

    with RawServer(answer) as server:
        error = run(kind, server.url, scenario)
    assert error.response_started is True
    assert "gzip" in error.message


@pytest.mark.parametrize("framing", FRAMINGS)
def test_whole_compressed_bodies_still_arrive_whole(
    kind: str, framing: str, tmp_path: Path
) -> None:
    body = gzip_of(BODY[:1000]) + gzip_of(BODY[1000:])  # two gzip members

    async def scenario(api: Api) -> Any:
        return [await read_all(api, how, tmp_path / f"{how}.bin") for how in READS]

    with RawServer(reply(body, framing, Content_Encoding="gzip")) as server:
        assert run(kind, server.url, scenario) == [BODY] * 3


def test_an_empty_body_is_empty_whatever_its_encoding(kind: str, tmp_path: Path) -> None:
    async def scenario(api: Api) -> int:
        return await write_to(api, tmp_path / "empty.bin")

    with RawServer(reply(b"", Content_Encoding="gzip")) as server:
        assert run(kind, server.url, scenario) == 0
    assert (tmp_path / "empty.bin").read_bytes() == b""
