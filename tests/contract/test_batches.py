"""``client.batches`` on every client kind, on the emulator's fake clock: create, list, get,
cancel, and ``wait`` (its backoff, its floor, its deadline), and the refusals."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from meshapi import (
    APITimeoutError,
    Batch,
    BatchObject,
    CreateBatchParams,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ServerError,
    WrongRealmError,
)
from meshapi.testing import FakeClock, faults
from meshapi.testing.pytest_plugin import GatewayFixture
from meshapi_core.polling import MIN_POLL_INTERVAL, PollTimeoutError

from .calls import FakeTimeRunner, call
from .conftest import Api, with_scheme

MODEL = "openai/gpt-4o-mini"


def request(custom_id: str, question: str = "What is 2+2?", **body: Any) -> Dict[str, Any]:
    return {
        "custom_id": custom_id,
        "body": {"model": MODEL, "messages": [{"role": "user", "content": question}], **body},
    }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def meshapi_gateway_options(clock: FakeClock, scheme: str) -> Dict[str, Any]:
    return with_scheme(scheme, {"clock": clock})


@pytest.fixture
def run(kind: str, meshapi_gateway: GatewayFixture, clock: FakeClock) -> FakeTimeRunner:
    return FakeTimeRunner(kind, meshapi_gateway, clock)


def looks(gw: GatewayFixture, batch_id: str) -> List[float]:
    return [
        r.timestamp
        for r in gw.gateway.requests
        if r.method == "GET" and r.path == f"/v1/batches/{batch_id}"
    ]


def test_create_get_and_wait(run: FakeTimeRunner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        made = await call(
            api,
            lambda c: c.batches.create(
                CreateBatchParams(
                    requests=[
                        request("q1"),
                        request("q2", "Count to 3."),
                        {"custom_id": "bad", "body": {"model": MODEL}},
                    ],
                    metadata={"job": "nightly"},
                )
            ),
        )
        now = await call(api, lambda c: c.batches.get(made.id))
        done = await call(api, lambda c: c.batches.wait(made.id))
        return made, now, done

    made, now, done = run(scenario)
    assert isinstance(made, Batch) and BatchObject is Batch
    assert made.status == "validating" and made.results is None and not made.done
    assert made.model == MODEL and made.expires_at == made.created_at + 86_400
    assert now.status == "validating"
    assert done.status == "completed" and done.done
    assert done.request_counts is not None
    assert (done.request_counts.total, done.request_counts.completed) == (3, 2)
    assert done.request_counts.failed == 1
    results = {r.custom_id: r for r in done.results or []}
    assert results["q1"].response.chat_completion().choices[0].message.content == "2 + 2 = 4."
    assert results["q2"].response.status_code == 200
    assert results["bad"].response is None and results["bad"].error["code"] == "validation_error"
    assert done.errors_detail == [{"custom_id": "bad", **results["bad"].error}]
    assert done.metadata == {"job": "nightly"}
    # the first look is at once, then waits grow (2 s, 3 s, 4.5 s, less 5 % jitter)
    times = looks(meshapi_gateway, made.id)
    gaps = [round(b - a, 3) for a, b in zip(times[1:], times[2:])]
    assert gaps == [1.9, 2.85, 4.275]
    assert all(gap >= MIN_POLL_INTERVAL for gap in gaps)


def test_wait_respects_the_deadline(run: FakeTimeRunner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        held = await call(
            api,
            lambda c: c.batches.create(requests=[request("q")], metadata={"emulator": "hold"}),
        )
        with pytest.raises(APITimeoutError) as late:
            await call(api, lambda c: c.batches.wait(held.id, deadline=30, poll_interval=5))
        return held, late.value

    held, late = run(scenario)
    assert isinstance(late, PollTimeoutError)
    assert late.last.id == held.id and late.last.status == "in_progress"
    assert "still in_progress" in str(late)
    times = looks(meshapi_gateway, held.id)
    assert times[-1] - times[0] < 30  # no look after the deadline...
    # waits of 5 s growing by half, less 5 % jitter; the next (16.03 s) would pass 30 s
    assert [round(b - a, 3) for a, b in zip(times, times[1:])] == [4.75, 7.125, 10.688]
    assert times[-1] - times[0] + 5 * 1.5**3 * 0.95 >= 30  # ...and none skipped that fits


def test_wait_never_polls_faster_than_the_floor(
    run: FakeTimeRunner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(InvalidArgumentError) as fast:
            await call(api, lambda c: c.batches.wait("batch_x", poll_interval=0.2))
        return fast.value

    assert run(scenario).param == "poll_interval"
    assert meshapi_gateway.gateway.requests == []


def test_list_and_cancel(run: FakeTimeRunner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        held = await call(
            api, lambda c: c.batches.create(requests=[request("q")], metadata={"emulator": "hold"})
        )
        cancelled = await call(api, lambda c: c.batches.cancel(held.id))
        again = await call(api, lambda c: c.batches.cancel(held.id))
        waited = await call(api, lambda c: c.batches.wait(held.id))
        page = await call(api, lambda c: c.batches.list())
        with pytest.raises(NotFoundError):
            await call(api, lambda c: c.batches.get("batch_missing"))
        return cancelled, again, waited, page

    cancelled, again, waited, page = run(scenario)
    assert cancelled.status == again.status == waited.status == "cancelled"
    assert [b.id for b in page.data] == [cancelled.id] and page.has_more is False
    cancels = [r for r in meshapi_gateway.gateway.requests if r.path.endswith("/cancel")]
    assert [r.status for r in cancels] == [200, 200] and cancels[0].body == b""


def test_refusals(run: FakeTimeRunner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        for n in range(10):
            ten = [request(f"q{n}")]
            await call(api, lambda c: c.batches.create(requests=ten))  # noqa: B023
        with pytest.raises(RateLimitError) as limit:
            await call(api, lambda c: c.batches.create(requests=[request("one-too-many")]))
        with pytest.raises(ServerError) as unsupported:
            body = {"model": "mesh/echo", "messages": [{"role": "user", "content": "hi"}]}
            await call(api, lambda c: c.batches.create(requests=[{"custom_id": "x", "body": body}]))
        with pytest.raises(InvalidArgumentError) as empty:
            await call(api, lambda c: c.batches.create(requests=[]))
        return limit.value, unsupported.value, empty.value

    limit, unsupported, empty = run(scenario)
    assert limit.error_code == "batch_limit_exceeded" and limit.retry_after_seconds == 60
    assert (unsupported.status, unsupported.error_code) == (501, "not_implemented")
    assert empty.param == "requests"
    statuses = [r.status for r in meshapi_gateway.gateway.requests]
    assert statuses == [200] * 10 + [429, 501]  # neither refusal was retried


def test_batches_need_a_data_plane_key(
    run: FakeTimeRunner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(WrongRealmError):
            await call(api, lambda c: c.batches.list())

    run(scenario, token=meshapi_gateway.jwt)
    assert meshapi_gateway.gateway.requests == []  # refused before sending


def test_faults_reach_batches_and_a_look_is_retried(
    run: FakeTimeRunner, meshapi_gateway: GatewayFixture
) -> None:
    gateway = meshapi_gateway.gateway
    gateway.inject(faults.Status(503, retry_after=1), route="/v1/batches", method="POST")
    gateway.inject(faults.Drop(), route="/v1/batches/batch_*", method="GET", times=2)

    async def scenario(api: Api) -> Any:
        made = await call(api, lambda c: c.batches.create(requests=[request("q")]))
        return await call(api, lambda c: c.batches.wait(made.id))

    assert run(scenario).status == "completed"
    creates = [r for r in gateway.requests if r.method == "POST"]
    assert [r.status for r in creates] == [503, 200]
    assert len({r.headers["idempotency-key"] for r in creates}) == 1
    gets = [r.timestamp for r in gateway.requests if r.method == "GET"]
    # the first look's two dropped connections were retried within the look (after the
    # retry backoff, or at once where aiohttp resends a GET whose reused connection closed),
    # never after a poll interval
    assert all(b - a < MIN_POLL_INTERVAL for a, b in zip(gets[:3], gets[1:3]))
