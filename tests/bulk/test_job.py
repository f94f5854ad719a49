"""The bulk job machine and its pacing, driven by hand with a clock of our own: no I/O."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

import pytest

from meshapi_core.bulk import (
    BulkJob,
    BulkSettings,
    Checkpoint,
    Finished,
    LookAtLimits,
    OutputScanner,
    PacingSettings,
    ReadRows,
    SaveCheckpoint,
    SendRow,
    Wait,
    parse_row,
)
from meshapi_core.bulk.rows import estimate_tokens
from meshapi_core.errors import BadRequestError, InvalidArgumentError, RateLimitError, ServerError
from meshapi_core.models.usage import RateLimits


def line(i: int, **extra: Any) -> bytes:
    body = {"model": "m", "messages": [{"role": "user", "content": f"row {i}"}], **extra}
    return (json.dumps({"id": f"r{i}", "body": body}) + "\n").encode()


def limits(rpm: Optional[Tuple[int, int, float]] = None, tpm: Optional[Tuple[int, int, float]] = None) -> RateLimits:
    key: Dict[str, Any] = {}
    if rpm:
        key["rpm"] = {"current": rpm[0], "limit": rpm[1], "resets_in_seconds": rpm[2]}
    if tpm:
        key["tpm"] = {"current": tpm[0], "limit": tpm[1], "resets_in_seconds": tpm[2]}
    return RateLimits.model_validate({"key": key})


class Driver:
    """Drives a job by hand: a fake clock, an input in memory, the output in a list."""

    def __init__(self, rows: int, settings: Optional[BulkSettings] = None, *,
                 checkpoint: Optional[Checkpoint] = None, done: Tuple[int, ...] = (),
                 lines: Optional[List[bytes]] = None) -> None:
        self.now = 0.0
        self.lines = lines if lines is not None else [line(i) for i in range(rows)]
        self.offsets = []
        offset = 0
        for data in self.lines:
            self.offsets.append(offset)
            offset += len(data)
        self.settings = settings or BulkSettings(pacing=PacingSettings(use_rate_limits=False))
        self.checkpoint = checkpoint or Checkpoint("job1", {}, {})
        self.cursor = self.checkpoint.line - 1
        self.job = BulkJob(self.settings, self.checkpoint, clock=lambda: self.now,
                           random=lambda: 0.0, done=done)
        self.output = bytearray()
        self.in_flight: List[SendRow] = []
        self.looks = 0
        self.saved: List[Checkpoint] = []
        self.max_in_flight = 0

    def records(self) -> List[Dict[str, Any]]:
        return [json.loads(x) for x in self.output.decode().splitlines()]

    def step(self) -> Any:
        """The next action that is not a checkpoint (those are kept in ``saved``)."""
        action = self.job.next_action()
        while isinstance(action, SaveCheckpoint):
            self.saved.append(action.checkpoint)
            self.job.checkpoint_saved()
            action = self.job.next_action()
        if isinstance(action, ReadRows):
            take = self.lines[self.cursor : self.cursor + action.count]
            if take:
                got = [(d, self.offsets[self.cursor + i], self.offsets[self.cursor + i] + len(d))
                       for i, d in enumerate(take)]
                self.cursor += len(take)
                self.output += self.job.add_lines(got)
            else:
                self.job.end_of_input()
        elif isinstance(action, SendRow):
            self.in_flight.append(action)
            self.max_in_flight = max(self.max_in_flight, len(self.in_flight))
        elif isinstance(action, LookAtLimits):
            self.looks += 1
        return action

    def reply(self, send: SendRow, tokens: int = 10) -> None:
        self.in_flight.remove(send)
        reply = {"id": "c", "model": "m", "usage": {"prompt_tokens": tokens - 2,
                                                     "completion_tokens": 2, "total_tokens": tokens}}
        self.output += self.job.receive_reply(send, reply)

    def fail(self, send: SendRow, error: Exception) -> None:
        self.in_flight.remove(send)
        self.output += self.job.receive_error(send, error)  # type: ignore[arg-type]

    def run(self, answer: Any = None, limit: int = 100_000) -> Any:
        """Step until finished, answering each wait with the oldest call's reply (or
        ``answer(send)``); a wait with nothing in flight moves the clock."""
        for _ in range(limit):
            action = self.step()
            if isinstance(action, Finished):
                return action.summary
            if isinstance(action, Wait):
                if self.in_flight:
                    send = self.in_flight[0]
                    if answer is None:
                        self.reply(send)
                    else:
                        answer(send)
                else:
                    assert action.seconds is not None
                    self.now += action.seconds
        raise AssertionError("the job did not finish")


def test_every_row_is_recorded_once_with_its_key() -> None:
    driver = Driver(50)
    keys = []
    summary = driver.run(lambda send: (keys.append(send.key), driver.reply(send)))
    records = driver.records()
    assert sorted(r["id"] for r in records) == sorted(f"r{i}" for i in range(50))
    assert keys == [f"bulk-job1-{r['line']}" for r in records]
    assert summary.complete and summary.succeeded == 50 and summary.total_tokens == 500
    assert summary.models == {"m": [400, 100]}


def test_concurrency_starts_low_and_grows_while_calls_succeed() -> None:
    driver = Driver(200, BulkSettings(pacing=PacingSettings(initial_concurrency=2,
                                                            max_concurrency=16,
                                                            use_rate_limits=False)))
    seen = []

    def answer(send: SendRow) -> None:
        seen.append(len(driver.in_flight))
        driver.reply(send)

    driver.run(answer)
    assert seen[0] == 2 and max(seen) == 16
    assert driver.max_in_flight == 16


def test_a_429_pauses_everything_for_its_retry_after_and_halves_the_concurrency() -> None:
    driver = Driver(40, BulkSettings(pacing=PacingSettings(initial_concurrency=8,
                                                           use_rate_limits=False)))
    while len(driver.in_flight) < 8:
        driver.step()
    first = driver.in_flight[0]
    driver.now = 1.0
    driver.fail(first, RateLimitError("slow", status=429, error_code="rate_limit_exceeded",
                                      retry_after_seconds=5))
    assert driver.job.pacer.window == 4
    # nothing is sent before the Retry-After has passed, whatever else ends meanwhile
    for send in list(driver.in_flight):
        driver.reply(send)
    action = driver.step()
    assert isinstance(action, Wait) and action.seconds == pytest.approx(5.0)
    driver.now = 6.0
    action = driver.step()
    assert isinstance(action, SendRow) and action.row.id == first.row.id and action.key == first.key
    summary = driver.run()
    assert summary.rate_limited == 1 and summary.retried == 1 and summary.complete
    record = next(r for r in driver.records() if r["id"] == first.row.id)
    assert record["attempts"] == 2 and "response" in record


def test_retryable_failures_back_off_then_record_the_last_error() -> None:
    driver = Driver(1, BulkSettings(max_attempts=3, pacing=PacingSettings(use_rate_limits=False)))
    errors = 0

    def answer(send: SendRow) -> None:
        nonlocal errors
        errors += 1
        driver.fail(send, ServerError("busy", status=503, error_code="upstream_error"))

    summary = driver.run(answer)
    assert errors == 3 and summary.failed == 1 and summary.retried == 2
    (record,) = driver.records()
    assert record["error"]["type"] == "ServerError" and record["attempts"] == 3
    assert driver.now > 0  # it waited between attempts


def test_an_error_that_retrying_cannot_cure_is_recorded_at_once() -> None:
    driver = Driver(2)
    summary = driver.run(lambda s: driver.fail(s, BadRequestError("no", status=400,
                                                                  error_code="invalid_request")))
    assert summary.failed == 2 and summary.sent == 2 and summary.retried == 0


def test_lines_that_are_not_rows_are_error_records_and_blank_lines_are_skipped() -> None:
    lines = [line(0), b"\n", b"not json\n", b'{"body": {}}\n', line(0), b'{"id": "u", "url": "/v1/x"}\n',
             line(1)]
    driver = Driver(0, lines=lines)
    summary = driver.run()
    records = {r["line"]: r for r in driver.records()}
    assert set(records) == {1, 3, 4, 5, 6, 7}
    assert "not JSON" in records[3]["error"]["message"]
    assert "needs an 'id'" in records[4]["error"]["message"]
    assert "is the id of line 1 too" in records[5]["error"]["message"]
    assert "'url' must be one of" in records[6]["error"]["message"]
    assert summary.succeeded == 2 and summary.failed == 4


def test_the_window_bounds_the_rows_held_whatever_the_input() -> None:
    driver = Driver(1500, BulkSettings(window=64, pacing=PacingSettings(use_rate_limits=False)))
    held = []

    def answer(send: SendRow) -> None:
        held.append(len(driver.job._window))
        driver.reply(send)

    driver.run(answer)
    assert max(held) <= 64 and len(driver.records()) == 1500


def test_a_slow_row_holds_the_watermark_and_the_checkpoint_lists_the_rows_done_past_it() -> None:
    driver = Driver(20, BulkSettings(checkpoint_rows=5, pacing=PacingSettings(
        initial_concurrency=4, use_rate_limits=False)))
    while not driver.in_flight:
        driver.step()
    slow = driver.in_flight[0]  # line 1: never answered until the end
    for _ in range(200):
        action = driver.step()
        if isinstance(action, Wait):
            others = [s for s in driver.in_flight if s is not slow]
            if not others:
                break
            driver.reply(others[0])
    assert driver.saved
    last = driver.saved[-1]
    recorded = {json.loads(x)["line"] for x in bytes(driver.output[: last.output_size]).splitlines()}
    assert last.line == 1 and last.offset == 0 and last.ahead == sorted(recorded)
    assert len(last.ahead) >= 15
    driver.reply(slow)
    driver.run()
    assert driver.saved[-1].line == 21 and driver.saved[-1].complete


def test_a_rerun_skips_the_rows_done_and_starts_at_the_watermark() -> None:
    lines = [line(i) for i in range(10)]
    offsets = [sum(len(x) for x in lines[:i]) for i in range(10)]
    checkpoint = Checkpoint("job1", {}, {}, line=4, offset=offsets[3], ahead=[6])
    driver = Driver(0, lines=lines, checkpoint=checkpoint, done=(8,))
    sent = []
    driver.run(lambda s: (sent.append(s.row.line), driver.reply(s)))
    assert sorted(sent) == [4, 5, 7, 9, 10]


def test_rate_limit_counters_keep_the_job_within_the_window_then_a_look_renews_it() -> None:
    driver = Driver(30, BulkSettings(checkpoint_interval=1000,
                                     pacing=PacingSettings(initial_concurrency=8)))
    assert isinstance(driver.step(), LookAtLimits)
    driver.job.limits_read(limits(rpm=(2, 12, 10.0)))
    sent = 0
    while True:
        action = driver.step()
        if isinstance(action, SendRow):
            sent += 1
            driver.reply(action)
        elif isinstance(action, Wait):
            break
    assert sent == 10  # 12 less the 2 counted
    assert action.seconds == pytest.approx(10.01)
    driver.now = 10.01
    assert isinstance(driver.step(), LookAtLimits)
    driver.job.limits_read(limits(rpm=(1, 12, 60.0)))
    sends = [a for a in (driver.step() for _ in range(12)) if isinstance(a, SendRow)]
    assert len(sends) == 8  # the window of calls in flight holds them now


def test_a_look_that_still_sees_the_old_window_waits_and_looks_again() -> None:
    driver = Driver(5, BulkSettings(pacing=PacingSettings()))
    driver.step()
    driver.job.limits_read(limits(rpm=(10, 10, 0.0)))
    action = driver.step()
    while not isinstance(action, LookAtLimits):
        if isinstance(action, Wait):
            assert action.seconds is not None
            driver.now += action.seconds
        action = driver.step()
    assert driver.now >= 0.05  # not at once: the next look leaves the window time to end
    for _ in range(8):  # a gateway that keeps saying "now": the looks space out, up to 1 s
        driver.job.limits_read(limits(rpm=(10, 10, 0.0)))
        start = driver.now
        action = driver.step()
        while not isinstance(action, LookAtLimits):
            if isinstance(action, Wait):
                assert action.seconds is not None
                driver.now += action.seconds
            action = driver.step()
    assert driver.now - start == pytest.approx(1.0)
    driver.job.limits_read(limits(rpm=(0, 10, 3.0)))  # the new window: believed at once
    assert isinstance(driver.step(), SendRow)


def test_tokens_per_minute_hold_requests_whose_estimate_does_not_fit() -> None:
    row = parse_row(line(0, max_tokens=100), 1, 0)
    assert not isinstance(row, type(None))
    estimate = estimate_tokens(row, 256.0)  # type: ignore[arg-type]
    assert estimate == row.prompt_tokens + 100  # type: ignore[union-attr]
    driver = Driver(10, BulkSettings(pacing=PacingSettings(initial_concurrency=8)),
                    lines=[line(i, max_tokens=100) for i in range(10)])
    driver.step()
    driver.job.limits_read(limits(tpm=(0, 3 * estimate + 1, 30.0)))
    sends = [a for a in (driver.step() for _ in range(8)) if isinstance(a, SendRow)]
    assert len(sends) == 3


def test_without_the_counters_endpoint_the_job_goes_on_paced_by_429s_alone() -> None:
    driver = Driver(5, BulkSettings(pacing=PacingSettings()))
    assert isinstance(driver.step(), LookAtLimits)
    driver.job.limits_failed(BadRequestError("no route", status=404, error_code="not_found"))
    assert driver.run().succeeded == 5 and driver.looks == 1


def test_a_wait_longer_than_max_wait_stops_the_job_for_a_later_resume() -> None:
    driver = Driver(5, BulkSettings(max_wait=60, pacing=PacingSettings()))
    driver.step()
    driver.job.limits_read(limits(rpm=(10, 10, 3600.0)))
    summary = driver.run()
    assert not summary.complete and "max_wait" in (summary.stopped or "")
    assert driver.records() == [] and driver.saved[-1].line == 1


def test_settings_are_checked() -> None:
    with pytest.raises(InvalidArgumentError, match="max_attempts"):
        BulkSettings(max_attempts=0)
    with pytest.raises(InvalidArgumentError, match="share"):
        PacingSettings(share=0)


def test_the_scanner_keeps_whole_records_and_stops_at_a_torn_or_foreign_line() -> None:
    scanner = OutputScanner()
    good = b'{"id":1,"line":3,"response":{}}\n'
    scanner.feed(good + b'{"id":2,"line":4,"er')
    scanner.feed(b'ror":{}}\n{"id":3,"line":5,')
    assert scanner.lines == {3, 4} and not scanner.broken
    scanner = OutputScanner()
    scanner.feed(good + b"\x00\x00\x00\n" + good)
    assert scanner.broken and scanner.good_bytes == len(good) and scanner.lines == {3}


def test_an_error_that_is_not_the_rows_stops_the_job_with_the_row_unrecorded() -> None:
    from meshapi_core.errors import APIConnectionError, AuthenticationError

    driver = Driver(5)
    summary = driver.run(lambda s: driver.fail(s, AuthenticationError(
        "bad key", status=401, error_code="unauthorized")))
    assert not summary.complete and "refused the key" in (summary.stopped or "")
    assert driver.records() == [] and driver.saved[-1].line == 1
    driver = Driver(5, BulkSettings(max_attempts=2, pacing=PacingSettings(use_rate_limits=False)))
    summary = driver.run(lambda s: driver.fail(s, APIConnectionError("refused")))
    assert "could not be reached" in (summary.stopped or "") and driver.records() == []


def test_rows_in_flight_when_the_job_stops_are_left_for_the_rerun_unless_answered() -> None:
    from meshapi_core.errors import AuthenticationError

    driver = Driver(10, BulkSettings(pacing=PacingSettings(initial_concurrency=3,
                                                           use_rate_limits=False)))
    while len(driver.in_flight) < 3:
        driver.step()
    first, second, third = driver.in_flight
    driver.fail(first, AuthenticationError("bad key", status=401, error_code="unauthorized"))
    driver.fail(second, ServerError("busy", status=503, error_code="upstream_error"))
    driver.reply(third)
    summary = driver.run()
    assert [r["line"] for r in driver.records()] == [third.row.line]
    assert driver.saved[-1].line == first.row.line and summary.stopped
