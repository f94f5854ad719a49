"""Bulk work: ``meshapi bulk`` against the emulator with a rate-limited key, beside the
fixed-concurrency loop users write by hand (the cookbook's way).

Run it from the repository root::

    .venv/bin/python -m bench.bulk_bench            # about 10 min on 2 cores
    .venv/bin/python -m bench.bulk_bench --quick    # about 3 min

What it measures (each against its own emulator process, so the client's CPU is its own):

- **throughput at the key's limit**: a key limited to ``--rpm`` requests a minute on an
  emulator whose clock runs ``--speed`` times faster than the wall clock (600 RPM at 20x:
  200 requests a second, a window every 3 s). The figure is the requests answered in each
  whole window of the run (the first and the last, partial, are left out), over the limit.
  The same under a TPM limit (``--tpm``, 2,400): the tokens served in each whole window.
- **share of 429s**: the requests answered ``429`` over all the requests the client sent.
- **kills**: ``meshapi bulk`` killed with SIGKILL 5 times at moments drawn from a seeded
  generator (once the emulator has seen a drawn number of further requests), then run to
  the end: rows lost or recorded twice in the output, and rows sent again after their
  record was written (from the emulator's log). The loop by hand has no checkpoint: run
  again, it starts over, so every row it had recorded is sent again.
- **client memory over a large input**: ``client.bulk.run`` over a 1,000,000-row file
  (``--memory-rows``) with a transport that answers at once (the emulator is not what is
  measured), the client's resident set sampled as rows get done; the loop by hand reads
  the rows into a list first, as the cookbook's does.

The baseline loop: a pool of ``--baseline-concurrency`` threads (32), each sending rows with
the SDK's default retries (which honour ``Retry-After``), appending each reply to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHAT = "/v1/chat/completions"


class Emulator:
    """The emulator with a rate-limited key, in a process of its own (``bench.bulk_gateway``)."""

    def __init__(self, speed: float, rpm: int, tpm: Optional[int] = None) -> None:
        command = [PYTHON, "-m", "bench.bulk_gateway", "--speed", str(speed), "--rpm", str(rpm)]
        if tpm is not None:
            command += ["--tpm", str(tpm)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        hello = json.loads(self.process.stdout.readline())
        self.url, self.token = hello["url"], hello["token"]
        self.speed, self.rpm, self.tpm = speed, rpm, tpm
        self.entries: List[List[Any]] = []

    def log(self) -> List[List[Any]]:
        """Every request so far: [method, path, status, time, key, content]."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("log\n")
        self.process.stdin.flush()
        self.entries += json.loads(self.process.stdout.readline())
        return self.entries

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)

    def env(self) -> Dict[str, str]:
        return {**os.environ, "MESHAPI_BASE_URL": self.url, "MESHAPI_TOKEN": self.token,
                "PYTHONPATH": str(ROOT)}  # fmt: skip


def write_rows(path: Path, count: int) -> Path:
    with path.open("w") as file:
        for i in range(count):
            body = {"model": "mesh/echo", "messages": [{"role": "user", "content": f"r{i}"}]}
            file.write(json.dumps({"id": f"r{i}", "body": body}) + "\n")
    return path


# -- throughput and 429s -------------------------------------------------------------------


def run_ours(emulator: Emulator, rows: Path, out: Path) -> float:
    from meshapi import MeshAPI

    started = time.monotonic()
    with MeshAPI(base_url=emulator.url, token=emulator.token) as client:
        summary = client.bulk.run(rows, out, estimate_cost=False)
    assert summary.complete, summary
    return time.monotonic() - started


def run_baseline(emulator: Emulator, rows: Path, out: Path, concurrency: int) -> float:
    """The loop by hand: a thread pool, the SDK's default retries, every reply appended."""
    from meshapi import MeshAPI
    from meshapi_core.errors import MeshAPIError

    lines = [json.loads(line) for line in rows.read_text().splitlines()]
    started = time.monotonic()
    with MeshAPI(base_url=emulator.url, token=emulator.token) as client, out.open("w") as sink:

        def one(row: Dict[str, Any]) -> str:
            try:
                reply = client.chat.completions.create(**row["body"])
                return json.dumps({"id": row["id"], "response": reply.model_dump(mode="json")})
            except MeshAPIError as error:
                return json.dumps({"id": row["id"], "error": str(error)})

        with ThreadPoolExecutor(concurrency) as pool:
            for line in pool.map(one, lines):
                sink.write(line + "\n")
    return time.monotonic() - started


