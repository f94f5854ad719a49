"""Downloads on every transport: a file the SDK writes is whole or absent, and a file it did
not create is never touched.

- A compressed body whose HTTP framing looks complete (the right ``content-length``, the last
  chunk, or a close) but whose gzip or deflate stream was cut is interrupted, however it is
  read (``write_to``, ``read()``, iteration), and leaves no file.
- ``write_to`` writes to a temporary file of its own, made in the target's folder only once a
  successful response is in, with a unique name, never following a link; it moves it into
  place whole, and removes nothing but it.
- ``write_to`` is bounded by ``max_download_size`` (on the decoded bytes), not by
  ``max_response_size``.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import threading
import zlib
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from meshapi import (
    APIConnectionError,
    InvalidArgumentError,
    MeshAPI,
    NotFoundError,
    ResponseTooLargeError,
    StreamInterruptedError,
)
from meshapi_core.config import DEFAULT_MAX_DOWNLOAD_SIZE, ClientConfig

from ._server import Conn, RawServer, Seen, chunk, gzip_of, response
from .conftest import Api, gzip_bomb, run

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


# -- write_to never touches a file it did not create ---------------------------------------


def test_a_link_at_the_old_part_name_is_never_followed(kind: str, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (tmp_path / "out.mp4.part").symlink_to(victim)
    target = tmp_path / "out.mp4"

    async def scenario(api: Api) -> int:
        return await write_to(api, target)

    with RawServer(reply(BODY)) as server:
        assert run(kind, server.url, scenario) == len(BODY)
    assert victim.read_bytes() == b"precious"
    assert not target.is_symlink() and target.read_bytes() == BODY
    assert os.readlink(tmp_path / "out.mp4.part") == str(victim)
    assert files_in(tmp_path) == ["out.mp4", "out.mp4.part", "victim.txt"]


@pytest.mark.parametrize("status", [200, 404])
def test_a_users_own_part_file_is_never_touched(kind: str, status: int, tmp_path: Path) -> None:
    mine = tmp_path / "movie.mp4.part"
    mine.write_bytes(b"my own half-copied movie")

    def answer(seen: Seen, conn: Conn) -> bool:
        if status == 404:
            body = b'{"error": {"code": "not_found", "message": "No such file."}}'
            conn.send(response(404, body, {"Content-Type": "application/json"}))
            return True
        return reply(BODY)(seen, conn)

    async def scenario(api: Api) -> Optional[int]:
        if status == 404:
            with pytest.raises(NotFoundError):
                await write_to(api, tmp_path / "movie.mp4")
            return None
        return await write_to(api, tmp_path / "movie.mp4")

    with RawServer(answer) as server:
        run(kind, server.url, scenario)
    assert mine.read_bytes() == b"my own half-copied movie"
    expected = ["movie.mp4", "movie.mp4.part"] if status == 200 else ["movie.mp4.part"]
    assert files_in(tmp_path) == expected


def test_no_file_is_made_before_a_successful_response(kind: str, tmp_path: Path) -> None:
    seen_while_asked: List[List[str]] = []

    def answer(seen: Seen, conn: Conn) -> bool:
        seen_while_asked.append(files_in(tmp_path))
        body = b'{"error": {"code": "not_found", "message": "No such file."}}'
        conn.send(response(404, body, {"Content-Type": "application/json"}))
        return True

    async def scenario(api: Api) -> None:
        with pytest.raises(NotFoundError):
            await write_to(api, tmp_path / "out.bin")

    with RawServer(answer) as server:
        run(kind, server.url, scenario)
    assert seen_while_asked == [[]]
    assert files_in(tmp_path) == []


def test_two_downloads_to_one_path_each_land_whole(kind: str, tmp_path: Path) -> None:
    bodies = [b"a" * 300_000, b"b" * 200_000]
    both_asked = threading.Barrier(2, timeout=10)
    target = tmp_path / "out.bin"

    def answer(seen: Seen, conn: Conn) -> bool:
        body = bodies[0] if seen.target.endswith("file_a/content") else bodies[1]
        head = response(200, body, {"Content-Type": "application/octet-stream"})
        half = len(head) - len(body) // 2
        conn.send(head[:half])
        both_asked.wait()  # both downloads are writing before either ends
        conn.send(head[half:])
        return True

    async def scenario(api: Api) -> List[int]:
        sizes: List[int] = [0, 0]

        async def one(index: int, file_id: str) -> None:
            def download(client: Any) -> Any:
                return client.rag.content(file_id).write_to(target)

            if isinstance(api.client, MeshAPI):
                sizes[index] = await anyio.to_thread.run_sync(download, api.client)
            else:
                sizes[index] = await download(api.client)

        async with anyio.create_task_group() as group:
            group.start_soon(one, 0, "file_a")
            group.start_soon(one, 1, "file_b")
        return sizes

    with RawServer(answer) as server:
        sizes = run(kind, server.url, scenario)
    assert sizes == [len(b) for b in bodies]
    assert target.read_bytes() in bodies  # one of the two, whole: the last to finish
    assert files_in(tmp_path) == ["out.bin"]


def test_the_file_gets_the_mode_of_a_file_written_normally(kind: str, tmp_path: Path) -> None:
    normal = tmp_path / "normal.bin"
    normal.write_bytes(b"x")

    async def scenario(api: Api) -> int:
        return await write_to(api, tmp_path / "out.bin")

    with RawServer(reply(BODY)) as server:
        run(kind, server.url, scenario)
    mode = stat.S_IMODE((tmp_path / "out.bin").stat().st_mode)
    assert mode == stat.S_IMODE(normal.stat().st_mode)


def test_a_file_system_failure_is_the_os_error_naming_the_path(kind: str, tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    target = folder / "out.bin"

    def answer(seen: Seen, conn: Conn) -> bool:
        shutil.rmtree(folder)  # the folder vanishes while the request is on its way
        return reply(BODY)(seen, conn)

    async def scenario(api: Api) -> OSError:
        with pytest.raises(OSError) as info:
            await write_to(api, target)
        return info.value

    with RawServer(answer) as server:
        error = run(kind, server.url, scenario)
    assert isinstance(error, FileNotFoundError)
    assert error.filename == str(target)
    assert files_in(tmp_path) == []


def test_a_bad_target_is_refused_before_anything_is_sent(kind: str, tmp_path: Path) -> None:
    async def scenario(api: Api) -> List[str]:
        params = []
        for path in (tmp_path, tmp_path / "missing" / "out.bin", ""):
            with pytest.raises(InvalidArgumentError) as info:
                await api.call(lambda c, p=path: c.rag.content("file_1").write_to(p))
            params.append(info.value.param)
        return params

    with RawServer(reply(BODY)) as server:
        assert run(kind, server.url, scenario) == ["path"] * 3
        assert server.seen == []


# -- write_to is bounded by max_download_size ----------------------------------------------

LIMIT = 1 << 20


def test_an_announced_body_past_the_bound_is_refused(kind: str, tmp_path: Path) -> None:
    big = b"v" * (10 << 20)

    async def scenario(api: Api) -> Any:
        with pytest.raises(ResponseTooLargeError) as info:
            await write_to(api, tmp_path / "big.bin")
        return info.value

    with RawServer(reply(big)) as server:
        error = run(kind, server.url, scenario, max_download_size=LIMIT)
    assert error.error_code == "response_too_large"
    assert "max_download_size" in error.message
    assert files_in(tmp_path) == []


def endless(seen: Seen, conn: Conn) -> bool:
    head = "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nTransfer-Encoding: chunked\r\n\r\n"
    piece = chunk(b"\0" * 65536)
    if conn.send(head.encode()):
        while conn.send(piece):
            pass
    return False


@pytest.mark.parametrize("source", ["endless", "gzip-bomb"])
def test_a_body_growing_past_the_bound_is_cut_there(kind: str, source: str, tmp_path: Path) -> None:
    answer = endless if source == "endless" else reply(gzip_bomb(64 << 20), Content_Encoding="gzip")

    async def scenario(api: Api) -> None:
        with pytest.raises(ResponseTooLargeError, match="max_download_size"):
            await write_to(api, tmp_path / "big.bin")

    with RawServer(answer) as server:
        run(kind, server.url, scenario, max_download_size=LIMIT)
    assert files_in(tmp_path) == []


def test_max_response_size_does_not_bound_a_download(kind: str, tmp_path: Path) -> None:
    body = b"w" * (2 * LIMIT)

    async def scenario(api: Api) -> int:
        return await write_to(api, tmp_path / "ok.bin")

    with RawServer(reply(body)) as server:
        size = run(kind, server.url, scenario, max_response_size=LIMIT, max_download_size=None)
    assert size == len(body) and (tmp_path / "ok.bin").read_bytes() == body


def test_max_download_size_is_a_checked_setting() -> None:
    config = ClientConfig.create(base_url="http://127.0.0.1", token="rsk_x")
    assert config.max_download_size == DEFAULT_MAX_DOWNLOAD_SIZE
    assert config.with_changes(max_retries=1).max_download_size == DEFAULT_MAX_DOWNLOAD_SIZE
    lifted = ClientConfig.create(base_url="http://127.0.0.1", token="rsk_x", max_download_size=None)
    assert lifted.max_download_size is None
    assert lifted.with_changes(max_retries=1).max_download_size is None
    for bad in (0, -1, "1", 1.5, True):
        with pytest.raises(InvalidArgumentError) as info:
            ClientConfig.create(base_url="http://127.0.0.1", token="rsk_x", max_download_size=bad)
        assert info.value.param == "max_download_size"


# -- the temporary file itself ---------------------------------------------------------------


def test_the_temporary_file_is_new_hidden_and_beside_the_target(tmp_path: Path) -> None:
    from meshapi._files import PartialFile

    (tmp_path / "out.bin.part").write_bytes(b"someone else's")
    target = PartialFile(tmp_path / "out.bin")
    assert files_in(tmp_path) == ["out.bin.part"]  # nothing made until create()
    target.create()
    assert target.part_path is not None
    name = os.path.basename(target.part_path)
    assert os.path.dirname(target.part_path) == str(tmp_path)
    assert name.startswith(".out.bin.") and name.endswith(".part")
    target.write(b"abc")
    assert target.commit() == 3
    assert files_in(tmp_path) == ["out.bin", "out.bin.part"]
    assert (tmp_path / "out.bin.part").read_bytes() == b"someone else's"


def test_a_replaced_temporary_file_is_neither_removed_nor_moved(tmp_path: Path) -> None:
    from meshapi._files import PartialFile

    for finish in ("discard", "commit"):
        target = PartialFile(tmp_path / "out.bin")
        target.create()
        part = target.part_path
        assert part is not None
        os.remove(part)
        Path(part).write_bytes(b"not the SDK's")  # another file now has its name
        if finish == "discard":
            target.discard()
        else:
            with pytest.raises(OSError) as info:
                target.commit()
            assert info.value.filename == str(tmp_path / "out.bin")
            target.discard()
        assert Path(part).read_bytes() == b"not the SDK's"
        assert not (tmp_path / "out.bin").exists()
        os.remove(part)


def snapshot(folder: Path) -> Dict[str, Any]:
    """Every entry of ``folder``: a link's target, a file's bytes."""
    return {
        p.name: ("link", os.readlink(p)) if p.is_symlink() else p.read_bytes()
        for p in folder.iterdir()
    }


@given(
    existing=st.lists(
        st.sampled_from(["out.bin", "out.bin.part", ".out.bin.part", "link:out.bin.part", "x"]),
        unique_by=lambda name: name.split(":")[-1],
    ),
    chunks=st.lists(st.binary(max_size=64), max_size=4),
    commit=st.booleans(),
)
def test_only_the_target_ever_changes(
    existing: List[str], chunks: List[bytes], commit: bool
) -> None:
    from meshapi._files import PartialFile

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "victim").write_bytes(b"victim")
        for entry in existing:
            if entry.startswith("link:"):
                (folder / entry[5:]).symlink_to(folder / "victim")
            else:
                (folder / entry).write_bytes(b"user's " + entry.encode())
        before = snapshot(folder)
        with PartialFile(folder / "out.bin") as target:
            target.create()
            for data in chunks:
                target.write(data)
            if commit:
                assert target.commit() == sum(map(len, chunks))
        expected = dict(before)
        if commit:
            expected["out.bin"] = b"".join(chunks)
        assert snapshot(folder) == expected
