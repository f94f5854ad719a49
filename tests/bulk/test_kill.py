"""``meshapi bulk`` killed with SIGKILL at random moments, then run again: no row lost, none
recorded twice, none sent again once recorded, and a row sent again carries its key.

The moments are drawn from a seeded generator: each run is killed once the emulator has
received a drawn number of further requests (an event, not a timer), while other requests
are in flight and records are being written. Every fact is checked against the emulator's
request log.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

from meshapi.testing import Gateway, GatewayServer
from meshapi.testing.faults import Delay

CHAT = "/v1/chat/completions"
ROWS = 300
KILLS = 5

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def whole_records(path: Path) -> List[dict]:
    if not path.exists():
        return []
    data = path.read_bytes()
    return [json.loads(line) for line in data.split(b"\n")[:-1]]  # the last piece is torn


def test_kills_at_random_moments_lose_nothing_and_redo_nothing(tmp_path: Path) -> None:
    draw = random.Random(22)
    rows = tmp_path / "rows.jsonl"
    with rows.open("w") as file:
        for i in range(ROWS):
            body = {"model": "mesh/echo", "messages": [{"role": "user", "content": f"r{i}"}]}
            file.write(json.dumps({"id": f"r{i}", "body": body}) + "\n")
    out = tmp_path / "out.jsonl"
    gateway = Gateway()
    key = gateway.add_key(rpm_limit=1_000_000)
    gateway.inject(Delay(headers=0.01), route=CHAT, times=None)  # every reply takes 10 ms
    command = [sys.executable, "-m", "meshapi.cli", "bulk", str(rows), "-o", str(out), "-q",
               "--max-concurrency", "16", "--initial-concurrency", "8"]
    kills: List[Tuple[int, Set[str]]] = []  # (log length at the kill, ids recorded by then)
    with GatewayServer(gateway).run_in_thread() as url:
        env = {**os.environ, "MESHAPI_BASE_URL": url, "MESHAPI_TOKEN": key}
        for _ in range(KILLS):
            seen = sum(1 for r in gateway.requests if r.path == CHAT)
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
            try:
                gateway.wait_for_requests(seen + draw.randint(10, 45), CHAT, timeout=60)
            finally:
                process.send_signal(signal.SIGKILL)
                process.wait()
            kills.append((len(gateway.requests), {r["id"] for r in whole_records(out)}))
        finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr

    # every input id exactly once in the output, every line whole
    assert out.read_bytes().endswith(b"\n")
    final = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["id"] for r in final) == sorted(f"r{i}" for i in range(ROWS))
    assert all("response" in r for r in final)

    # the kills did land while work was recorded, and left work to resume
    recorded = [len(ids) for _, ids in kills]
    assert sum(1 for n in recorded if 0 < n < ROWS) >= 3, recorded
    assert recorded[-1] < ROWS

    # no row was sent again once its record was written
    log = gateway.requests
    for position, ids in kills:
        again = {r.json["messages"][0]["content"] for r in log[position:] if r.path == CHAT}
        assert not again & ids

    # a row sent more than once (in flight at a kill) carried the same key each time
    keys: Dict[str, Set[str]] = defaultdict(set)
    for request in log:
        if request.path == CHAT:
            keys[request.json["messages"][0]["content"]].add(request.headers["idempotency-key"])
    assert all(len(found) == 1 for found in keys.values())
    assert len(keys) == ROWS
    sends = sum(1 for r in log if r.path == CHAT)
    assert ROWS <= sends <= ROWS + KILLS * 16  # at most the rows in flight at each kill again
