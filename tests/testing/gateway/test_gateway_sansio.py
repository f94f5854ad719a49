"""The Sans-IO gateway on its own: plans, ordering of checks, state, determinism."""

from __future__ import annotations

import json
import re
import threading
from typing import List

import anyio
import pytest

from meshapi.testing import (
    BASELINE_VERSION,
    CloseConnection,
    FakeClock,
    Gateway,
    GatewayRequest,
    Pause,
    ResetConnection,
    StallForever,
    Write,
    faults,
)

from .._helpers import chat_body, gw_request, sse_data

REQUEST_ID = re.compile(r"^req_[0-9A-HJKMNP-TV-Z]{26}$")


def make(**kwargs: object) -> Gateway:
    return Gateway(clock=FakeClock(), seed=7, **kwargs)  # type: ignore[arg-type]


def body_json(gateway: Gateway, request: GatewayRequest) -> tuple:  # type: ignore[type-arg]
    plan = gateway.handle(request)
    return plan.status, json.loads(plan.read_body()), plan


def test_every_response_has_a_request_id_and_version() -> None:
    gateway = make()
    for request in (
        gw_request("GET", "/v1/models", gateway.token),
        gw_request("GET", "/v1/models"),
        gw_request("GET", "/nowhere"),
    ):
        plan = gateway.handle(request)
        assert REQUEST_ID.match(plan.header("x-request-id") or "")
        assert plan.header("x-mesh-version") == BASELINE_VERSION


def test_error_envelope_repeats_the_header_request_id() -> None:
    gateway = make()
    status, body, plan = body_json(gateway, gw_request("GET", "/v1/models"))
    assert status == 401
    assert body == {
        "error": {"code": "unauthorized", "message": "Invalid or missing API key."},
        "request_id": plan.header("x-request-id"),
    }


def builtin_credentials(gateway: Gateway) -> List[str]:
    return [gateway.token, gateway.suspended_token, gateway.admin_token, gateway.jwt]


def test_same_seed_and_clock_give_the_same_ids_but_never_the_same_tokens() -> None:
    first, second = make(), make()
    a = first.handle(gw_request("GET", "/v1/models", first.token))
    b = second.handle(gw_request("GET", "/v1/models", second.token))
    assert a.header("x-request-id") == b.header("x-request-id")
    # Credentials come from `secrets`: the seed, the clock and the rng do not predict them.
    for one, other in zip(builtin_credentials(first), builtin_credentials(second)):
        assert one != other
    for gateway in (first, second):
        assert gateway.token.startswith("rsk_") and gateway.admin_token.startswith("mak_")
        assert gateway.jwt.count(".") == 2
    made = [g.add_key() for g in (first, second)] + [g.add_admin_key() for g in (first, second)]
    assert len(set(made)) == 4
    assert first.issue_jwt() != second.issue_jwt()
    # ... and the 16 random characters after the 10 of the timestamp differ too
    assert first.token[14:] != second.token[14:]
    assert first.admin_token[14:] != second.admin_token[14:]


def test_reset_restores_the_initial_state() -> None:
    gateway = make()
    token = gateway.token
    extra = gateway.add_key()
    gateway.add_template("t")
    gateway.inject(faults.Status(500))
    gateway.handle(gw_request("GET", "/v1/models", token))
    before = builtin_credentials(gateway)
    gateway.reset()
    assert gateway.token == token
    assert builtin_credentials(gateway) == before  # the same credentials, though not seeded
    assert gateway.templates == [] and gateway.requests == [] and gateway.pending_faults == []
    assert gateway.handle(gw_request("GET", "/v1/models", extra)).status == 401
    statuses = [gateway.handle(gw_request("GET", "/v1/models", c)).status for c in before]
    assert statuses == [200, 403, 403, 200]  # all known (401 if not): suspended, wrong realm


def test_version_is_checked_before_auth() -> None:
    gateway = make()
    for value in ("2026-13x", "2025-01", "latest"):
        status, body, plan = body_json(
            gateway, gw_request("GET", "/v1/models", headers={"X-Mesh-Version": value})
        )
        assert status == 400 and body["error"]["code"] == "invalid_api_version"
        assert plan.header("x-mesh-version") == BASELINE_VERSION


def test_duplicated_version_header_is_refused() -> None:
    gateway = make()
    request = GatewayRequest(
        "GET",
        "/v1/models",
        (
            ("Authorization", f"Bearer {gateway.token}"),
            ("X-Mesh-Version", "2026-08"),
            ("x-mesh-version", "2026-08"),
        ),
    )
    assert gateway.handle(request).status == 400


def test_version_echo_header_then_key_pin_then_baseline() -> None:
    gateway = make()
    pinned = gateway.add_key(api_version="2026-09")
    plan = gateway.handle(
        gw_request("GET", "/v1/models", gateway.token, headers={"X-Mesh-Version": "2026-09"})
    )
    assert plan.header("x-mesh-version") == "2026-09"
    assert (
        gateway.handle(gw_request("GET", "/v1/models", pinned)).header("x-mesh-version")
        == "2026-09"
    )
    assert (
        gateway.handle(
            gw_request("GET", "/v1/models", pinned, headers={"X-Mesh-Version": "2026-08"})
        ).header("x-mesh-version")
        == "2026-08"
    )