def throughput(emulator: Emulator, entries: List[List[Any]], elapsed: float, rows: int,
               out: Path) -> Dict[str, Any]:
    """Requests (or, with a TPM limit, tokens) answered in each whole window over the limit."""
    window = 60.0  # of the emulator's clock
    tokens: Dict[str, int] = {}
    if emulator.tpm is not None:
        for line in out.read_text().splitlines():
            record = json.loads(line)
            reply = record.get("response") or {}
            content = f"r{str(record['id'])[1:]}"
            tokens[content] = (reply.get("usage") or {}).get("total_tokens", 0)
    answered: Counter = Counter()
    for e in entries:
        if e[1] == CHAT and e[2] == 200:
            answered[int(e[3] // window)] += tokens.get(e[5], 0) if emulator.tpm else 1
    limit = emulator.tpm if emulator.tpm is not None else emulator.rpm
    whole = sorted(answered)[1:-1]
    steady = [answered[w] / limit for w in whole]
    sent = len(entries)
    refused = sum(1 for e in entries if e[2] == 429)
    return {
        "steady": sum(steady) / len(steady) if steady else None,
        "windows": [answered[w] for w in sorted(answered)],
        "share_429": refused / sent if sent else 0.0,
        "requests": sent,
        "refused": refused,
        "elapsed": elapsed,
    }


# -- kills ---------------------------------------------------------------------------------


def kills(emulator: Emulator, rows: Path, out: Path, count: int, total: int, seed: int,
          command: List[str]) -> Dict[str, Any]:
    draw = random.Random(seed)
    marks: List[Tuple[int, set]] = []
    for _ in range(count):
        base = sum(1 for e in emulator.log() if e[1] == CHAT)
        process = subprocess.Popen(command, env=emulator.env(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        target = base + draw.randint(total // 20, total // 6)
        while process.poll() is None and sum(1 for e in emulator.log() if e[1] == CHAT) < target:
            time.sleep(0.02)
        if process.poll() is not None:  # it ended by itself: not a kill
            raise RuntimeError(f"the run ended before its kill: {process.stderr.read()!r}")
        process.send_signal(signal.SIGKILL)
        process.wait()
        recorded = set()
        if out.exists():
            for line in out.read_bytes().split(b"\n")[:-1]:
                recorded.add(json.loads(line)["id"])
        marks.append((len(emulator.log()), recorded))
    subprocess.run(command, env=emulator.env(), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    entries = emulator.log()
    final = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    counts = Counter(final)
    ids = {f"r{i}" for i in range(total)}
    resent = 0
    for position, recorded in marks:
        again = {e[5] for e in entries[position:] if e[1] == CHAT}
        resent += len(again & recorded)
    return {
        "lost": len(ids - set(counts)),
        "duplicated": sum(n - 1 for n in counts.values() if n > 1),
        "resent_after_recorded": resent,
        "recorded_at_kills": [len(r) for _, r in marks],
    }


def baseline_kills(emulator: Emulator, rows: Path, out: Path, count: int, total: int,
                   seed: int, concurrency: int) -> Dict[str, Any]:
    """The loop by hand, killed the same way and run again: it has no checkpoint, so the
    rerun starts over (as the cookbook's does)."""
    draw = random.Random(seed)
    code = (
        "import sys; from pathlib import Path; from bench.bulk_bench import run_baseline, Emulator;"
        "e = Emulator.__new__(Emulator); e.url, e.token = sys.argv[1], sys.argv[2];"
        f"run_baseline(e, Path(sys.argv[3]), Path(sys.argv[4]), {concurrency})"
    )
    command = [PYTHON, "-c", code, emulator.url, emulator.token, str(rows), str(out)]
    resent = 0
    for _ in range(count):
        base = sum(1 for e in emulator.log() if e[1] == CHAT)
        process = subprocess.Popen(command, env=emulator.env(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        target = base + draw.randint(total // 20, total // 6)
        while process.poll() is None and sum(1 for e in emulator.log() if e[1] == CHAT) < target:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        resent += out.read_text().count("\n") if out.exists() else 0
    subprocess.run(command, env=emulator.env(), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return {"lost": 0, "duplicated": 0, "resent_after_recorded": resent}


# -- memory --------------------------------------------------------------------------------

_MEMORY = r'''
import json, sys, time
from pathlib import Path
from meshapi import MeshAPI
from meshapi._bulk.progress import Display
from meshapi_core.http import Response

REPLY = json.dumps({"id": "c", "object": "chat.completion", "created": 0, "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
    "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 1,
    "total_tokens": 4}}).encode()

class Answer:
    status = 200
    headers = {"content-type": "application/json", "content-length": str(len(REPLY))}
    def iter_bytes(self):
        yield REPLY
    def close(self):
        pass

class Instant:
    def open_stream(self, request):
        return Answer()
    def sleep(self, seconds):
        time.sleep(seconds)
    def close(self):
        pass

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

mode, rows_path, out_path, total = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
samples = []
marks = [total * k // 10 for k in range(1, 11)]

def sample(done):
    while marks and done >= marks[0]:
        samples.append((marks.pop(0), rss()))

client = MeshAPI(base_url="http://127.0.0.1", token="rsk_bench", transport=Instant())
if mode == "ours":
    class Sampler(Display):
        def update(self, progress):
            sample(progress.rows)
    summary = client.bulk.run(rows_path, out_path, rate_limits=False, estimate_cost=False,
                              max_concurrency=16, progress=Sampler())
    sample(summary.rows)
else:
    from concurrent.futures import ThreadPoolExecutor
    rows = [json.loads(line) for line in rows_path.open()]
    done = 0
    with out_path.open("w") as sink, ThreadPoolExecutor(16) as pool:
        def one(row):
            return json.dumps({"id": row["id"], "response":
                client.chat.completions.create(**row["body"]).model_dump(mode="json")})
        for line in pool.map(one, rows):
            sink.write(line + "\n")
            done += 1
            if marks and done >= marks[0]:
                sample(done)
print(json.dumps(samples))
'''


def memory(rows: Path, out: Path, total: int, mode: str) -> List[Tuple[int, float]]:
    for path in (out, out.with_name(out.name + ".checkpoint")):
        if path.exists():
            path.unlink()
    result = subprocess.run([PYTHON, "-c", _MEMORY, mode, str(rows), str(out), str(total)],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    return [tuple(x) for x in json.loads(result.stdout.strip().splitlines()[-1])]


# -- the report ----------------------------------------------------------------------------


def percent(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (about 1 min)")
    parser.add_argument("--rpm", type=int, default=600)
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--windows", type=int, default=None, help="windows of rows to send")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--memory-rows", type=int, default=None)
    parser.add_argument("--baseline-concurrency", type=int, default=32)
    parser.add_argument("--baseline-memory-rows", type=int, default=200_000,
                        help="the loop by hand's input for the memory figure (it holds it all)")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--tpm", type=int, default=2400, help="the TPM of the TPM workload")
    parser.add_argument("--skip", nargs="*", default=(),
                        choices=("throughput", "tpm", "kills", "memory"))
    options = parser.parse_args(argv)
    windows = options.windows or (4 if options.quick else 10)
    memory_rows = options.memory_rows or (100_000 if options.quick else 1_000_000)
    if options.quick:
        options.baseline_memory_rows = min(options.baseline_memory_rows, memory_rows)
    work = ROOT / "bench" / ".bulk"
    work.mkdir(exist_ok=True)
    rows = write_rows(work / "rows.jsonl", options.rpm * windows)
    total = options.rpm * windows
    results: Dict[str, Any] = {"settings": {k: v for k, v in vars(options).items() if k != "skip"}}
    print(f"# Bulk work: {total:,} rows, a key of {options.rpm} RPM on an emulator at "
          f"{options.speed:g}x ({options.rpm / 60 * options.speed:.0f} requests/s at the limit)\n")

    if "throughput" not in options.skip:
        for name in ("ours", "baseline"):
            emulator = Emulator(options.speed, options.rpm)
            try:
                out = work / f"{name}.jsonl"
                for path in (out, out.with_name(out.name + ".checkpoint")):
                    if path.exists():
                        path.unlink()
                if name == "ours":
                    elapsed = run_ours(emulator, rows, out)
                else:
                    elapsed = run_baseline(emulator, rows, out, options.baseline_concurrency)
                results[f"throughput_{name}"] = throughput(emulator, emulator.log(), elapsed,
                                                            total, out)
            finally:
                emulator.close()
        ours, base = results["throughput_ours"], results["throughput_baseline"]
        print("| figure | meshapi bulk | fixed concurrency (32 threads) | target |")
        print("|---|---:|---:|---|")
        print(f"| throughput at the key's limit, whole windows | {percent(ours['steady'])} | "
              f"{percent(base['steady'])} | >= 95% |")
        print(f"| share of requests answered 429 | {percent(ours['share_429'])} "
              f"({ours['refused']} of {ours['requests']}) | {percent(base['share_429'])} "
              f"({base['refused']} of {base['requests']}) | <= 2% |")
        print(f"| time | {ours['elapsed']:.1f} s | {base['elapsed']:.1f} s | |")
        print(f"\nRequests answered per window, ours: {ours['windows']}; "
              f"baseline: {base['windows']}\n")

    if "tpm" not in options.skip:
        # The same rows under a TPM limit: a row is 3 tokens (prompt and reply) to the
        # emulator, so 800 rows a window at 2,400 TPM.
        count = options.tpm // 3 * windows
        tpm_rows = write_rows(work / "tpm-rows.jsonl", count)
        for name in ("ours", "baseline"):
            emulator = Emulator(options.speed, options.rpm * 10, options.tpm)
            try:
                out = work / f"tpm-{name}.jsonl"
                for path in (out, out.with_name(out.name + ".checkpoint")):
                    if path.exists():
                        path.unlink()
                if name == "ours":
                    elapsed = run_ours(emulator, tpm_rows, out)
                else:
                    elapsed = run_baseline(emulator, tpm_rows, out, options.baseline_concurrency)
                results[f"tpm_{name}"] = throughput(emulator, emulator.log(), elapsed, count, out)
            finally:
                emulator.close()
        ours, base = results["tpm_ours"], results["tpm_baseline"]
        print(f"| {options.tpm:,} TPM (and {options.rpm * 10:,} RPM) | meshapi bulk | "
              "fixed concurrency (32 threads) | target |")
        print("|---|---:|---:|---|")
        print(f"| tokens served in whole windows, of the TPM | {percent(ours['steady'])} | "
              f"{percent(base['steady'])} | >= 95% |")
        print(f"| share of requests answered 429 | {percent(ours['share_429'])} "
              f"({ours['refused']} of {ours['requests']}) | {percent(base['share_429'])} "
              f"({base['refused']} of {base['requests']}) | <= 2% |")
        print(f"\nTokens served per window, ours: {ours['windows']}; "
              f"baseline: {base['windows']}\n")

    if "kills" not in options.skip:
        kill_rows = min(total, 2000)
        small = write_rows(work / "kill-rows.jsonl", kill_rows)
        emulator = Emulator(options.speed, options.rpm * 10)
        try:
            out = work / "kill-ours.jsonl"
            for path in (out, out.with_name(out.name + ".checkpoint")):
                if path.exists():
                    path.unlink()
            command = [PYTHON, "-m", "meshapi.cli", "bulk", str(small), "-o", str(out), "-q"]
            results["kills_ours"] = kills(emulator, small, out, options.kills, kill_rows,
                                          options.seed, command)
            emulator.entries = []
        finally:
            emulator.close()
        emulator = Emulator(options.speed, options.rpm * 10)
        try:
            out = work / "kill-baseline.jsonl"
            if out.exists():
                out.unlink()
            results["kills_baseline"] = baseline_kills(emulator, small, out, options.kills,
                                                       kill_rows, options.seed,
                                                       options.baseline_concurrency)
        finally:
            emulator.close()
        ours, base = results["kills_ours"], results["kills_baseline"]
        print(f"| {options.kills} kills (SIGKILL), {kill_rows:,} rows | meshapi bulk | "
              "fixed concurrency, run again | target |")
        print("|---|---:|---:|---|")
        print(f"| rows lost or recorded twice | {ours['lost'] + ours['duplicated']} | "
              f"0 (the rerun starts over) | 0 |")
        print(f"| rows sent again after their record was written | "
              f"{ours['resent_after_recorded']} | {base['resent_after_recorded']} | 0 |")
        print(f"\nRows recorded at each kill: {ours['recorded_at_kills']}\n")

    if "memory" not in options.skip:
        big = work / "memory-rows.jsonl"
        if not big.exists() or big.stat().st_size == 0 or sum(1 for _ in big.open()) != memory_rows:
            write_rows(big, memory_rows)
        ours = memory(big, work / "memory-ours.jsonl", memory_rows, "ours")
        base_rows = min(memory_rows, options.baseline_memory_rows)
        small = big
        if base_rows != memory_rows:
            small = write_rows(work / "memory-baseline-rows.jsonl", base_rows)
        base = memory(small, work / "memory-baseline.jsonl", base_rows, "baseline")
        results["memory_ours"], results["memory_baseline"] = ours, base
        print(f"| client RSS (MiB) | meshapi bulk, {memory_rows:,} rows | rows read into a "
              f"list first, {base_rows:,} rows | target |")
        print("|---|---:|---:|---|")
        for k, ((n, mine), (m, theirs)) in enumerate(zip(ours, base), 1):
            print(f"| after {10 * k}% of the rows | {mine:.0f} ({n:,} rows) | "
                  f"{theirs:.0f} ({m:,} rows) | |")
        growth = ours[-1][1] - ours[0][1]
        print(f"| growth from 10% to 100% | {growth:+.1f} | {base[-1][1] - base[0][1]:+.1f} "
              "(its peak comes first: every row is read before the first is sent) | flat |\n")
    (work / "latest.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
