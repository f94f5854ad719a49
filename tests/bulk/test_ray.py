"""Bulk work on a local Ray instance: ``meshapi.ray.BulkMapper`` in ``map_batches``, and the
Ray block of ``docs/bulk.md``. Needs ``pip install 'meshapi-python-sdk[ray]'``: skipped
without it; ``.ci/run`` installs the extra and runs these (``pytest -m ray``)."""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, Iterator, Set

import pytest

from meshapi.testing import Gateway, GatewayServer
from meshapi.testing.faults import Status

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray

CHAT = "/v1/chat/completions"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False, ignore_reinit_error=True)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray
    ray.shutdown()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    gateway = Gateway()
    with GatewayServer(gateway).run_in_thread() as url:
        monkeypatch.setenv("MESHAPI_BASE_URL", url)
        monkeypatch.setenv("MESHAPI_TOKEN", gateway.add_key(rpm_limit=1_000_000))
        yield gateway


def test_map_batches_sends_each_row_once_with_error_rows(local_ray: Any, served: Gateway) -> None:
    from meshapi.ray import BulkMapper

    served.inject(Status(400, code="invalid_request"), route=CHAT, times=1)
    served.inject(Status(503), route=CHAT, times=2)  # retried, then answered
    rows = [{"id": f"r{i}", "body": {"messages": [{"role": "user", "content": f"r{i}"}]}}
            for i in range(60)]
    ds = ray.data.from_items(rows)
    out = ds.map_batches(
        BulkMapper,
        fn_constructor_kwargs={"job_id": "ray-test", "workers": 2,
                               "defaults": {"model": "mesh/echo"},
                               "base_url": os.environ["MESHAPI_BASE_URL"],
                               "token": os.environ["MESHAPI_TOKEN"]},
        concurrency=2,
        num_cpus=0.5,
        batch_size=16,
    )
    results = out.take_all()
    assert sorted(r["id"] for r in results) == sorted(f"r{i}" for i in range(60))
    failed = [r for r in results if not r["ok"]]
    assert len(failed) == 1 and json.loads(failed[0]["error"])["type"] == "BadRequestError"
    ok = [r for r in results if r["ok"]]
    assert all(json.loads(r["response"])["choices"][0]["message"]["content"] == r["id"] for r in ok)
    keys: Dict[str, Set[str]] = defaultdict(set)
    for request in served.requests:
        if request.path == CHAT:
            keys[request.json["messages"][0]["content"]].add(request.headers["idempotency-key"])
    assert len(keys) == 60 and all(len(k) == 1 for k in keys.values())


def test_the_ray_block_of_the_guide_runs(local_ray: Any, served: Gateway, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "docs" / "bulk.md").read_text()
    blocks = re.findall(r"<!-- no-run: [^>]*Ray[^>]*-->\n```python\n(.*?)```", text, re.S)
    assert blocks, "docs/bulk.md has a Ray block"
    monkeypatch.chdir(tmp_path)
    rows = [{"id": f"q{i}", "body": {"model": "mesh/echo",
                                     "messages": [{"role": "user", "content": f"q{i}"}]}}
            for i in range(20)]
    Path("rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    for block in blocks:
        exec(compile(block, "docs/bulk.md", "exec"), {"__name__": "docs_bulk_ray"})
    written = [json.loads(line) for f in Path("replies").glob("*.json") for line in
               f.read_text().splitlines()]
    assert sorted(r["id"] for r in written) == sorted(r["id"] for r in rows)