def test_rate_limit_fixed_window_on_the_injected_clock() -> None:
    clock = FakeClock(1_800_000_020.0)  # 20 s into a minute window
    gateway = Gateway(clock=clock)
    token = gateway.add_key(rpm_limit=2)
    request = gw_request("GET", "/v1/models", token)
    assert [gateway.handle(request).status for _ in range(2)] == [200, 200]
    status, body, plan = body_json(gateway, request)
    assert status == 429
    assert plan.header("retry-after") == "40"
    assert body["error"]["code"] == "rate_limit_exceeded"
    assert body["error"]["retry_after_seconds"] == 40
    clock.advance(39.5)
    _, body, plan = body_json(gateway, request)
    assert plan.header("retry-after") == "1"  # never below one second
    clock.advance(0.5)
    assert gateway.handle(request).status == 200


def test_rate_limit_per_day() -> None:
    clock = FakeClock(1_800_000_000.0)
    gateway = Gateway(clock=clock)
    token = gateway.add_key(rpd_limit=1)
    assert gateway.handle(gw_request("GET", "/v1/models", token)).status == 200
    plan = gateway.handle(gw_request("GET", "/v1/models", token))
    assert plan.status == 429 and int(plan.header("retry-after") or 0) > 3600


def test_injected_status_consumes_no_rate_limit() -> None:
    gateway = make()
    token = gateway.add_key(rpm_limit=1)
    gateway.inject(faults.Status(503), times=3)
    assert [gateway.handle(gw_request("GET", "/v1/models", token)).status for _ in range(4)] == [
        503,
        503,
        503,
        200,
    ]


def test_faults_are_fifo_and_route_scoped() -> None:
    gateway = make()
    first = gateway.inject(faults.Status(503), route="/v1/chat/*", times=1)
    gateway.inject(faults.Status(429, retry_after=2), route="/v1/chat/*", times=1)
    models = gw_request("GET", "/v1/models", gateway.token)
    chat = gw_request("POST", "/v1/chat/completions", gateway.token, chat_body())
    assert gateway.handle(models).status == 200
    assert gateway.handle(chat).status == 503
    assert first.used == 1 and first.remaining == 0
    plan = gateway.handle(chat)
    assert plan.status == 429 and plan.header("retry-after") == "2"
    assert gateway.handle(chat).status == 200


def test_fault_method_filter_and_unlimited_times() -> None:
    gateway = make()
    gateway.inject(faults.Status(500), method="GET", times=None)
    for _ in range(3):
        assert gateway.handle(gw_request("GET", "/v1/models", gateway.token)).status == 500
    chat = gw_request("POST", "/v1/chat/completions", gateway.token, chat_body())
    assert gateway.handle(chat).status == 200
    gateway.clear_faults()
    assert gateway.handle(gw_request("GET", "/v1/models", gateway.token)).status == 200


def stream_plan(gateway: Gateway, *fault: faults.Fault, text: str = "one two three") -> list:  # type: ignore[type-arg]
    if fault:
        gateway.inject(*fault)
    plan = gateway.handle(
        gw_request("POST", "/v1/chat/completions", gateway.token, chat_body(text, stream=True))
    )
    assert plan.streaming
    return list(plan.body)


def test_stream_events_are_marked() -> None:
    steps = stream_plan(make())
    assert all(isinstance(s, Write) and s.event for s in steps)
    assert len(steps) == 3 + 1 + 1 + 1  # deltas, finish, usage, [DONE]


def test_cut_after_events_counts_only_events() -> None:
    steps = stream_plan(make(), faults.Ping(), faults.Drop(after_events=2))
    writes = [s for s in steps if isinstance(s, Write)]
    assert [w.data for w in writes if not w.event] == [b": ping\n\n"] * 3
    assert sum(w.event for w in writes) == 2
    assert isinstance(steps[-1], CloseConnection)


def test_cut_after_bytes_splits_a_write() -> None:
    steps = stream_plan(make(), faults.Reset(after_bytes=10))
    assert steps == [Write(b'data: {"id', event=True), ResetConnection()]


def test_cut_beyond_the_end_leaves_the_response_whole() -> None:
    steps = stream_plan(make(), faults.Stall(after_events=100))
    assert not any(isinstance(s, StallForever) for s in steps)


def test_cut_before_headers_is_in_the_prelude() -> None:
    gateway = make()
    gateway.inject(faults.Delay(headers=1.5), faults.Drop())
    plan = gateway.handle(gw_request("GET", "/v1/models", gateway.token))
    assert plan.prelude == (Pause(1.5), CloseConnection())
    assert list(plan.body) == []


def test_split_writes_cut_utf8_and_frames() -> None:
    gateway = make()
    gateway.script_reply("héllo wörld ✓")
    steps = stream_plan(gateway, faults.SplitWrites(3))
    writes = [s.data for s in steps if isinstance(s, Write)]
    assert all(len(w) <= 3 for w in writes)
    body = b"".join(writes)
    assert (
        "".join(
            json.loads(d)["choices"][0]["delta"].get("content", "") for d in sse_data(body)[:-2]
        )
        == "héllo wörld ✓"
    )
    with pytest.raises(UnicodeDecodeError):  # at least one piece splits a character
        for w in writes:
            w.decode("utf-8")


