"""``client.bulk`` and ``meshapi bulk`` against the emulator: records, resume, pacing."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from meshapi import AsyncMeshAPI, MeshAPI
from meshapi.cli import main
from meshapi.testing import (
    AsyncInProcessTransport,
    Gateway,
    GatewayServer,
    InProcessTransport,
    SystemClock,
)
from meshapi.testing.faults import Status
from meshapi_core.bulk import CheckpointError
from meshapi_core.errors import InvalidArgumentError

CHAT = "/v1/chat/completions"


def write_rows(path: Path, count: int, start: int = 0) -> Path:
    with path.open("w") as file:
        for i in range(start, start + count):
            body = {"model": "mesh/echo", "messages": [{"role": "user", "content": f"row {i}"}]}
            file.write(json.dumps({"id": f"r{i}", "body": body}) + "\n")
    return path


def records(path: Path) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def sent_rows(gateway: Gateway) -> List[str]:
    """The ids of the rows whose requests reached the gateway, in order."""
    return [r.json["messages"][0]["content"].replace("row ", "r") for r in gateway.requests
            if r.path == CHAT and r.json]


@pytest.fixture
def gateway() -> Gateway:
    return Gateway()


@pytest.fixture
def client(gateway: Gateway) -> Iterator[MeshAPI]:
    key = gateway.add_key(rpm_limit=1_000_000)  # a limit it reports, far away
    with MeshAPI(base_url="http://127.0.0.1", token=key,
                 transport=InProcessTransport(gateway)) as client:
        yield client


def test_every_row_gets_one_record_and_a_rerun_sends_nothing(
    client: MeshAPI, gateway: Gateway, tmp_path: Path
) -> None:
    rows = write_rows(tmp_path / "rows.jsonl", 120)
    with rows.open("a") as file:
        file.write('{"id": "e1", "url": "/v1/embeddings", "body": {"model": '
                   '"openai/text-embedding-3-small", "input": "some text"}}\n')
        file.write('{"id": "q1", "url": "/v1/responses", "body": {"model": "mesh/echo", '
                   '"input": "a question"}}\n')
        file.write("not a row\n")
    out = tmp_path / "out.jsonl"
    summary = client.bulk.run(rows, out, max_concurrency=8)
    found = records(out)
    assert sorted(r["line"] for r in found) == list(range(1, 124))
    assert Counter(r["id"] for r in found)["r7"] == 1
    by_id = {r["id"]: r for r in found}
    assert by_id["r5"]["response"]["choices"][0]["message"]["content"] == "row 5"
    assert by_id["e1"]["response"]["data"][0]["embedding"]
    assert by_id["q1"]["response"]["output"]
    assert by_id[None]["error"]["type"] == "InvalidRowError"
    assert (summary.rows, summary.succeeded, summary.failed, summary.complete) == (123, 122, 1, True)
    assert summary.total_tokens > 0 and summary.sent == 122
    keys = {r.headers["idempotency-key"] for r in gateway.requests if r.path == CHAT}
    assert len(keys) == 120
    before = len(sent_rows(gateway))
    again = client.bulk.run(rows, out)
    assert len(sent_rows(gateway)) == before and again.rows == 123 and again.complete
    assert again.resumed == 123


def test_the_async_client_runs_the_same_job_and_map_keeps_the_rows_order(
    gateway: Gateway, tmp_path: Path
) -> None:
    rows = write_rows(tmp_path / "rows.jsonl", 40)
    key = gateway.add_key(rpm_limit=1_000_000)

    async def go() -> Any:
        async with AsyncMeshAPI(base_url="http://127.0.0.1", token=key,
                                transport=AsyncInProcessTransport(gateway)) as client:
            summary = await client.bulk.run(rows, tmp_path / "out.jsonl")
            mapped = await client.bulk.map(
                [{"id": i, "body": {"messages": [{"role": "user", "content": f"m{i}"}]}}
                 for i in range(10)],
                defaults={"model": "mesh/echo"},
            )
            return summary, mapped

    summary, mapped = asyncio.run(go())
    assert summary.succeeded == 40 and len(records(tmp_path / "out.jsonl")) == 40
    assert [r["id"] for r in mapped] == list(range(10))
    assert mapped[3]["response"]["choices"][0]["message"]["content"] == "m3"


def test_a_torn_last_line_is_cut_and_its_row_sent_again_with_the_same_key(
    client: MeshAPI, gateway: Gateway, tmp_path: Path
) -> None:
    rows = write_rows(tmp_path / "rows.jsonl", 30)
    out = tmp_path / "out.jsonl"
    client.bulk.run(rows, out)
    # As a crash would leave it: a checkpoint from the start, ten whole records after it and
    # one cut in the middle of its line.
    checkpoint_path = tmp_path / "out.jsonl.checkpoint"
    checkpoint = json.loads(checkpoint_path.read_text())
    checkpoint.update(line=1, offset=0, output_size=0, ahead=[], complete=False)
    checkpoint["totals"] = {}
    checkpoint_path.write_text(json.dumps(checkpoint))
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:10]) + lines[10][:25])
    kept = {json.loads(x)["id"] for x in lines[:10]}
    torn = json.loads(lines[10])["id"]
    keys = {r.json["messages"][0]["content"]: r.headers["idempotency-key"]
            for r in gateway.requests if r.path == CHAT}
    gateway.clear_requests()
    summary = client.bulk.run(rows, out)
    assert summary.complete and summary.rows == 30
    found = records(out)
    assert sorted(r["id"] for r in found) == sorted(f"r{i}" for i in range(30))
    resent = set(sent_rows(gateway))
    assert not resent & kept and torn in resent and len(resent) == 20
    again = {r.json["messages"][0]["content"]: r.headers["idempotency-key"]
             for r in gateway.requests if r.path == CHAT}
    assert all(keys[content] == key for content, key in again.items())


def test_an_output_it_did_not_write_or_another_input_is_refused_untouched(
    client: MeshAPI, tmp_path: Path
) -> None:
    rows = write_rows(tmp_path / "rows.jsonl", 3)
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text("precious\n")
    with pytest.raises(CheckpointError, match="no checkpoint beside it"):
        client.bulk.run(rows, foreign)
    assert foreign.read_text() == "precious\n"
    out = tmp_path / "out.jsonl"
    client.bulk.run(rows, out)
    write_rows(rows, 4)
    with pytest.raises(CheckpointError, match="input changed"):
        client.bulk.run(rows, out)
    with pytest.raises(CheckpointError, match="settings changed"):
        client.bulk.run(write_rows(rows, 3), out, defaults={"model": "x"})
    with pytest.raises(InvalidArgumentError, match="max_concurrency"):
        client.bulk.run(rows, tmp_path / "other.jsonl", max_concurrency=0)


def test_a_429_pauses_the_job_for_its_retry_after(client: MeshAPI, gateway: Gateway,
                                                  tmp_path: Path) -> None:
    rows = write_rows(tmp_path / "rows.jsonl", 20)
    gateway.inject(Status(429, code="rate_limit_exceeded", retry_after="0.5"), route=CHAT,
                   times=1)
    summary = client.bulk.run(rows, tmp_path / "out.jsonl", initial_concurrency=1)
    assert summary.complete and summary.succeeded == 20 and summary.rate_limited == 1
    chats = [r for r in gateway.requests if r.path == CHAT]
    refused = next(i for i, r in enumerate(chats) if r.status == 429)
    assert chats[refused + 1].timestamp - chats[refused].timestamp >= 0.5


def test_the_job_keeps_within_the_keys_rpm_without_429s(tmp_path: Path) -> None:
    gateway = Gateway(clock=SystemClock(speed=60))  # a minute of the emulator is a second
    key = gateway.add_key(rpm_limit=100)
    rows = write_rows(tmp_path / "rows.jsonl", 250)
    with GatewayServer(gateway).run_in_thread() as url, MeshAPI(base_url=url, token=key) as client:
        summary = client.bulk.run(rows, tmp_path / "out.jsonl")
    assert summary.complete and summary.succeeded == 250
    windows = Counter(int(r.timestamp // 60) for r in gateway.requests)
    assert max(windows.values()) <= 100
    assert summary.rate_limited == 0 and not [r for r in gateway.requests if r.status == 429]


def test_the_job_keeps_within_the_keys_tpm_from_its_estimates(tmp_path: Path) -> None:
    gateway = Gateway(clock=SystemClock(speed=60))
    key = gateway.add_key(tpm_limit=400)  # about 80 of these rows (5 tokens each) a minute
    rows = write_rows(tmp_path / "rows.jsonl", 300)
    with GatewayServer(gateway).run_in_thread() as url, MeshAPI(base_url=url, token=key) as client:
        summary = client.bulk.run(rows, tmp_path / "out.jsonl")
        limits = client.usage.rate_limits()
    assert summary.complete and summary.succeeded == 300
    assert limits.key and limits.key.tpm and limits.key.tpm.limit == 400
    # paced by the tokens: the job spans the windows its tokens need, with no storm of 429s
    windows = Counter(int(r.timestamp // 60) for r in gateway.requests if r.path == CHAT)
    assert len(windows) >= summary.total_tokens // 400
    assert summary.rate_limited <= 2  # a window's last request may overshoot its estimate


def test_the_command_line(gateway: Gateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = write_rows(tmp_path / "rows.jsonl", 15)
    out = tmp_path / "out.jsonl"
    with GatewayServer(gateway).run_in_thread() as url:
        monkeypatch.setenv("MESHAPI_BASE_URL", url)
        monkeypatch.setenv("MESHAPI_TOKEN", gateway.add_key(rpm_limit=1_000_000))
        stdout, stderr = io.StringIO(), io.StringIO()
        status = main(["bulk", str(rows), "-o", str(out), "--json"], stdout=stdout, stderr=stderr)
        assert status == 0, stderr.getvalue()
        summary = json.loads(stdout.getvalue())
        assert summary["rows"] == 15 and summary["complete"] is True
        stderr = io.StringIO()
        status = main(["bulk", str(rows), "-o", str(out), "--max-attempts", "0"], stderr=stderr)
        assert status == 2 and stderr.getvalue().startswith("meshapi: error: --max-attempts: ")
        stderr = io.StringIO()
        status = main(["bulk", str(rows), "-o", str(rows)], stderr=stderr)
        assert status == 2 and "--output" in stderr.getvalue()
        stderr = io.StringIO()
        status = main(["bulk", str(rows), "-o", str(out)], stderr=stderr)
        assert status == 0 and stderr.getvalue().startswith("15 rows: 15 succeeded")
    assert len(records(out)) == 15
    assert time.monotonic() > 0
