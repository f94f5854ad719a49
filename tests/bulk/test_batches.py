"""``client.bulk.run(..., via="batches")``: the rows through the Batches API, on the emulator's
clock (a fake one: the waits between looks move it, so a batch finishes at once)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, List

import pytest

from meshapi import MeshAPI
from meshapi.testing import FakeClock, Gateway, InProcessTransport
from meshapi.testing.faults import Drop, Status
from meshapi_core.bulk.batching import BatchLimits
from meshapi_core.errors import ServerError


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def gateway(clock: FakeClock) -> Gateway:
    return Gateway(clock=clock)


@pytest.fixture
def client(gateway: Gateway, clock: FakeClock) -> Iterator[MeshAPI]:
    transport = InProcessTransport(gateway, sleep=clock.sleep)
    with MeshAPI(base_url="http://127.0.0.1", token=gateway.token, transport=transport) as client:
        yield client


def write(path: Path) -> Path:
    with path.open("w") as file:
        for i in range(25):
            model = "openai/gpt-4o-mini" if i < 15 else "anthropic/claude-haiku-4.5"
            body = {"model": model, "messages": [{"role": "user", "content": f"r{i}"}]}
            file.write(json.dumps({"id": f"r{i}", "body": body}) + "\n")
        file.write('{"id": "e", "url": "/v1/embeddings", "body": {"model": "x", "input": "y"}}\n')
        file.write('{"id": 7, "body": {"model": "anthropic/claude-haiku-4.5", "messages": []}}\n')
    return path


def created(gateway: Gateway) -> List[dict]:
    return [r.json for r in gateway.requests if r.method == "POST" and r.path == "/v1/batches"
            and r.status == 200]


def test_rows_are_split_by_model_and_size_and_mapped_back_to_their_ids(
    client: MeshAPI, gateway: Gateway, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    summary = client.bulk.run(write(tmp_path / "rows.jsonl"), out, via="batches",
                              batch_limits=BatchLimits(max_rows=10))
    batches = created(gateway)
    assert [len(b["requests"]) for b in batches] == [10, 5, 10, 1]
    assert all(len({r["body"]["model"] for r in b["requests"]}) == 1 for b in batches)
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert len(records) == 27
    assert records["r3"]["response"]["choices"][0]["message"]["content"]
    assert records["e"]["error"]["code"] == "invalid_row"
    assert records[7]["error"]["type"] in ("BatchRowError", "UnprocessableEntityError")
    assert summary.complete and summary.succeeded == 25 and summary.failed == 2
    assert summary.cost_estimated and summary.cost_usd is not None


def test_a_run_stopped_while_waiting_resumes_without_creating_a_batch_twice(
    client: MeshAPI, gateway: Gateway, tmp_path: Path
) -> None:
    rows, out = write(tmp_path / "rows.jsonl"), tmp_path / "out.jsonl"
    gateway.inject(Status(500), route="/v1/batches/*", method="GET", times=1)
    with pytest.raises(ServerError):
        client.bulk.run(rows, out, via="batches", batch_limits=BatchLimits(max_rows=10))
    assert out.read_text().count("\n") == 1  # the embeddings row, refused at once
    summary = client.bulk.run(rows, out, via="batches", batch_limits=BatchLimits(max_rows=10))
    assert summary.complete and summary.rows == 27
    assert len(created(gateway)) == 4
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert len(ids) == len(set(ids)) == 27


def test_a_creation_whose_answer_was_lost_is_found_again_not_repeated(
    client: MeshAPI, gateway: Gateway, tmp_path: Path
) -> None:
    gateway.inject(Drop(after_bytes=0), route="/v1/batches", method="POST", times=1)
    summary = client.bulk.run(write(tmp_path / "rows.jsonl"), tmp_path / "out.jsonl",
                              via="batches")
    assert summary.complete and summary.succeeded == 25
    assert len([b for b in gateway.requests if b.method == "POST" and b.path == "/v1/batches"
                and b.json and len(b.json["requests"]) == 15]) == 1
