"""Misuse and hostile input never leak the credential or share a connection: fork, event
loops, path traversal, plain http, header injection, and the object graph of every error."""

from __future__ import annotations

import asyncio
import os
import types
from typing import Any, Callable, Iterator, List, Set

import anyio
import httpx
import pytest

from meshapi import (
    ClientContextError,
    InvalidArgumentError,
    MeshAPI,
    MeshAPIError,
    Timeout,
)
from meshapi.testing import Gateway

from ._server import Conn, RawServer, Seen, chunk, gzip_of, response, sse_head
from .conftest import (
    PARAMS,
    TOKEN,
    Api,
    backend_of,
    make_client,
    run,
)

MODEL = b'{"id": "openai/gpt-4o-mini", "object": "model"}'
COMPLETION = (
    b'{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,'
    b'"message":{"role":"assistant","content":"%d"},"finish_reason":"stop"}]}'
)

fork_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def numbered(seen: Seen, conn: Conn) -> bool:
    """A keep-alive JSON reply whose content is the request's number on this server."""
    number = len(conn.server.seen)
    conn.send(response(200, COMPLETION % number, {"Content-Type": "application/json"}))
    return True


def in_child(work: Callable[[], str]) -> str:
    """Run ``work`` in a forked child; its result (or its error's type and text) comes back
    through a pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave at once, never back into pytest
        os.close(read_end)
        try:
            try:
                text = work()
            except BaseException as error:
                text = f"{type(error).__name__}: {error}"
            os.write(write_end, text.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        text = pipe.read().decode()
    os.waitpid(pid, 0)
    return text


# -- fork ---------------------------------------------------------------------------------


@fork_only
def test_a_forked_child_gets_a_fresh_pool() -> None:
    with RawServer(numbered) as server:
        client = MeshAPI(base_url=server.url, token=TOKEN, max_retries=0)
        first = client.chat.completions.create(PARAMS).choices[0].message.content
        reply = in_child(lambda: client.chat.completions.create(PARAMS).choices[0].message.content)
        again = client.chat.completions.create(PARAMS).choices[0].message.content
        client.close()
        conns = [seen.conn for seen in server.seen]
    assert (first, reply, again) == ("1", "2", "3")  # each got its own answer
    assert conns[0] == conns[2] != conns[1]  # the parent kept its connection, the child did not


@fork_only
def test_a_forked_child_refuses_a_user_supplied_httpx_client() -> None:
    with RawServer(numbered) as server, httpx.Client() as http:
        client = MeshAPI(base_url=server.url, token=TOKEN, httpx_client=http, max_retries=0)
        client.chat.completions.create(PARAMS)
        report = in_child(lambda: repr(client.chat.completions.create(PARAMS)))
        assert len(server.seen) == 1  # the child sent nothing
    assert report.startswith("ClientContextError: ")
    assert "fork" in report
    assert TOKEN not in report


@fork_only
def test_a_forked_child_refuses_an_async_client(async_kind: str) -> None:
    with RawServer(numbered) as server:
        client = make_client(async_kind, server.url)

        async def use() -> str:
            reply = await client.chat.completions.create(PARAMS)  # type: ignore[misc]
            return str(reply.choices[0].message.content)

        backend = backend_of(async_kind)
        assert anyio.run(use, backend=backend) == "1"
        report = in_child(lambda: anyio.run(use, backend=backend))
        assert len(server.seen) == 1
    assert report.startswith("ClientContextError: ")
    assert "os.fork()" in report


# -- event loops ------------------------------------------------------------------------------


def test_an_async_client_after_its_loop_closed(async_kind: str) -> None:
    with RawServer(numbered) as server:
        client = make_client(async_kind, server.url)

        async def use() -> Any:
            return await client.chat.completions.create(PARAMS)  # type: ignore[misc]

        backend = backend_of(async_kind)
        anyio.run(use, backend=backend)
        with pytest.raises(ClientContextError) as info:
            anyio.run(use, backend=backend)
        assert len(server.seen) == 1
    assert isinstance(info.value, RuntimeError)
    assert "one client per event loop" in str(info.value)
    if backend == "asyncio":
        assert "since closed" in str(info.value)


@pytest.mark.parametrize("kind", ["httpx-asyncio", "aiohttp-asyncio"])
def test_an_async_client_from_another_running_loop(kind: str) -> None:
    with RawServer(numbered) as server:
        client = make_client(kind, server.url)

        async def use() -> Any:
            return await client.chat.completions.create(PARAMS)  # type: ignore[misc]

        first = asyncio.new_event_loop()
        try:
            first.run_until_complete(use())
            with pytest.raises(ClientContextError) as info:
                asyncio.run(use())
            assert "another event loop" in str(info.value)
            first.run_until_complete(client.aclose())  # type: ignore[union-attr]
        finally:
            first.close()


def test_with_options_shares_the_loop_binding() -> None:
    with RawServer(numbered) as server:
        client = make_client("httpx-asyncio", server.url)
        derived = client.with_options(max_retries=1)

        async def use(c: Any) -> Any:
            return await c.chat.completions.create(PARAMS)

        asyncio.run(use(client))
        with pytest.raises(ClientContextError):
            asyncio.run(use(derived))


def test_the_in_process_transport_is_not_bound_to_a_loop() -> None:
    gateway = Gateway()
    client = make_client("inproc-asyncio", "http://127.0.0.1", gateway=gateway, token=gateway.token)

    async def use() -> Any:
        return await client.models.list()  # type: ignore[misc]

    asyncio.run(use())
    anyio.run(use, backend="trio")  # another loop, another library: fine without sockets


# -- arguments refused before anything is sent -------------------------------------------------


def nothing_sent(seen: Seen, conn: Conn) -> bool:  # pragma: no cover - must not be reached
    raise AssertionError(f"the client sent {seen.method} {seen.target}")


@pytest.mark.parametrize(
    "model_id", ["../../admin/keys", "a/../../admin", "..", ".", "", "a//b", "a/./b", "a/.."]
)
def test_a_path_value_cannot_leave_its_segment(kind: str, model_id: str) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(InvalidArgumentError) as info:
            await api.call(lambda c: c.models.get(model_id))
        return info.value

    with RawServer(nothing_sent) as server:
        error = run(kind, server.url, scenario)
        assert server.seen == []
    assert error.param == "model_id"


def test_a_path_value_is_percent_encoded(kind: str) -> None:
    def answer(seen: Seen, conn: Conn) -> bool:
        conn.send(response(200, MODEL, {"Content-Type": "application/json"}))
        return True

    async def scenario(api: Api) -> Any:
        return await api.call(lambda c: c.models.get("openai/gpt 4o?x=1#y"))

    with RawServer(answer) as server:
        run(kind, server.url, scenario)
        target = server.seen[0].target
    # "?" and "#" stay in the segment; aiohttp may send "=" as is (the same path, RFC 3986)
    assert target.replace("=", "%3D") == "/v1/models/openai/gpt%204o%3Fx%3D1%23y"


@pytest.mark.parametrize(
    "base_url", ["http://api.meshapi.ai", "http://10.0.0.1:8080", "http://[2001:db8::1]/v1"]
)
def test_plain_http_to_a_remote_host_is_refused(kind: str, base_url: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        make_client(kind, base_url)
    assert info.value.param == "base_url"
    assert "allow_insecure_http=True" in str(info.value)
    assert TOKEN not in str(info.value)
    make_client(kind, base_url, allow_insecure_http=True)  # made, and never used


@pytest.mark.parametrize("base_url", ["http://localhost:1", "http://127.0.0.2:1", "http://[::1]:1"])
def test_plain_http_to_loopback_is_allowed(base_url: str) -> None:
    MeshAPI(base_url=base_url, token=TOKEN).close()


@pytest.mark.parametrize(
    "options",
    [
        {"idempotency_key": "key\r\nX-Injected: 1"},
        {"idempotency_key": "cl\u00e9"},
        {"extra_headers": {"X-Note": "a\nb"}},
        {"extra_headers": {"X-Note": "caf\u00e9"}},
        {"extra_headers": {"Bad Name": "v"}},
    ],
    ids=["key-crlf", "key-non-ascii", "header-lf", "header-non-ascii", "header-name"],
)
def test_a_header_value_is_checked_before_sending(kind: str, options: Any) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(InvalidArgumentError) as info:
            await api.create(**options)
        return info.value

    with RawServer(nothing_sent) as server:
        error = run(kind, server.url, scenario)
        assert server.seen == []
    assert TOKEN not in str(error) and TOKEN not in repr(error)


@pytest.mark.parametrize(
    "settings",
    [
        {"token": TOKEN + "\u00e9"},
        {"token": TOKEN + "\r\nX-Injected: 1"},
        {"default_headers": {"X-Team": "a\r\nb"}},
    ],
    ids=["token-non-ascii", "token-crlf", "default-header"],
)
def test_a_bad_token_or_default_header_is_refused_when_the_client_is_made(
    kind: str, settings: Any
) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        make_client(kind, "http://127.0.0.1:1", **settings)
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)
    assert not isinstance(info.value.__context__, UnicodeError)


# -- no secret in an error's object graph ---------------------------------------------------


def reachable(root: BaseException) -> Iterator[Any]:
    """Every object reachable from ``root`` through exception chains, attributes (``vars``
    and slots), ``args``, ``__notes__`` and containers; not through frames or tracebacks."""
    seen: Set[int] = set()
    todo: List[Any] = [root]
    skip = (types.FrameType, types.TracebackType, types.ModuleType, types.FunctionType,
            types.BuiltinFunctionType, types.MethodType, type)  # fmt: skip
    while todo and len(seen) < 200_000:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, (str, bytes, bytearray, int, float, bool)) or obj is None:
            continue
        if isinstance(obj, dict):
            todo += list(obj.keys()) + list(obj.values())
            continue
        if isinstance(obj, (list, tuple, set, frozenset)):
            todo += list(obj)
            continue
        if isinstance(obj, BaseException):
            todo += [obj.__cause__, obj.__context__, obj.args, getattr(obj, "__notes__", None)]
        if isinstance(getattr(obj, "__dict__", None), dict):
            todo.append(vars(obj))
        for klass in type(obj).__mro__:
            for name in getattr(klass, "__slots__", ()):
                if isinstance(name, str) and hasattr(obj, name):
                    todo.append(getattr(obj, name))
        if isinstance(obj, (httpx.Headers,)):
            todo.append(obj.raw)


def assert_no_secret(error: BaseException) -> None:
    chain = [error.__cause__, error.__context__]
    for linked in chain:
        assert linked is None or isinstance(linked, MeshAPIError), repr(linked)
    needle = TOKEN.encode()
    for obj in reachable(error):
        if isinstance(obj, str):
            assert TOKEN not in obj, f"token in {obj[:200]!r}"
        elif isinstance(obj, (bytes, bytearray)):
            assert needle not in obj


def refuse(seen: Seen, conn: Conn) -> bool:
    conn.sock.close()
    return False


def stall(seen: Seen, conn: Conn) -> bool:
    conn.until_client_closes()
    return False


def reset_mid_body(seen: Seen, conn: Conn) -> bool:
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    conn.sock.setsockopt(__import__("socket").SOL_SOCKET, __import__("socket").SO_LINGER,
                         b"\x01\x00\x00\x00\x00\x00\x00\x00")  # fmt: skip
    conn.sock.close()
    return False


def cut_stream(seen: Seen, conn: Conn) -> bool:
    conn.send(sse_head() + chunk(b'data: {"id": "c"'))
    conn.sock.close()
    return False


def unauthorized(seen: Seen, conn: Conn) -> bool:
    body = b'{"error": {"code": "invalid_api_key", "message": "Unknown key."}}'
    conn.send(response(401, body, {"Content-Type": "application/json"}))
    return True


def corrupt_gzip(seen: Seen, conn: Conn) -> bool:
    body = gzip_of(b'{"id": "c"}')[:12] + b"\xff" * 40
    conn.send(response(200, body, {"Content-Type": "application/json", "Content-Encoding": "gzip"}))
    return True


def not_json(seen: Seen, conn: Conn) -> bool:
    conn.send(response(200, b"<html>nope</html>", {"Content-Type": "application/json"}))
    return True


FAILURES = {
    "refused": (refuse, "create"),
    "read-timeout": (stall, "create"),
    "reset": (reset_mid_body, "create"),
    "stream-cut": (cut_stream, "stream"),
    "stream-stall": (stall, "stream"),
    "401": (unauthorized, "create"),
    "corrupt-gzip": (corrupt_gzip, "create"),
    "not-json": (not_json, "create"),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_no_token_is_reachable_from_an_error(kind: str, failure: str) -> None:
    answer, how = FAILURES[failure]

    async def scenario(api: Api) -> MeshAPIError:
        with pytest.raises(MeshAPIError) as info:
            if how == "create":
                await api.create(timeout=Timeout(0.3))
            else:
                await api.chunks(timeout=Timeout(0.3))
        return info.value

    with RawServer(answer) as server:
        error = run(kind, server.url, scenario)
    assert_no_secret(error)


def test_no_token_is_reachable_when_nothing_listens(kind: str) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused

        async def scenario(api: Api) -> MeshAPIError:
            with pytest.raises(MeshAPIError) as info:
                await api.create()
            return info.value

        error = run(kind, f"http://127.0.0.1:{port}", scenario)
    assert "connection" in error.error_code
    assert_no_secret(error)


def test_the_graph_walk_finds_a_token_where_there_is_one() -> None:
    """The check above can fail: a chained httpx error holds the request's headers."""
    request = httpx.Request("GET", "http://h/", headers={"Authorization": f"Bearer {TOKEN}"})
    try:
        try:
            raise httpx.ConnectError("refused", request=request)
        except httpx.ConnectError as exc:
            raise MeshAPIError("failed") from exc
    except MeshAPIError as error:
        with pytest.raises(AssertionError):
            assert_no_secret(error)
