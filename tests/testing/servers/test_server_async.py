"""The server inside asyncio and trio event loops, and in a trio background thread."""

from __future__ import annotations

import json

import anyio
import httpx
import pytest

from meshapi.testing import Gateway, GatewayServer, faults

from .._helpers import bearer, chat_body, sse_data

pytestmark = pytest.mark.anyio

CHAT = "/v1/chat/completions"


async def test_serves_json_and_streams_in_the_current_loop() -> None:
    gateway = Gateway()
    async with (
        GatewayServer(gateway) as server,
        httpx.AsyncClient(base_url=server.base_url, headers=bearer(gateway.token)) as http,
    ):
        response = await http.post(CHAT, json=chat_body("async hello"))
        assert response.json()["choices"][0]["message"]["content"] == "async hello"
        async with http.stream("POST", CHAT, json=chat_body("a b c", stream=True)) as stream:
            body = b"".join([chunk async for chunk in stream.aiter_raw()])
        assert len(sse_data(body)) == 6
    with pytest.raises(RuntimeError):
        _ = server.base_url  # stopped


async def test_many_concurrent_clients() -> None:
    gateway = Gateway()
    results: dict = {}  # type: ignore[type-arg]

    async with GatewayServer(gateway) as server:

        async def one(index: int) -> None:
            async with httpx.AsyncClient(
                base_url=server.base_url, headers=bearer(gateway.token)
            ) as http:
                response = await http.post(CHAT, json=chat_body(f"n{index}", stream=True))
                results[index] = json.loads(sse_data(response.content)[0])["choices"][0]["delta"][
                    "content"
                ]

        async with anyio.create_task_group() as group:
            for index in range(20):
                group.start_soon(one, index)
        assert await server.wait_for_open_connections_async(0, timeout=5)
    assert results == {i: f"n{i}" for i in range(20)}


async def test_waits_for_a_stalled_request_and_a_closed_connection() -> None:
    gateway = Gateway()
    gateway.inject(faults.Stall(after_events=1))
    async with (
        GatewayServer(gateway) as server,
        httpx.AsyncClient(base_url=server.base_url, headers=bearer(gateway.token)) as http,
    ):
        received = []

        async def consume() -> None:
            async with http.stream("POST", CHAT, json=chat_body(stream=True)) as stream:
                async for chunk in stream.aiter_raw():
                    received.append(chunk)

        async with anyio.create_task_group() as group:
            group.start_soon(consume)
            entry = await gateway.wait_for_request_async(CHAT, timeout=5)
            assert entry.status == 200
            assert server.open_connections == 1
            group.cancel_scope.cancel()  # the client gives up on the stalled stream
        assert await server.wait_for_closed_connections_async(1, timeout=5)
        assert len(sse_data(b"".join(received))) <= 1


async def test_injected_faults_on_the_event_loop_server() -> None:
    gateway = Gateway()
    gateway.inject(faults.Drop(after_events=1))
    gateway.inject(faults.Status(503, retry_after=1))
    async with (
        GatewayServer(gateway) as server,
        httpx.AsyncClient(base_url=server.base_url, headers=bearer(gateway.token)) as http,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(CHAT, json=chat_body(stream=True))
        response = await http.post(CHAT, json=chat_body())
        assert response.status_code == 503 and response.headers["retry-after"] == "1"


def test_background_thread_on_trio() -> None:
    gateway = Gateway()
    server = GatewayServer(gateway)
    with server.run_in_thread("trio") as base_url:
        response = httpx.get(base_url + "/v1/models", headers=bearer(gateway.token))
        assert response.status_code == 200
    with pytest.raises(RuntimeError):
        _ = server.port


def test_fixed_port_and_restart() -> None:
    server = GatewayServer(Gateway())
    with server.run_in_thread() as base_url:
        port = server.port
        assert base_url == f"http://127.0.0.1:{port}"
    again = GatewayServer(Gateway(), port=port)
    with again.run_in_thread() as base_url:
        assert base_url.endswith(f":{port}")
