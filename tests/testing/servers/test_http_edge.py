"""Bad input at the HTTP layer: oversized bodies, malformed requests, slow clients.

The server must answer what it can, close what it must, and keep serving everyone else.
"""

from __future__ import annotations

import concurrent.futures
import json
import socket
from typing import Callable, Iterator, List

import httpx
import pytest

from meshapi.testing import MAX_BODY_BYTES, Gateway, GatewayServer
from meshapi.testing.pytest_plugin import GatewayFixture

from .._helpers import address, bearer, chat_body, raw_exchange, read_response

CHAT = "/v1/chat/completions"


def head_and_body(raw: bytes) -> tuple[bytes, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return head, body


def test_413_on_content_length_before_reading(meshapi_gateway: GatewayFixture) -> None:
    payload = b'{"messages": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = httpx.post(
        meshapi_gateway.url(CHAT),
        content=payload,
        headers={**bearer(meshapi_gateway.token), "content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "text/html"
    assert response.headers["connection"] == "close"
    assert b"413 Request Entity Too Large" in response.content
    assert b"req_" not in response.content and b'"error"' not in response.content
    entry = meshapi_gateway.gateway.wait_for_request(CHAT)
    assert entry.status == 413 and entry.body_size == len(payload) and entry.body == b""


def test_exactly_32_mib_is_accepted_by_the_edge() -> None:
    filler = "x" * (MAX_BODY_BYTES - 200)
    payload = json.dumps(chat_body("hi", padding=filler)).encode()
    payload += b" " * (MAX_BODY_BYTES - len(payload))
    assert len(payload) == MAX_BODY_BYTES
    gateway = Gateway()  # this module's server cuts bodies off after 0.5 s: not this one
    with GatewayServer(gateway).run_in_thread() as base_url:
        response = httpx.post(
            base_url + CHAT, content=payload, headers=bearer(gateway.token), timeout=30
        )
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"] == "hi"


def test_413_while_reading_a_chunked_body() -> None:
    gateway = Gateway(max_body_bytes=100_000)

    def pieces() -> Iterator[bytes]:
        for _ in range(50):
            yield b"y" * 10_000

    with GatewayServer(gateway).run_in_thread() as base_url:
        response = httpx.post(base_url + CHAT, content=pieces(), headers=bearer(gateway.token))
        assert response.status_code == 413
        assert response.headers["content-type"] == "text/html"
        assert httpx.get(base_url + "/v1/models", headers=bearer(gateway.token)).status_code == 200


MALFORMED = [
    pytest.param(b"\x00\x01\x02garbage\r\n\r\n", 400, id="garbage"),
    pytest.param(
        b"GET /v1/models HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, id="header-without-colon"
    ),
    pytest.param(
        b"GET /v1/models HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        400,
        id="bad-content-length",
    ),
    pytest.param(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
        400,
        id="bad-chunk-size",
    ),
    pytest.param(
        b"GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
        431,
        id="huge-header",
    ),
    pytest.param(b"GET /v1/models HTTP/9.9\r\nHost: x\r\n\r\n", 505, id="bad-version"),
]


@pytest.mark.parametrize(("payload", "status"), MALFORMED)
def test_malformed_http_gets_hs_status_and_close(
    meshapi_gateway: GatewayFixture, payload: bytes, status: int
) -> None:
    raw = raw_exchange(meshapi_gateway.base_url, payload)
    head, body = head_and_body(raw)
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), head
    assert b"connection: close" in head.lower()
    error = json.loads(body)
    assert error["error"]["code"] == "bad_request"
    assert error["request_id"].startswith("req_")
    assert meshapi_gateway.server.protocol_errors == 1


def test_truncated_body_then_close(meshapi_gateway: GatewayFixture) -> None:
    with socket.create_connection(address(meshapi_gateway.base_url), timeout=5) as sock:
        sock.sendall(
            b'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"mess'
        )
        sock.shutdown(socket.SHUT_WR)
        data = sock.recv(65536)
    assert data.startswith(b"HTTP/1.1 400 ")
    assert meshapi_gateway.server.wait_for_open_connections(0, timeout=5)


def test_http10_and_pipelining(meshapi_gateway: GatewayFixture) -> None:
    auth = f"Authorization: Bearer {meshapi_gateway.token}\r\n".encode()
    raw = raw_exchange(
        meshapi_gateway.base_url, b"GET /v1/api-versions HTTP/1.0\r\n" + auth + b"\r\n"
    )
    assert raw.startswith(b"HTTP/1.1 200 ")
    pipelined = (b"GET /v1/api-versions HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n") * 2 + (
        b"GET /v1/api-versions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth + b"\r\n"
    )
    raw = raw_exchange(meshapi_gateway.base_url, pipelined)
    assert raw.count(b"HTTP/1.1 200 ") == 3


def test_expect_100_continue(meshapi_gateway: GatewayFixture) -> None:
    body = json.dumps(chat_body()).encode()
    with socket.create_connection(address(meshapi_gateway.base_url), timeout=5) as sock:
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            + f"Authorization: Bearer {meshapi_gateway.token}\r\n".encode()
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        assert sock.recv(65536).startswith(b"HTTP/1.1 100 ")
        sock.sendall(body)
        assert read_response(sock).startswith(b"HTTP/1.1 200 ")


@pytest.fixture
def meshapi_gateway_options() -> dict:  # type: ignore[type-arg]
    # short timeouts so slow clients are cut off quickly in this module
    return {
        "server": {
            "header_timeout": 0.5,
            "idle_timeout": 1.0,
            "body_timeout": 0.5,
            "linger_timeout": 0.5,
        }
    }


def test_slowloris_head_is_cut_off(meshapi_gateway: GatewayFixture) -> None:
    with socket.create_connection(address(meshapi_gateway.base_url), timeout=5) as sock:
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n")  # never finishes the head
        assert sock.recv(65536) == b""  # the server closes it after header_timeout
    assert meshapi_gateway.server.wait_for_open_connections(0, timeout=5)


def test_slow_body_gets_408(meshapi_gateway: GatewayFixture) -> None:
    with socket.create_connection(address(meshapi_gateway.base_url), timeout=5) as sock:
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"
        )
        assert sock.recv(65536).startswith(b"HTTP/1.1 408 ")


