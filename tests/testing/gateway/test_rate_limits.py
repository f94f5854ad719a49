"""Rate limits as the gateway enforces them: per key or per server, RPM/RPD/TPM windows on the
emulator's clock, ``429 rate_limit_exceeded`` with ``Retry-After``, and live counters."""

from __future__ import annotations

import time
from typing import Iterator, Optional

import httpx
import pytest

from meshapi import MeshAPI, MeshAPIAdmin, RateLimitError, RetryPolicy
from meshapi.testing import FakeClock, Gateway, GatewayServer, InProcessTransport, SystemClock

CHAT = [{"role": "user", "content": "What is 2+2?"}]
START = 1_788_220_800.0  # a minute's start on the emulator's default fake clock


def make_client(gateway: Gateway, token: Optional[str] = None, **options: object) -> MeshAPI:
    clock = gateway.clock
    sleep = clock.sleep if isinstance(clock, FakeClock) else time.sleep
    return MeshAPI(
        base_url="http://127.0.0.1",
        token=token or gateway.token,
        transport=InProcessTransport(gateway, sleep=sleep),
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START + 20)  # 20 s into a minute


def test_a_keys_rpm_limit_is_a_429_with_retry_after(clock: FakeClock) -> None:
    gateway = Gateway(clock=clock)
    token = gateway.add_key(rpm_limit=2)
    with make_client(gateway, token, max_retries=0) as client:
        client.models.list()
        client.models.list()
        with pytest.raises(RateLimitError) as refused:
            client.chat.completions.create(model="mesh/echo", messages=CHAT)
    error = refused.value
    assert (error.status, error.error_code, error.retry_after_seconds) == (
        429, "rate_limit_exceeded", 40,
    )  # fmt: skip
    assert "2 requests per minute (RPM)" in error.message
    assert gateway.last_request is not None and gateway.last_request.status == 429
    assert dict(error.headers or {})["retry-after"] == "40"
    clock.advance(40)
    with make_client(gateway, token, max_retries=0) as client:
        limits = client.usage.rate_limits().key
    assert (limits.rpm.current, limits.rpm.limit, limits.rpm.pct) == (1, 2, 50.0)
    assert limits.rpm.is_default_limit is False and limits.rpm.resets_in_seconds == 60


def test_the_sdk_backs_off_for_retry_after_and_gets_through(clock: FakeClock) -> None:
    gateway = Gateway(clock=clock, rate_limits={"rpm": 1})
    with make_client(gateway) as client:  # its waits move the fake clock
        client.models.list()
        raw = client.chat.completions.with_raw_response.create(model="mesh/echo", messages=CHAT)
    assert raw.retries_taken == 1 and raw.parse().choices[0].message.content == "What is 2+2?"
    assert [r.status for r in gateway.requests] == [200, 429, 200]
    assert clock.time() == START + 60  # waited exactly to the next minute


def test_server_defaults_apply_to_keys_without_their_own(clock: FakeClock) -> None:
    gateway = Gateway(clock=clock, rate_limits={"rpm": 1, "rpd": 5, "tpm": None})
    roomy = gateway.add_key(rpm_limit=10)
    with make_client(gateway, max_retries=0) as capped, make_client(gateway, roomy) as own:
        capped.models.list()
        with pytest.raises(RateLimitError):
            capped.models.list()
        for _ in range(4):
            own.models.list()
        limits = own.usage.rate_limits().key
    assert (limits.rpm.limit, limits.rpm.is_default_limit) == (10, False)
    assert (limits.rpd.limit, limits.rpd.is_default_limit, limits.rpd.current) == (5, True, 5)
    with make_client(gateway, roomy, max_retries=0) as own, pytest.raises(RateLimitError) as day:
        own.models.list()
    assert "5 requests per day (RPD)" in day.value.message
    assert day.value.retry_after_seconds == 86_400 - 20


