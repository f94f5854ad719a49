"""The call machine and the retry policy, driven by hand with a fake clock."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple, Union

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meshapi_core.calls import Call, Done, Fail, Send, Sleep
from meshapi_core.endpoint import JSON
from meshapi_core.errors import (
    APIConnectionError,
    APITimeoutError,
    MeshAPIError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    StaleConnectionError,
)
from meshapi_core.http import Request, Response, Timeout
from meshapi_core.models.chat import ChatCompletion
from meshapi_core.retry import RetryPolicy

from .conftest import FakeWorld

OK = Response(200, {"x-request-id": "req_ok"}, b'{"id": "c1", "choices": []}')
Outcome = Union[Response, MeshAPIError]


def status(code: int, headers: Optional[Dict[str, str]] = None, body: bytes = b"") -> Response:
    return Response(code, headers or {}, body)


def run(
    world: FakeWorld,
    outcomes: List[Outcome],
    *,
    policy: Optional[RetryPolicy] = None,
    retryable: bool = True,
    replayable: bool = True,
    deadline: Optional[float] = None,
) -> Tuple[Any, List[Any]]:
    """Drive a call against scripted outcomes; returns (result or error, actions)."""
    request = Request("POST", "https://x/v1/chat/completions", (("idempotency-key", "k"),))
    call: Call[Any] = Call(
        request,
        decode=JSON(ChatCompletion).decode,
        policy=policy or RetryPolicy(),
        runtime=world.runtime(),
        retryable=retryable,
        replayable=replayable,
        deadline=deadline,
    )
    script = iter(outcomes)
    actions: List[Any] = []
    while True:
        action = call.next_action()
        actions.append(action)
        if isinstance(action, Send):
            outcome = next(script)
            if isinstance(outcome, MeshAPIError):
                call.receive_error(outcome)
            else:
                call.receive_response(outcome)
        elif isinstance(action, Sleep):
            world.now += action.seconds
        elif isinstance(action, Done):
            return action.value, actions
        else:
            assert isinstance(action, Fail)
            return action.error, actions


def sends(actions: List[Any]) -> List[Send]:
    return [a for a in actions if isinstance(a, Send)]


def sleeps(actions: List[Any]) -> List[float]:
    return [a.seconds for a in actions if isinstance(a, Sleep)]


def test_success_first_time(world: FakeWorld) -> None:
    result, actions = run(world, [OK])
    assert isinstance(result, ChatCompletion)
    assert result.id == "c1"
    assert len(sends(actions)) == 1


@pytest.mark.parametrize("code", [429, 502, 503, 504])
def test_retried_statuses(world: FakeWorld, code: int) -> None:
    result, actions = run(world, [status(code), status(code), OK])
    assert isinstance(result, ChatCompletion)
    assert [s.attempt for s in sends(actions)] == [0, 1, 2]
    # exponential backoff, jitter 0.5 of 25% taken off: 0.5*0.875, 1.0*0.875
    assert sleeps(actions) == [0.4375, 0.875]


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 422, 500, 501])
def test_not_retried_statuses(world: FakeWorld, code: int) -> None:
    result, actions = run(world, [status(code)])
    assert isinstance(result, MeshAPIError)
    assert result.status == code
    assert len(sends(actions)) == 1


def test_codes_that_waiting_does_not_cure(world: FakeWorld) -> None:
    body = json.dumps({"error": {"code": "batch_limit_exceeded", "message": "10 active"}}).encode()
    result, actions = run(world, [status(429, body=body)])
    assert isinstance(result, RateLimitError)
    assert len(sends(actions)) == 1


def test_gives_up_after_max_retries_with_the_last_error(world: FakeWorld) -> None:
    result, actions = run(world, [status(503)] * 4)
    assert isinstance(result, ServerError)
    assert len(sends(actions)) == 4
    result, actions = run(world, [status(503)], policy=RetryPolicy(max_retries=0))
    assert len(sends(actions)) == 1


def test_streams_are_never_retried(world: FakeWorld) -> None:
    result, actions = run(world, [status(503)], retryable=False)
    assert isinstance(result, ServerError)
    assert len(sends(actions)) == 1


def test_same_request_every_attempt(world: FakeWorld) -> None:
    _, actions = run(world, [status(502), APIConnectionError("refused"), OK])
    requests = [s.request for s in sends(actions)]
    assert len(requests) == 3
    assert {r.header("idempotency-key") for r in requests} == {"k"}


def test_connection_failures_before_a_response_are_retried(world: FakeWorld) -> None:
    result, actions = run(world, [APIConnectionError("refused"), APITimeoutError("connect"), OK])
    assert isinstance(result, ChatCompletion)
    assert len(sends(actions)) == 3


def test_failures_after_the_response_started_are_not(world: FakeWorld) -> None:
    cut = APIConnectionError("reset", response_started=True)
    result, actions = run(world, [cut])
    assert result is cut
    assert len(sends(actions)) == 1


def stale() -> StaleConnectionError:
    return StaleConnectionError("the server had closed the reused connection")


@pytest.mark.parametrize("retryable", [True, False], ids=["call", "stream"])
def test_a_stale_connection_is_replayed_at_once_once(world: FakeWorld, retryable: bool) -> None:
    result, actions = run(world, [stale(), OK], retryable=retryable)
    assert isinstance(result, ChatCompletion)
    assert sleeps(actions) == [0.0]
    first, second = sends(actions)
    assert second.request == first.request  # the same Idempotency-Key, the same body
    # Twice in a row: a stream fails with it; a call retries it as a connection failure.
    result, actions = run(world, [stale(), stale(), OK], retryable=retryable)
    if retryable:
        assert isinstance(result, ChatCompletion)
        assert sleeps(actions) == [0.0, 0.4375]
    else:
        assert isinstance(result, StaleConnectionError)
        assert len(sends(actions)) == 2


def test_a_stale_replay_is_not_one_of_the_retries(world: FakeWorld) -> None:
    result, actions = run(world, [stale(), OK], policy=RetryPolicy(max_retries=0))
    assert isinstance(result, ChatCompletion)
    result, actions = run(world, [stale(), status(503), status(503), OK])
    assert isinstance(result, ChatCompletion)
    assert sleeps(actions) == [0.0, 0.4375, 0.875]  # the backoff starts at the first retry


def test_a_stale_connection_is_not_replayed_when_it_cannot_be(world: FakeWorld) -> None:
    # A body read from a one-shot stream is gone; a policy may refuse replays.
    result, actions = run(world, [stale()], replayable=False)
    assert isinstance(result, StaleConnectionError)
    assert len(sends(actions)) == 1
    no_replays = RetryPolicy(replay_stale_connections=False)
    result, actions = run(world, [stale()], retryable=False, policy=no_replays)
    assert isinstance(result, StaleConnectionError)
    assert len(sends(actions)) == 1
    # Other failures of a stream are still never retried, a reset on a fresh connection too.
    result, actions = run(world, [APIConnectionError("reset")], retryable=False)
    assert len(sends(actions)) == 1


def test_a_stale_connection_after_the_deadline_is_raised(world: FakeWorld) -> None:
    request = Request("POST", "https://x/v1/chat/completions", ())
    call: Call[Any] = Call(
        request, decode=lambda r: r, policy=RetryPolicy(), runtime=world.runtime(), deadline=1.0
    )
    call.next_action()
    world.now += 1.5
    error = stale()
    call.receive_error(error)
    assert call.next_action() == Fail(error)


def test_retry_after_is_honoured_exactly_when_longer_than_backoff(world: FakeWorld) -> None:
    _, actions = run(world, [status(429, {"retry-after": "7"}), OK])
    assert sleeps(actions) == [7.0]
    _, actions = run(world, [status(503, {"retry-after-ms": "100"}), OK])
    assert sleeps(actions) == [0.4375]  # backoff is longer than what the server asked


def test_absurd_retry_after_is_a_refusal(world: FakeWorld) -> None:
    result, actions = run(world, [status(429, {"retry-after": "86400"})])
    assert isinstance(result, RateLimitError)
    assert result.retry_after_seconds == 86400.0
    assert sleeps(actions) == []


def test_deadline_caps_attempt_timeouts_and_stops_waits(world: FakeWorld) -> None:
    outcomes: List[Outcome] = [status(429, {"retry-after": "3"}), status(503), status(503)]
    result, actions = run(world, outcomes, deadline=5.0)
    first, second, third = sends(actions)
    assert first.request.timeout.read == 5.0
    assert second.request.timeout.read == pytest.approx(2.0)
    assert third.request.timeout.read == pytest.approx(2.0 - 0.875)
    # a fourth attempt would need a wait of 1.75 s with 1.125 s left: the 503 is raised
    assert isinstance(result, ServerError)
    assert sleeps(actions) == [3.0, 0.875]


def test_deadline_passed_during_an_attempt(world: FakeWorld) -> None:
    request = Request("GET", "https://x/v1/models", ())
    call: Call[Any] = Call(
        request, decode=lambda r: r, policy=RetryPolicy(), runtime=world.runtime(), deadline=1.0
    )
    assert isinstance(call.next_action(), Send)
    world.now += 0.5
    call.receive_error(APIConnectionError("refused"))
    wait = call.next_action()
    assert wait == Sleep(0.4375)
    world.now += 0.6  # the sleep overran: the deadline passed before the next attempt
    action = call.next_action()
    assert isinstance(action, Fail)
    assert isinstance(action.error, APITimeoutError)
    assert "deadline of 1 s" in action.error.message


def test_a_wait_that_does_not_fit_raises_the_last_error(world: FakeWorld) -> None:
    refused = APIConnectionError("refused")
    request = Request("GET", "https://x/v1/models", ())
    call: Call[Any] = Call(
        request, decode=lambda r: r, policy=RetryPolicy(), runtime=world.runtime(), deadline=1.0
    )
    call.next_action()
    world.now += 0.9
    call.receive_error(refused)
    assert call.next_action() == Fail(refused)


def test_next_action_out_of_turn_is_an_error(world: FakeWorld) -> None:
    call: Call[Any] = Call(
        Request("GET", "https://x", ()),
        decode=lambda r: r,
        policy=RetryPolicy(),
        runtime=world.runtime(),
    )
    call.next_action()
    with pytest.raises(RuntimeError):
        call.next_action()


def test_in_band_error_on_200_and_bad_bodies(world: FakeWorld) -> None:
    body = json.dumps(
        {"error": {"code": "context_window_exceeded", "message": "too long"}}
    ).encode()
    result, _ = run(world, [Response(200, {"x-request-id": "req_i"}, body)])
    assert isinstance(result, MeshAPIError)
    assert (result.error_code, result.request_id) == ("context_window_exceeded", "req_i")
    result, _ = run(world, [Response(200, {"x-request-id": "req_j"}, b"{not json")])
    assert isinstance(result, ResponseDecodeError)
    assert (result.error_code, result.request_id) == ("parse_error", "req_j")
    result, _ = run(world, [Response(200, {}, b'{"choices": 5}')])
    assert isinstance(result, ResponseDecodeError)
    assert "choices" in result.message
    result, _ = run(world, [Response(200, {}, b"")])
    assert isinstance(result, ResponseDecodeError)
    # a string "error" field is data, not an error
    result, _ = run(world, [Response(200, {}, b'{"id": "c", "error": "none", "choices": []}')])
    assert isinstance(result, ChatCompletion)


retry_after_values = st.one_of(
    st.none(),
    st.integers(min_value=-5, max_value=400).map(str),
    st.floats(min_value=0, max_value=300, allow_nan=False).map(lambda f: f"{f:.3f}"),
    st.sampled_from(["inf", "nan", "-inf", "soon", "", "1e400"]),
)


@settings(deadline=None)
@given(
    statuses=st.lists(st.sampled_from([429, 502, 503, 504]), min_size=1, max_size=6),
    retry_afters=st.lists(retry_after_values, min_size=6, max_size=6),
    jitter=st.floats(min_value=0.0, max_value=0.999),
    deadline=st.one_of(st.none(), st.floats(min_value=0.01, max_value=600)),
    max_retries=st.integers(min_value=0, max_value=5),
)
def test_waits_respect_retry_after_and_the_deadline(
    statuses: List[int],
    retry_afters: List[Optional[str]],
    jitter: float,
    deadline: Optional[float],
    max_retries: int,
) -> None:
    world = FakeWorld(jitter=jitter)
    start = world.now
    outcomes: List[Outcome] = []
    for code, after in zip(statuses, retry_afters):
        outcomes.append(status(code, {} if after is None else {"retry-after": after}))
    outcomes.append(OK)
    result, actions = run(
        world, outcomes, policy=RetryPolicy(max_retries=max_retries), deadline=deadline
    )
    # Never a wait shorter than what the server asked for before it.
    for i, action in enumerate(actions):
        if isinstance(action, Sleep):
            answered = [a for a in actions[:i] if isinstance(a, Send)]
            asked = outcomes[len(answered) - 1]
            assert isinstance(asked, Response)
            raw = asked.headers.get("retry-after")
            try:
                wanted = float(raw) if raw is not None else 0.0
            except ValueError:
                wanted = 0.0
            if wanted == wanted and wanted > 0:  # not NaN
                assert action.seconds >= min(wanted, 86400.0)
    # Never past the deadline; never more attempts than allowed.
    if deadline is not None:
        assert world.now - start < deadline
    assert len(sends(actions)) <= max_retries + 1
    assert isinstance(result, (ChatCompletion, MeshAPIError))


def test_policy_validation() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)
    with pytest.raises(TypeError):
        RetryPolicy(max_retries=True)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=2.0)


def test_timeout_values() -> None:
    assert Timeout.of(5) == Timeout(5.0, 5.0, 5.0, 5.0, 5.0, None)
    assert Timeout.of(None) == Timeout(None, None, None, None, None, None)
    assert Timeout().idle == 300.0  # a stream of pings alone does not hang by default
    assert Timeout(None, 10.0).capped(3.0) == Timeout(3.0, 3.0, 3.0, 3.0, 3.0, 3.0)
    with pytest.raises(ValueError):
        Timeout.of(0)
    with pytest.raises(TypeError):
        Timeout.of("5")  # type: ignore[arg-type]
