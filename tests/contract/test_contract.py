"""Every transport is the same SDK: create, stream, errors, retries, cuts, timeouts, cancels."""

from __future__ import annotations

import contextlib
import json
import socket
from typing import Any, List, Type

import anyio
import pytest

from meshapi import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    MeshAPIError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    RetryPolicy,
    ServerError,
    StreamInterruptedError,
    StreamTimeoutError,
    Timeout,
    UnprocessableEntityError,
    __version__,
)
from meshapi.testing import faults
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import ASYNC_KINDS, PARAMS, Api, Runner, backend_of, in_thread, make_client, text_of

CHAT = "/v1/chat/completions"


# -- the happy paths ---------------------------------------------------------------------------


@pytest.mark.user_clients
def test_create(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_reply("Hello there, friend.")

    async def scenario(api: Api) -> Any:
        return await api.create()

    reply = run(scenario)
    assert reply.choices[0].message.content == "Hello there, friend."
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None
    assert reply.usage.total_tokens
    request = meshapi_gateway.gateway.last_request
    assert request is not None
    assert request.headers["authorization"] == f"Bearer {meshapi_gateway.token}"
    assert request.headers["x-meshapi-sdk"] == f"python/{__version__}"
    assert request.headers["idempotency-key"]
    assert request.json == {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "Say hello."}],
    }