def test_tpm_counts_the_tokens_served(clock: FakeClock) -> None:
    gateway = Gateway(clock=clock)
    token = gateway.add_key(tpm_limit=30)
    with make_client(gateway, token, max_retries=0) as client:
        first = client.chat.completions.create(model="openai/gpt-4o-mini", messages=CHAT)
        assert first.usage is not None and first.usage.total_tokens < 30
        used = first.usage.total_tokens
        tpm = client.usage.rate_limits().key.tpm
        assert (tpm.current, tpm.limit, tpm.is_default_limit) == (used, 30, False)
        assert tpm.pct == round(100 * used / 30, 2)
        while used < 30:  # let in while tokens are left; what each uses counts afterwards
            reply = client.chat.completions.create(model="openai/gpt-4o-mini", messages=CHAT)
            assert reply.usage is not None
            used += reply.usage.total_tokens
        with pytest.raises(RateLimitError) as refused:
            client.models.list()
        assert "30 tokens per minute (TPM)" in refused.value.message
        assert refused.value.retry_after_seconds == 40
        clock.advance(40)
        assert client.usage.rate_limits().key.tpm.current == 0


def test_limits_set_through_the_keys_api_are_enforced(clock: FakeClock) -> None:
    gateway = Gateway(clock=clock)
    admin = MeshAPIAdmin(
        base_url="http://127.0.0.1", token=gateway.admin_token,
        transport=InProcessTransport(gateway),
    )  # fmt: skip
    created = admin.keys.create(name="tight", rpm_limit=1, tpm_limit=1000)
    with make_client(gateway, created.key.get_secret_value(), max_retries=0) as client:
        client.models.list()
        with pytest.raises(RateLimitError):
            client.models.list()


@pytest.mark.parametrize(
    "limits", [{"rpx": 1}, {"rpm": 0}, {"tpm": -5}, {"rpm": 1.5}, {"rpd": True}]
)
def test_bad_server_limits_are_refused(limits: object) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        Gateway(rate_limits=limits)  # type: ignore[arg-type]


def test_a_clock_speed_must_be_positive() -> None:
    for speed in (0.0, -1.0, float("inf")):
        with pytest.raises(ValueError, match="speed"):
            SystemClock(speed=speed)
    assert repr(SystemClock(speed=60)) == "SystemClock(speed=60)"


@pytest.fixture
def fast_server() -> Iterator[GatewayServer]:
    server = GatewayServer(Gateway(clock=SystemClock(speed=60), rate_limits={"rpm": 2}))
    with server.run_in_thread():
        yield server


def test_a_minutes_window_runs_in_a_second(fast_server: GatewayServer) -> None:
    """With ``SystemClock(speed=60)`` a real server's minute lasts a second: the 429's
    ``Retry-After`` and ``resets_in_seconds`` are in the client's seconds."""
    gateway = fast_server.gateway
    bearer = {"Authorization": f"Bearer {gateway.token}"}
    with httpx.Client(base_url=fast_server.base_url, headers=bearer) as http:
        statuses = []
        while 429 not in statuses and len(statuses) < 10:
            refused = http.get("/v1/models")
            statuses.append(refused.status_code)
        assert statuses[-1] == 429 and statuses.count(200) >= 2
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["error"]["retry_after_seconds"] == 1
    started = time.monotonic()
    with MeshAPI(base_url=fast_server.base_url, token=gateway.token) as client:
        limits = client.usage.rate_limits().key  # may wait out the window first
        assert 0 < limits.rpm.resets_in_seconds <= 1
        assert limits.rpm.limit == 2 and limits.rpm.current >= 1
    assert time.monotonic() - started < 5  # a minute's wait took about a second
    assert sum(1 for r in gateway.requests if r.status == 429) >= 1


def test_retry_policy_for_testing_refuses_nothing_it_would_wait_for(clock: FakeClock) -> None:
    """The 429 is a real response; a client that does not wait still sees it typed."""
    gateway = Gateway(clock=clock, rate_limits={"rpm": 1})
    with make_client(gateway, retry=RetryPolicy.for_testing(max_retries=0)) as client:
        client.models.list()
        with pytest.raises(RateLimitError):
            client.models.list()