def test_delay_between_events_and_before_body() -> None:
    steps = stream_plan(make(), faults.Delay(body=0.5, between_events=0.25), text="a b")
    kinds = [type(s).__name__ for s in steps]
    assert kinds[:3] == ["Pause", "Write", "Pause"]
    assert steps[0] == Pause(0.5) and steps[2] == Pause(0.25)


def test_malformed_and_error_frame() -> None:
    steps = stream_plan(make(), faults.Malformed(event=1))
    payloads = sse_data(b"".join(s.data for s in steps if isinstance(s, Write)))
    json.loads(payloads[0])
    with pytest.raises(json.JSONDecodeError):
        json.loads(payloads[1])
    gateway = make()
    steps = stream_plan(gateway, faults.ErrorFrame(after_events=2, request_id=False))
    payloads = sse_data(b"".join(s.data for s in steps if isinstance(s, Write)))
    assert len(payloads) == 3
    assert json.loads(payloads[-1]) == {
        "error": {"code": "upstream_error", "message": "Provider failed."}
    }


def test_malformed_json_body_keeps_content_length_consistent() -> None:
    gateway = make()
    gateway.inject(faults.Malformed())
    plan = gateway.handle(gw_request("GET", "/v1/models", gateway.token))
    body = plan.read_body()
    assert plan.header("content-length") == str(len(body))
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_oversized_body_is_the_edge_html_413() -> None:
    gateway = Gateway(max_body_bytes=100)
    gateway.inject(faults.Status(500))
    plan = gateway.handle(gw_request("POST", "/v1/chat/completions", gateway.token, b"x" * 101))
    assert plan.status == 413 and plan.close
    assert plan.header("content-type") == "text/html"
    body = plan.read_body()
    assert b"413 Request Entity Too Large" in body and b"req_" not in body
    assert gateway.pending_faults  # the edge answered; the fault is still waiting
    assert gateway.last_request is not None and gateway.last_request.status == 413


def test_handler_crash_is_a_500_envelope(monkeypatch: pytest.MonkeyPatch) -> None:
    from meshapi.testing._routes import models as _routes_models

    def boom(ctx: object) -> None:
        raise RuntimeError("bug")

    gateway = make()
    monkeypatch.setattr(_routes_models, "_models", boom)
    status, body, _ = body_json(gateway, gw_request("GET", "/v1/models", gateway.token))
    assert status == 500 and body["error"]["code"] == "internal_error"


def test_request_log_records_everything() -> None:
    gateway = make()
    gateway.handle(
        gw_request(
            "POST",
            "/v1/chat/completions?x=1&x=2",
            gateway.token,
            chat_body(foo_bar=1),
            headers={"X-Custom": "v"},
        )
    )
    entry = gateway.last_request
    assert entry is not None
    assert entry.method == "POST" and entry.path == "/v1/chat/completions"
    assert entry.query == {"x": ["1", "2"]}
    assert entry.header("x-custom") == "v"
    assert entry.json["foo_bar"] == 1 and entry.unknown_fields == ("foo_bar",)
    assert entry.body_size == len(entry.body) and entry.status == 200
    assert entry.model == "mesh/echo" and entry.timestamp == gateway.clock.time()
    assert gateway.token not in repr(entry)


def test_wait_for_request_from_another_thread() -> None:
    gateway = make()
    started = threading.Event()

    def later() -> None:
        started.wait()
        gateway.handle(gw_request("GET", "/v1/models", gateway.token))

    worker = threading.Thread(target=later)
    worker.start()
    started.set()
    entry = gateway.wait_for_request("/v1/models", method="GET", timeout=5)
    worker.join()
    assert entry.status in (None, 200)
    with pytest.raises(TimeoutError):
        gateway.wait_for_request("/v1/never", timeout=0.05)


@pytest.mark.anyio
async def test_wait_for_request_async_woken_from_a_thread() -> None:
    gateway = make()

    def later() -> None:
        for _ in range(3):
            gateway.handle(gw_request("GET", "/v1/models", gateway.token))

    async with anyio.create_task_group() as group:
        group.start_soon(anyio.to_thread.run_sync, later)
        found = await gateway.wait_for_requests_async(3, "/v1/models", timeout=5)
    assert len(found) == 3
    with pytest.raises(TimeoutError):
        await gateway.wait_for_request_async("/v1/never", timeout=0.05)


def test_gateway_request_helpers() -> None:
    request = GatewayRequest(
        "GET", "/v1/models/openai%2Fgpt-4o-mini?free=1", (("A", "1"), ("a", "2"))
    )
    assert request.path == "/v1/models/openai/gpt-4o-mini"
    assert request.raw_path == "/v1/models/openai%2Fgpt-4o-mini"
    assert request.header("a") == "1, 2" and request.query == {"free": ["1"]}