@pytest.mark.user_clients
def test_stream(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_reply("one two three four")

    async def scenario(api: Api) -> Any:
        chunks = await api.chunks()
        return chunks, api.last_stream

    chunks, stream = run(scenario)
    assert text_of(chunks) == "one two three four"
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert stream.completed
    assert stream.request_id == meshapi_gateway.gateway.last_request.request_id
    assert stream.headers["content-type"].startswith("text/event-stream")
    request = meshapi_gateway.gateway.last_request
    assert request.json["stream"] is True
    assert request.headers["accept"] == "text/event-stream"
    assert "idempotency-key" not in request.headers


@pytest.mark.user_clients
def test_stream_survives_split_writes_and_keep_alives(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.script_reply("héllo 日本語 🙂 done")
    meshapi_gateway.gateway.inject(faults.SplitWrites(1), faults.Ping(), route=CHAT)

    async def scenario(api: Api) -> Any:
        return text_of(await api.chunks())

    assert run(scenario) == "héllo 日本語 🙂 done"


@pytest.mark.user_clients
def test_models(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        return await api.models()

    ids = [m.id for m in run(scenario)]
    assert "openai/gpt-4o-mini" in ids
    assert "mesh/echo" in ids


# -- errors ------------------------------------------------------------------------------------


ERROR_CASES = [
    (
        faults.Status(400, code="context_window_exceeded"),
        BadRequestError,
        "context_window_exceeded",
    ),
    (faults.Status(401), AuthenticationError, "unauthorized"),
    (faults.Status(403), PermissionDeniedError, "forbidden"),
    (faults.Status(404, body={"detail": "Model not found"}), NotFoundError, "not_found"),
    (
        faults.Status(413, html="<html><title>413 Request Entity Too Large</title></html>"),
        BadRequestError,
        "request_too_large",
    ),
    (faults.Status(422, code="validation_error"), UnprocessableEntityError, "validation_error"),
    (faults.Status(500, code="provider_job_failed"), ServerError, "provider_job_failed"),
    (faults.Status(502, html=True), ServerError, "upstream_error"),
    (faults.InbandError(code="context_window_exceeded"), MeshAPIError, "context_window_exceeded"),
]


@pytest.mark.parametrize(
    ("fault", "error", "code"), ERROR_CASES, ids=lambda v: getattr(v, "__name__", None)
)
def test_error_shapes(
    run: Runner, meshapi_gateway: GatewayFixture, fault: Any, error: Type[MeshAPIError], code: str
) -> None:
    meshapi_gateway.gateway.inject(fault, route=CHAT, times=4)

    async def scenario(api: Api) -> Any:
        with pytest.raises(error) as info:
            await api.create(max_retries=0)
        return info.value

    err = run(scenario)
    assert err.error_code == code
    assert err.request_id == meshapi_gateway.gateway.last_request.request_id
    assert len(meshapi_gateway.gateway.requests) == 1


@pytest.mark.user_clients
def test_malformed_json_on_200(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Malformed(), route=CHAT)

    async def scenario(api: Api) -> Any:
        with pytest.raises(ResponseDecodeError) as info:
            await api.create()
        return info.value

    assert run(scenario).error_code == "parse_error"


@pytest.mark.user_clients
def test_real_auth_failures(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(MeshAPIError) as info:
            await api.create()
        return info.value

    assert isinstance(run(scenario, token="rsk_unknown"), AuthenticationError)
    assert isinstance(run(scenario, token=meshapi_gateway.suspended_token), PermissionDeniedError)


@pytest.mark.user_clients
def test_rate_limit_carries_retry_after(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Status(429, retry_after=3600), route=CHAT)

    async def scenario(api: Api) -> Any:
        with pytest.raises(RateLimitError) as info:
            await api.create()
        return info.value

    err = run(scenario)  # a wait of an hour is a refusal: raised at once, not slept
    assert err.retry_after_seconds == 3600.0
    assert len(meshapi_gateway.gateway.requests) == 1


@pytest.mark.user_clients
@pytest.mark.parametrize("call", ["create", "stream"])
def test_a_redirect_is_an_error_and_is_not_followed(
    run: Runner, meshapi_gateway: GatewayFixture, call: str
) -> None:
    """Whatever the client was set to do (the user kinds follow redirects), a 3xx is the
    SDK's error and nothing goes to the address it names."""
    elsewhere = socket.create_server(("127.0.0.1", 0))
    elsewhere.setblocking(False)
    location = f"http://127.0.0.1:{elsewhere.getsockname()[1]}/v1/chat/completions"
    redirect = faults.Status(307, body=b"", headers={"location": location})
    meshapi_gateway.gateway.inject(redirect, route=CHAT)

    async def scenario(api: Api) -> Any:
        with pytest.raises(APIStatusError) as info:
            await (api.create() if call == "create" else api.chunks())
        return info.value

    try:
        err = run(scenario)
        with pytest.raises(BlockingIOError):  # no connection came
            elsewhere.accept()
    finally:
        elsewhere.close()
    assert (err.status, err.error_code) == (307, "redirect")
    assert len(meshapi_gateway.gateway.requests) == 1


# -- retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retries_with_one_idempotency_key(
    run: Runner, meshapi_gateway: GatewayFixture, status: int
) -> None:
    meshapi_gateway.gateway.inject(faults.Status(status, retry_after="0.01"), route=CHAT, times=2)

    async def scenario(api: Api) -> Any:
        return await api.create()

    assert run(scenario).choices
    requests = meshapi_gateway.gateway.requests
    assert [r.status for r in requests] == [status, status, 200]
    assert len({r.headers["idempotency-key"] for r in requests}) == 1


@pytest.mark.user_clients
def test_retry_after_is_waited_for(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Status(503, retry_after="0.3"), route=CHAT)

    async def scenario(api: Api) -> Any:
        return await api.create(max_retries=1)

    run(scenario)
    first, second = meshapi_gateway.gateway.requests
    assert second.timestamp - first.timestamp >= 0.3


@pytest.mark.user_clients
def test_connection_drop_before_response_is_retried(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.inject(faults.Drop(), route=CHAT)

    async def scenario(api: Api) -> Any:
        return await api.create()

    assert run(scenario).choices
    assert len(meshapi_gateway.gateway.requests) == 2


@pytest.mark.user_clients
def test_streams_are_never_retried(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Status(503), route=CHAT, times=3)

    async def scenario(api: Api) -> None:
        with pytest.raises(ServerError):
            await api.chunks()

    run(scenario)
    assert len(meshapi_gateway.gateway.requests) == 1


@pytest.mark.user_clients
def test_deadline_bounds_the_whole_call(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Status(503, retry_after="0.2"), route=CHAT, times=10)

    async def scenario(api: Api) -> Any:
        # The last 503, when the wait after it does not fit; or, on a loaded machine, the
        # deadline itself, when it runs out during the last attempt (its whole exchange is
        # bounded by the time left).
        with pytest.raises((ServerError, APITimeoutError)):
            await api.create(deadline=0.5)

    run(scenario, retry=RetryPolicy(max_retries=10, initial_backoff=0.01, jitter=0))
    requests = meshapi_gateway.gateway.requests
    assert 2 <= len(requests) <= 3
    assert requests[-1].timestamp - requests[0].timestamp < 0.5


# -- streams cut short ---------------------------------------------------------------------------


@pytest.mark.user_clients("live")
@pytest.mark.parametrize(
    "cut",
    [faults.Drop(after_events=3), faults.Reset(after_events=3), faults.Drop(after_bytes=400)],
    ids=["drop", "reset", "truncated"],
)
def test_stream_interrupted(run: Runner, meshapi_gateway: GatewayFixture, cut: Any) -> None:
    meshapi_gateway.gateway.script_reply("a b c d e f g h i j")
    meshapi_gateway.gateway.inject(cut, route=CHAT)
    got: List[Any] = []

    async def scenario(api: Api) -> Any:
        with pytest.raises(StreamInterruptedError) as info:
            await _collect_until_error(api, got)
        return info.value, api.last_stream

    err, stream = run(scenario)
    assert err.error_code == "stream_interrupted"
    assert not isinstance(err, APITimeoutError)
    assert err.request_id == meshapi_gateway.gateway.last_request.request_id
    assert not stream.completed
    assert 1 <= len(got) <= 3


async def _collect_until_error(api: Api, got: List[Any]) -> List[Any]:
    """Stream into ``got`` as chunks arrive, so what came before the error is kept."""
    if api.is_sync:
        stream = api.last_stream = api.client.chat.completions.stream(PARAMS)
        for chunk in stream:
            got.append(chunk)
        return []
    astream = api.last_stream = api.client.chat.completions.stream(PARAMS)
    async for chunk in astream:
        got.append(chunk)
    return []


@pytest.mark.user_clients
@pytest.mark.parametrize("with_id", [True, False])
def test_error_frame_mid_stream(
    run: Runner, meshapi_gateway: GatewayFixture, with_id: bool
) -> None:
    meshapi_gateway.gateway.inject(
        faults.ErrorFrame(after_events=2, code="upstream_error", request_id=with_id), route=CHAT
    )
    got: List[Any] = []

    async def scenario(api: Api) -> Any:
        with pytest.raises(ServerError) as info:
            await _collect_until_error(api, got)
        return info.value

    err = run(scenario)
    assert err.error_code == "upstream_error"
    assert err.request_id == meshapi_gateway.gateway.last_request.request_id
    assert len(got) == 2


@pytest.mark.user_clients
def test_malformed_frame_mid_stream(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Malformed(event=1), route=CHAT)

    async def scenario(api: Api) -> Any:
        with pytest.raises(ResponseDecodeError) as info:
            await api.chunks()
        return info.value

    assert run(scenario).error_code == "parse_error"


@pytest.mark.user_clients("live")
def test_break_closes_the_connection(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_reply(chunks=50)
    # the body must still be arriving when the client stops reading, or it could be reused
    meshapi_gateway.gateway.inject(faults.Stall(after_events=5), route=CHAT)
    server = meshapi_gateway.server

    async def scenario(api: Api) -> Any:
        got = await api.chunks(stop_after=2)
        closed = await in_thread(server.wait_for_closed_connections, 1)
        follow_up = await api.create()
        return got, closed, follow_up

    got, closed, follow_up = run(scenario)
    assert len(got) == 2
    assert closed, "the stream's connection stayed open after break"
    assert follow_up.choices


@pytest.mark.user_clients("live")
def test_connections_are_reused_and_a_stream_never_waits_for_reuse(
    run: Runner, meshapi_gateway: GatewayFixture, kind: str
) -> None:
    """Whole replies give their connection back, and so does a stream that ended at [DONE]
    with its body's end right behind it (see RELEASE_GRACE): one connection for everything,
    on every transport. A stream's iteration never waits for that end beyond the grace
    (tests/hostile/test_reuse.py)."""

    async def scenario(api: Api) -> None:
        for _ in range(3):
            await api.create()
        for _ in range(3):
            await api.chunks()
            await api.create()

    run(scenario)
    accepted = meshapi_gateway.server.accepted_connections
    assert accepted == 1


# -- timeouts ----------------------------------------------------------------------------------


@pytest.mark.user_clients
def test_read_timeout_before_headers(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Stall(), route=CHAT)

    async def scenario(api: Api) -> Any:
        with pytest.raises(APITimeoutError) as info:
            await api.create(timeout=Timeout(read=0.2, connect=5), max_retries=0)
        return info.value

    assert run(scenario).error_code == "timeout"


@pytest.mark.user_clients("live")
def test_read_timeout_mid_stream(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Stall(after_events=2), route=CHAT)

    async def scenario(api: Api) -> Any:
        with pytest.raises(StreamTimeoutError) as info:
            await api.chunks(timeout=Timeout(read=0.2, connect=5))
        return info.value

    err = run(scenario)
    assert err.error_code == "stream_interrupted"
    assert isinstance(err, APITimeoutError)


@pytest.mark.user_clients("live")
def test_idle_timeout_is_not_reset_by_keep_alives(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.inject(
        faults.Ping(interval=0.15), faults.Delay(between_events=0.15), route=CHAT
    )

    async def scenario(api: Api) -> Any:
        with pytest.raises(StreamTimeoutError) as info:
            await api.chunks(timeout=Timeout(read=5, connect=5, idle=0.1))
        return info.value

    assert "idle timeout" in run(scenario).message


def test_connect_failure(kind: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now: connection refused

    async def main() -> Any:
        client = make_client(kind, f"http://127.0.0.1:{port}", "rsk_x", max_retries=1)
        api = Api(kind, client)
        try:
            with pytest.raises(APIConnectionError) as info:
                await api.create()
            return info.value
        finally:
            await api.aclose()

    err = anyio.run(main, backend=backend_of(kind))
    assert not isinstance(err, APITimeoutError)
    assert err.status == 0
    assert not err.response_started


def test_connect_timeout(kind: str) -> None:
    # A listener whose backlog is full and which never accepts: the kernel drops further
    # SYNs on loopback, so a connect hangs until the connect timeout.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)

    async def main() -> Any:
        client = make_client(kind, f"http://127.0.0.1:{port}", "rsk_x", max_retries=0)
        api = Api(kind, client)
        try:
            with pytest.raises(APITimeoutError) as info:
                await api.create(timeout=Timeout(read=5, connect=0.2))
            return info.value
        finally:
            await api.aclose()

    try:
        err = anyio.run(main, backend=backend_of(kind))
    finally:
        for sock in [*fillers, listener]:
            sock.close()
    assert err.error_code == "timeout"
    assert not err.response_started


# -- cancellation (async clients) ------------------------------------------------------------


@pytest.mark.parametrize("kind", ASYNC_KINDS)
def test_cancel_mid_request(kind: str, meshapi_gateway: GatewayFixture) -> None:
    gateway, server = meshapi_gateway.gateway, meshapi_gateway.server
    gateway.inject(faults.Delay(headers=30), route=CHAT)

    async def main() -> Any:
        api = Api(kind, make_client(kind, meshapi_gateway.base_url, meshapi_gateway.token))
        try:
            with anyio.CancelScope() as scope:
                async with anyio.create_task_group() as tg:
                    tg.start_soon(api.create)
                    await in_thread(gateway.wait_for_request, CHAT)
                    scope.cancel()
            closed = await in_thread(server.wait_for_closed_connections, 1)
            return closed, await api.create()
        finally:
            await api.aclose()

    closed, reply = anyio.run(main, backend=backend_of(kind))
    assert closed
    assert reply.choices


@pytest.mark.parametrize("kind", ASYNC_KINDS)
def test_cancel_mid_stream(kind: str, meshapi_gateway: GatewayFixture) -> None:
    gateway, server = meshapi_gateway.gateway, meshapi_gateway.server
    gateway.script_reply("a b c d e f")
    gateway.inject(faults.Delay(between_events=30), route=CHAT)

    async def main() -> Any:
        api = Api(kind, make_client(kind, meshapi_gateway.base_url, meshapi_gateway.token))
        got: List[Any] = []
        try:

            async def consume() -> None:
                async with api.client.chat.completions.stream(PARAMS) as stream:  # type: ignore[union-attr]
                    async for chunk in stream:
                        got.append(chunk)
                        started.set()

            started = anyio.Event()
            async with anyio.create_task_group() as tg:
                tg.start_soon(consume)
                await started.wait()
                tg.cancel_scope.cancel()
            closed = await in_thread(server.wait_for_closed_connections, 1)
            return got, closed, await api.create()
        finally:
            await api.aclose()

    got, closed, reply = anyio.run(main, backend=backend_of(kind))
    assert len(got) == 1
    assert closed
    assert reply.choices


# -- concurrency -------------------------------------------------------------------------------


@pytest.mark.user_clients("live")
def test_one_client_100_concurrent_requests_and_streams(
    kind: str, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.script_reply("x y z", times=None)

    async def main() -> List[str]:
        api = Api(kind, make_client(kind, meshapi_gateway.base_url, meshapi_gateway.token))
        results: List[str] = []
        try:
            if api.is_sync:
                from concurrent.futures import ThreadPoolExecutor

                def one(i: int) -> str:
                    if i % 2:
                        return (
                            api.client.chat.completions.create(PARAMS).choices[0].message.content
                            or ""
                        )  # type: ignore[union-attr]
                    return text_of(list(api.client.chat.completions.stream(PARAMS)))  # type: ignore[union-attr, arg-type]

                with ThreadPoolExecutor(max_workers=100) as pool:
                    results = list(pool.map(one, range(200)))
            else:

                async def one_async(i: int) -> None:
                    if i % 2:
                        results.append((await api.create()).choices[0].message.content or "")
                    else:
                        results.append(text_of(await api.chunks()))

                async with anyio.create_task_group() as tg:
                    for i in range(200):
                        tg.start_soon(one_async, i)
        finally:
            await api.aclose()
        return results

    results = anyio.run(main, backend=backend_of(kind))
    assert results == ["x y z"] * 200
    assert len(meshapi_gateway.gateway.requests) == 200


@pytest.mark.user_clients
def test_request_body_is_exact_json(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        return await api.create(extra_headers={"X-Mesh-Cache": "no-store"})

    run(scenario)
    request = meshapi_gateway.gateway.last_request
    assert request.headers["x-mesh-cache"] == "no-store"
    assert json.loads(request.body) == PARAMS.to_json_dict()
