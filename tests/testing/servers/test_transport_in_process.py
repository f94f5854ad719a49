"""The in-process transports against the SDK's transport contract."""

from __future__ import annotations

import json
import threading
from typing import Any, Dict, Optional

import anyio
import pytest

from meshapi.testing import (
    AsyncInProcessTransport,
    FakeClock,
    Gateway,
    InProcessTransport,
    faults,
)
from meshapi_core.errors import (
    APIConnectionError,
    APITimeoutError,
    StreamInterruptedError,
    StreamTimeoutError,
)
from meshapi_core.http import Request, Timeout
from meshapi_core.transport import AsyncTransport, SyncTransport
from tests._io import aread, asend, send

from .._helpers import chat_body, sse_data

BASE = "https://api.meshapi.ai"


def request(
    gateway: Gateway,
    path: str = "/v1/chat/completions",
    *,
    stream: bool = False,
    body: Optional[Dict[str, Any]] = None,
    read: Optional[float] = 5.0,
    method: str = "POST",
) -> Request:
    payload = None
    if method == "POST":
        payload = json.dumps(body if body is not None else chat_body(stream=stream)).encode()
    return Request(
        method,
        BASE + path,
        (("Authorization", f"Bearer {gateway.token}"), ("Content-Type", "application/json")),
        payload,
        Timeout(read=read),
        stream,
    )


def test_implements_the_protocols() -> None:
    sync: SyncTransport = InProcessTransport(Gateway())
    async_: AsyncTransport = AsyncInProcessTransport(Gateway())
    assert sync is not None and async_ is not None


def test_send_and_stream() -> None:
    gateway = Gateway()
    transport = InProcessTransport(gateway)
    response = send(transport, request(gateway))
    assert response.status == 200 and response.request_id == response.headers["x-request-id"]
    assert json.loads(response.body)["choices"][0]["message"]["content"] == "hello"
    stream = transport.open_stream(request(gateway, stream=True))
    assert stream.status == 200 and stream.headers["content-type"] == "text/event-stream"
    assert transport.open_streams == 1
    chunks = list(stream.iter_bytes())
    assert len(chunks) == 4 and sse_data(b"".join(chunks))[-1] == "[DONE]"
    assert transport.open_streams == 0
    query = send(transport, request(gateway, "/v1/models?free=true", method="GET"))
    free = [m["id"] for m in gateway.models if m["is_free"]]
    assert [m["id"] for m in json.loads(query.body)] == free and "mesh/echo" in free


def test_break_then_close_releases_the_stream() -> None:
    gateway = Gateway()
    gateway.script_reply(chunks=100)
    transport = InProcessTransport(gateway)
    stream = transport.open_stream(request(gateway, stream=True))
    for _chunk in stream.iter_bytes():
        break
    assert transport.open_streams == 1
    stream.close()
    stream.close()
    assert transport.open_streams == 0


def test_connection_failures_map_to_sdk_errors() -> None:
    gateway = Gateway()
    transport = InProcessTransport(gateway)
    gateway.inject(faults.Drop())
    with pytest.raises(APIConnectionError) as info:
        send(transport, request(gateway))
    assert not info.value.response_started
    gateway.inject(faults.Reset(after_bytes=5))
    with pytest.raises(APIConnectionError) as info:
        send(transport, request(gateway))
    assert info.value.response_started
    gateway.inject(faults.Drop(after_events=2))
    stream = transport.open_stream(request(gateway, stream=True))
    with pytest.raises(StreamInterruptedError) as interrupted:
        list(stream.iter_bytes())
    assert interrupted.value.request_id == stream.headers["x-request-id"]
    assert transport.open_streams == 0


def test_timeouts_use_the_injected_sleep() -> None:
    clock = FakeClock()
    gateway = Gateway(clock=clock)
    transport = InProcessTransport(gateway, sleep=clock.sleep)
    start = clock.time()
    gateway.inject(faults.Delay(headers=30))
    with pytest.raises(APITimeoutError) as info:
        send(transport, request(gateway, read=2.0))
    assert not info.value.response_started and clock.time() == start + 2.0
    gateway.inject(faults.Delay(headers=1.5))
    assert send(transport, request(gateway, read=2.0)).status == 200
    gateway.inject(faults.Stall(after_events=1))
    stream = transport.open_stream(request(gateway, stream=True, read=3.0))
    with pytest.raises(StreamTimeoutError):
        list(stream.iter_bytes())
    assert clock.time() == start + 2.0 + 1.5 + 3.0
    gateway.inject(faults.Stall(after_bytes=3))
    with pytest.raises(APITimeoutError) as info:
        send(transport, request(gateway, read=1.0))
    assert info.value.response_started


def test_stall_without_timeout_waits_for_close() -> None:
    gateway = Gateway()
    transport = InProcessTransport(gateway)
    gateway.inject(faults.Stall())
    errors = []

    def call() -> None:
        try:
            send(transport, request(gateway, read=None))
        except APIConnectionError as exc:
            errors.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    gateway.wait_for_request("/v1/chat/completions")
    transport.close()
    worker.join(5)
    assert len(errors) == 1


def test_retry_wait_advances_the_fake_clock_past_the_rate_window() -> None:
    clock = FakeClock(1_800_000_030.0)
    gateway = Gateway(clock=clock)
    token = gateway.add_key(rpm_limit=1)
    transport = InProcessTransport(gateway, sleep=clock.sleep)
    limited = Request("GET", BASE + "/v1/models", (("Authorization", f"Bearer {token}"),))
    assert send(transport, limited).status == 200
    refused = send(transport, limited)
    assert refused.status == 429 and refused.headers["retry-after"] == "30"
    transport.sleep(float(refused.headers["retry-after"]))
    assert send(transport, limited).status == 200


@pytest.mark.anyio
async def test_async_transport() -> None:
    clock = FakeClock()
    gateway = Gateway(clock=clock)
    transport = AsyncInProcessTransport(gateway, sleep=clock.async_sleep)
    response = await asend(transport, request(gateway))
    assert response.status == 200
    stream = await transport.open_stream(request(gateway, stream=True))
    assert len(sse_data(await aread(stream))) == 4
    assert transport.open_streams == 0
    gateway.inject(faults.ErrorFrame(after_events=1), faults.Delay(between_events=1))
    stream = await transport.open_stream(request(gateway, stream=True))
    payloads = sse_data(await aread(stream))
    assert json.loads(payloads[-1])["error"]["code"] == "upstream_error"
    assert clock.time() == gateway.requests[0].timestamp + 1
    gateway.inject(faults.Reset(after_events=1))
    stream = await transport.open_stream(request(gateway, stream=True))
    with pytest.raises(StreamInterruptedError):
        async for _chunk in stream.iter_bytes():
            pass
    gateway.inject(faults.Stall(after_events=1))
    stream = await transport.open_stream(request(gateway, stream=True, read=None))
    with anyio.move_on_after(0.05) as scope:  # stalls until cancelled
        await aread(stream)
    assert scope.cancelled_caught
    await stream.aclose()
    assert transport.open_streams == 0
    await transport.aclose()
    with pytest.raises(APIConnectionError):
        await asend(transport, request(gateway))