def test_idle_keep_alive_connection_is_closed(meshapi_gateway: GatewayFixture) -> None:
    with socket.create_connection(address(meshapi_gateway.base_url), timeout=5) as sock:
        sock.sendall(b"GET /v1/nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(sock).startswith(b"HTTP/1.1 404 ")
        assert sock.recv(65536) == b""  # closed after idle_timeout


def _abusers(base_url: str) -> List[Callable[[], object]]:
    def garbage() -> object:
        return raw_exchange(base_url, b"\xde\xad\xbe\xef" * 1000 + b"\r\n\r\n")

    def huge_headers() -> object:
        return raw_exchange(base_url, b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 20_000 + b"\r\n")

    def truncated() -> object:
        with socket.create_connection(address(base_url), timeout=5) as sock:
            sock.sendall(
                b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\nabc"
            )
        return None

    def slowloris() -> object:
        with socket.create_connection(address(base_url), timeout=5) as sock:
            sock.sendall(b"GET /v1/models HTTP/1.1\r\n")
            return sock.recv(100)

    def half_open() -> object:
        with socket.create_connection(address(base_url), timeout=5):
            return None

    def reset_mid_request() -> object:
        sock = socket.create_connection(address(base_url), timeout=5)
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 100\r\n\r\nab")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
        return None

    return [garbage, huge_headers, truncated, slowloris, half_open, reset_mid_request] * 4


def test_abuse_does_not_disturb_other_clients(meshapi_gateway: GatewayFixture) -> None:
    base_url, token = meshapi_gateway.base_url, meshapi_gateway.token

    def good_client(index: int) -> str:
        with httpx.Client(base_url=base_url, headers=bearer(token), timeout=10) as http:
            answers = []
            for turn in range(5):
                body = http.post(CHAT, json=chat_body(f"client {index} turn {turn}")).json()
                answers.append(body["choices"][0]["message"]["content"])
            stream = http.post(CHAT, json=chat_body("s t r", stream=True)).text
            assert stream.endswith("data: [DONE]\n\n")
            return " | ".join(answers)

    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        bad = [pool.submit(fn) for fn in _abusers(base_url)]
        good = [pool.submit(good_client, i) for i in range(8)]
        for index, future in enumerate(good):
            assert future.result(timeout=30) == " | ".join(
                f"client {index} turn {t}" for t in range(5)
            )
        for abuse in bad:
            abuse.result(timeout=30)
    assert meshapi_gateway.server.wait_for_open_connections(0, timeout=10)
    assert httpx.get(meshapi_gateway.url("/v1/models"), headers=bearer(token)).status_code == 200
