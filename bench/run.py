"""Run the benchmarks: ``python -m bench --quick`` (about a minute) or ``--full``.

One bench server (:mod:`bench.server`) runs in its own process on 127.0.0.1. Every client runs
in its own interpreter, from its own virtualenv (ours and the floors from this repository's,
each peer SDK from one made under ``bench/.venvs/``), and prints JSON. Runs are interleaved:
round 1 of every client, then round 2 of every client, and so on (the order rotated each
round); the table shows medians, each as a ratio to its floor, and checks each target.
Results go to ``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from bench import wire
from bench.media_bench import table as media_table

BENCH = Path(__file__).resolve().parent
CLIENTS_DIR = BENCH / "clients"
VENVS = BENCH / ".venvs"
RESULTS = BENCH / "results"

SIZES: Dict[str, Dict[str, Any]] = {
    "full": {
        "rounds": 5,
        "peer_rounds": 3,  # the peers take half the time: they run in the first 3 rounds
        "sync": {"seq": 2000, "stream1": [1, 20000], "stream10": [10, 2000]},
        "async": {"conc": [1000, 50], "stream1": [1, 20000], "stream10": [10, 2000], "hold": 1000},
        "imports_per_round": 3,
        "sse_events": 200_000,
        "memory": {"bomb_mib": 1024, "reply_mib": 64, "floor_bomb": True},
        "media_bytes": 1024**3,
        "latency": [20, 16],  # sequential streams of 16 chunks through the delay proxy
        "cold_per_round": 3,
    },
    "quick": {
        "rounds": 2,
        "peer_rounds": 1,
        "sync": {"seq": 200, "stream1": [1, 2000], "stream10": [10, 200]},
        "async": {"conc": [150, 50], "stream1": [1, 2000], "stream10": [10, 200], "hold": 100},
        "imports_per_round": 2,
        "sse_events": 30_000,
        "memory": {"bomb_mib": 512, "reply_mib": 16, "floor_bomb": False},
        "media_bytes": 64 * 1024**2,
        "latency": [20, 16],
        "cold_per_round": 1,
    },
}

PEERS = {"meshapi": "meshapi==0.1.11", "openai": "openai"}


@dataclass(frozen=True)
class Client:
    """One client kind: which script, which interpreter, and which floor it is compared to."""

    name: str
    script: str
    kind: str
    env: str  # "ours" or a key of PEERS
    asynchronous: bool
    floor: str


CLIENTS: Tuple[Client, ...] = (
    Client("floor httpx", "floor.py", "httpx", "ours", False, "floor httpx"),
    Client("ours httpx", "ours.py", "httpx", "ours", False, "floor httpx"),
    Client("meshapi 0.1.11", "peer_meshapi.py", "sync", "meshapi", False, "floor httpx"),
    Client("openai", "peer_openai.py", "sync", "openai", False, "floor httpx"),
    Client("floor httpx-async", "floor.py", "httpx-async", "ours", True, "floor httpx-async"),
    Client("ours httpx-async", "ours.py", "httpx-async", "ours", True, "floor httpx-async"),
    Client("floor httpx-trio", "floor.py", "httpx-trio", "ours", True, "floor httpx-trio"),
    Client("ours httpx-trio", "ours.py", "httpx-trio", "ours", True, "floor httpx-trio"),
    Client("floor aiohttp", "floor.py", "aiohttp", "ours", True, "floor aiohttp"),
    Client("ours aiohttp", "ours.py", "aiohttp", "ours", True, "floor aiohttp"),
    Client(
        "meshapi 0.1.11 async", "peer_meshapi.py", "async", "meshapi", True, "floor httpx-async"
    ),
    Client("openai async", "peer_openai.py", "async", "openai", True, "floor httpx-async"),
)

IMPORTS: Tuple[Tuple[str, str, str], ...] = (
    ("floor: import httpx, pydantic", "ours", "import httpx, pydantic"),
    (
        "reference: import httpx; from pydantic import BaseModel",
        "ours",
        "import httpx; from pydantic import BaseModel",
    ),
    (
        "ours: from meshapi import ...",
        "ours",
        "from meshapi import MeshAPI, AsyncMeshAPI, ChatCompletionParams, ChatMessage, MeshAPIError",
    ),
    ("ours: import meshapi_core", "ours", "import meshapi_core"),
    (
        "meshapi 0.1.11",
        "meshapi",
        "from meshapi import MeshAPI, AsyncMeshAPI, ChatCompletionParams, ChatMessage",
    ),
    ("openai", "openai", "from openai import OpenAI, AsyncOpenAI"),
)


# --- environments ------------------------------------------------------------------------------


def _clean_env() -> Dict[str, str]:
    """The environment of every subprocess: no outside paths, and byte code cached.

    Byte code goes to one cache of the bench's own (``PYTHONPYCACHEPREFIX``), written on first
    import whatever ``PYTHONDONTWRITEBYTECODE`` says, so imports are timed as an installed
    package imports: from ``.pyc`` files, never by compiling a source that changed.
    """
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONPYCACHEPREFIX"] = str(VENVS / "pycache")
    return env


def peer_python(name: str, upgrade: bool) -> Optional[str]:
    """The interpreter of the peer's virtualenv, made and filled on first use; None if it fails."""
    home = VENVS / name
    python = home / "bin" / "python"
    marker = home / ".installed"
    if marker.exists() and not upgrade:
        return str(python)
    print(f"setting up {home} ({PEERS[name]}) ...", file=sys.stderr, flush=True)
    try:
        if not python.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(home)
        cmd = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run(
            [*cmd, *(["--upgrade"] if upgrade else []), PEERS[name]],
            check=True,
            env=_clean_env(),
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"  {name} is unavailable: {exc}", file=sys.stderr)
        return None
    marker.write_text(PEERS[name])
    return str(python)


# --- running -----------------------------------------------------------------------------------


def _cpus() -> Tuple[Optional[Set[int]], Optional[Set[int]]]:
    """The CPUs for the server and for the clients: apart, so neither takes the other's."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return {cpus[-1]}, set(cpus[:-1])


SERVER_CPUS, CLIENT_CPUS = _cpus()


def _on(cpus: Optional[Set[int]]) -> Any:
    """A ``preexec_fn`` that keeps the child on ``cpus`` (or None: anywhere)."""
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def start_server() -> Tuple[subprocess.Popen[str], int]:
    """Start the bench server in its own process, on its own CPU; return it and its port."""
    proc = subprocess.Popen(
        [sys.executable, str(BENCH / "server.py")],
        stdout=subprocess.PIPE,
        text=True,
        env=_clean_env(),
        preexec_fn=_on(SERVER_CPUS),
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def run_client(
    python: str, client: Client, port: int, spec: Dict[str, Any], cwd: str
) -> Dict[str, Any]:
    """One run of one client: every workload of its kind, as JSON (or the error it died of)."""
    cmd = [
        python,
        str(CLIENTS_DIR / client.script),
        client.kind,
        "--port",
        str(port),
        "--spec",
        json.dumps(spec),
    ]
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=_clean_env(),
        cwd=cwd,
        timeout=900,
        preexec_fn=_on(CLIENT_CPUS),
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]}
    result: Dict[str, Any] = json.loads(proc.stdout)
    return result


def time_import(python: str, statement: str, cwd: str) -> float:
    """Seconds for ``statement`` in a fresh interpreter (after its startup)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [python, "-c", code],
        capture_output=True,
        text=True,
        env=_clean_env(),
        cwd=cwd,
        check=True,
        preexec_fn=_on(CLIENT_CPUS),
    )
    return float(out.stdout)


def run_first_calls(cwd: str) -> Dict[str, float]:
    """One run of :mod:`bench.first_call`: milliseconds per never-used resource."""
    env = {**_clean_env(), "PYTHONPATH": str(BENCH.parent)}
    out = subprocess.run(
        [sys.executable, "-m", "bench.first_call"],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=True,
        preexec_fn=_on(CLIENT_CPUS),
    )
    result: Dict[str, float] = json.loads(out.stdout)
    return result


def run_sse(events: int, cwd: str) -> Dict[str, float]:
    """One run of :mod:`bench.sse_bench`, in this repository's interpreter."""
    env = {**_clean_env(), "PYTHONPATH": str(BENCH.parent)}
    out = subprocess.run(
        [sys.executable, "-m", "bench.sse_bench", "--events", str(events)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=True,
        preexec_fn=_on(CLIENT_CPUS),
    )
    result: Dict[str, float] = json.loads(out.stdout)
    return result


def run_media(size: int, cwd: str) -> Dict[str, Any]:
    """One run of :mod:`bench.media_bench` (upload and download of ``size`` bytes, every
    transport, each client in its own interpreter; the RSS growth of each)."""
    env = {**_clean_env(), "PYTHONPATH": str(BENCH.parent)}
    out = subprocess.run(
        [sys.executable, "-m", "bench.media_bench", "--size", str(size), "--control"],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(BENCH.parent),
        check=False,
        preexec_fn=_on(CLIENT_CPUS),
    )
    result: Dict[str, Any] = json.loads(out.stdout.splitlines()[0])
    return result


def run_memory(spec: Dict[str, Any], cwd: str) -> Dict[str, Any]:
    """One run of :mod:`bench.memory_bench` (each case in its own fresh interpreter)."""
    env = {**_clean_env(), "PYTHONPATH": str(BENCH.parent)}
    cmd = [
        sys.executable, "-m", "bench.memory_bench",
        "--bomb-mib", str(spec["bomb_mib"]), "--reply-mib", str(spec["reply_mib"]),
        *([] if spec["floor_bomb"] else ["--no-floor-bomb"]),
    ]  # fmt: skip
    out = subprocess.run(
        cmd, capture_output=True, text=True, env=env, cwd=cwd, check=True,
        preexec_fn=_on(CLIENT_CPUS),
    )  # fmt: skip
    result: Dict[str, Any] = json.loads(out.stdout)
    return result


def running_order(clients: Sequence[Client], r: int) -> List[Client]:
    """Round ``r``'s order: each of ours right beside its floor (first one, then the other,
    by round), the pairs and the peers rotated one place per round."""
    groups: List[List[Client]] = []
    for c in clients:
        if groups and c.env == "ours" and groups[-1][-1].name == c.floor:
            groups[-1].append(c)
        else:
            groups.append([c])
    groups = groups[r % len(groups) :] + groups[: r % len(groups)]
    return [c for g in groups for c in (g if r % 2 == 0 else g[::-1])]


# --- aggregating -------------------------------------------------------------------------------


def _median(values: Sequence[float]) -> Optional[float]:
    return statistics.median(values) if values else None


def summarize(runs: Dict[str, List[Dict[str, Any]]]) -> Dict[str, Dict[str, Any]]:
    """Per client and workload: medians of CPU per unit, rate, server share, memory, checks."""
    summary: Dict[str, Dict[str, Any]] = {}
    for name, client_runs in runs.items():
        per: Dict[str, Any] = {}
        workloads = {w for r in client_runs for w in r.get("results", {})}
        for w in sorted(workloads):
            rs = [r["results"][w] for r in client_runs if w in r.get("results", {})]
            entry: Dict[str, Any] = {
                "runs": len(rs),
                "checks_ok": sum(1 for r in rs if r["checksum_ok"]),
                "unit": rs[0]["unit"],
            }
            if w == "hold":
                entry["per_stream_bytes"] = _median([r["per_stream_bytes"] for r in rs])
            else:
                entry["cpu_per_unit_s"] = _median([r["cpu_s"] / r["count"] for r in rs])
                entry["per_s"] = _median([r["count"] / r["wall_s"] for r in rs])
                entry["server_share"] = _median([r["server"]["cpu_s"] / r["cpu_s"] for r in rs])
            per[w] = entry
        errors = [r["error"] for r in client_runs if "error" in r]
        summary[name] = {"workloads": per, "errors": errors}
    return summary


def _value(summary: Dict[str, Any], client: str, workload: str) -> Optional[float]:
    entry = summary.get(client, {}).get("workloads", {}).get(workload)
    if not entry:
        return None
    value: Optional[float] = entry.get("cpu_per_unit_s", entry.get("per_stream_bytes"))
    return value


def ratio(summary: Dict[str, Any], client: str, floor: str, workload: str) -> Optional[float]:
    """``client``'s median over ``floor``'s, for one workload."""
    a, b = _value(summary, client, workload), _value(summary, floor, workload)
    return a / b if a is not None and b else None


def _per_unit(run: Dict[str, Any], workload: str) -> Optional[float]:
    result = run.get("results", {}).get(workload)
    if not result:
        return None
    value: float = result.get("per_stream_bytes") or result["cpu_s"] / result["count"]
    return value


def paired(
    runs: Dict[str, List[Dict[str, Any]]], client: str, floor: str, workload: str
) -> Optional[float]:
    """The median, over rounds, of ``client``'s figure over ``floor``'s in the same round.

    Runs of one round are minutes apart at most, so this cancels slow spells of a shared
    machine that the ratio of medians does not; it is shown beside it, not instead of it.
    """
    ratios = []
    for a, b in zip(runs.get(client, []), runs.get(floor, [])):
        x, y = _per_unit(a, workload), _per_unit(b, workload)
        if x is not None and y:
            ratios.append(x / y)
    return _median(ratios)


def targets(
    summary: Dict[str, Any],
    runs: Dict[str, List[Dict[str, Any]]],
    imports: Dict[str, float],
    sse: Dict[str, float],
    first_calls: Dict[str, float],
) -> List[Dict[str, Any]]:
    """Every target of the issue, with the measured figure and PASS/FAIL (None: not measured)."""
    out: List[Dict[str, Any]] = []

    def add(
        name: str,
        value: Optional[float],
        limit: float,
        fmt: str,
        below: bool = True,
        pair: Optional[Tuple[str, str, str]] = None,
    ) -> None:
        entry: Dict[str, Any] = {"target": name, "limit": limit, "format": fmt}
        if pair:  # judged on the paired ratio; the ratio of medians is shown beside it
            entry["of_medians"], value = value, paired(runs, *pair)
        ok = None if value is None else (value <= limit if below else value >= limit)
        if ok and "below" in name:
            ok = value is not None and value < limit
        entry.update(value=value, passed=ok)
        out.append(entry)

    add(
        "non-streaming CPU/request, ours httpx / floor httpx",
        ratio(summary, "ours httpx", "floor httpx", "seq"),
        1.10,
        "{:.2f}x",
        pair=("ours httpx", "floor httpx", "seq"),
    )
    for ours, floor in (
        ("ours httpx-async", "floor httpx-async"),
        ("ours httpx-trio", "floor httpx-trio"),
    ):
        add(
            f"creates at 50 in flight, CPU/request, {ours} / {floor}",
            ratio(summary, ours, floor, "conc"),
            0.75,
            "{:.2f}x",
            pair=(ours, floor, "conc"),
        )
    for ours, floor in (("ours httpx", "floor httpx"), ("ours httpx-async", "floor httpx-async")):
        for w in ("stream1", "stream10"):
            add(
                f"streaming CPU/chunk ({w}), {ours} / {floor}",
                ratio(summary, ours, floor, w),
                1.10,
                "{:.2f}x",
                pair=(ours, floor, w),
            )
    for w, limit in (("conc", 1.00), ("stream1", 1.15), ("stream10", 1.15)):
        add(
            f"aiohttp CPU/unit ({w}), ours aiohttp / floor aiohttp",
            ratio(summary, "ours aiohttp", "floor aiohttp", w),
            limit,
            "{:.2f}x",
            pair=("ours aiohttp", "floor aiohttp", w),
        )
    for w in ("conc", "stream1", "stream10"):
        r = ratio(summary, "ours aiohttp", "ours httpx-async", w)
        add(
            f"aiohttp below httpx-async ({w}), ours aiohttp / ours httpx-async",
            r,
            1.0,
            "{:.2f}x",
            pair=("ours aiohttp", "ours httpx-async", w),
        )
    add(
        "SSE decoder, small events/s",
        sse.get("decoder_events_per_s"),
        400_000,
        "{:,.0f}/s",
        below=False,
    )
    add("SSE decoder, one 8 MiB event (64 KiB reads)", sse.get("big_8mib_64k_s"), 0.100, "{:.3f} s")
    reference_import = imports.get("reference: import httpx; from pydantic import BaseModel")
    ours_import = imports.get("ours: from meshapi import ...")
    add(
        "import, ours / import httpx; from pydantic import BaseModel",
        ours_import / reference_import if ours_import and reference_import else None,
        1.20,
        "{:.2f}x",
    )
    for name, added in sorted(first_calls.items()):
        add(f"first call of a never-used resource, {name}", added / 1000, 0.020, "{:.3f} s")
    for ours, floor in (
        ("ours aiohttp", "floor aiohttp"),
        ("ours httpx-async", "floor httpx-async"),
    ):
        a, b = _value(summary, ours, "hold"), _value(summary, floor, "hold")
        extra = None if a is None or b is None else (a - b) / 1024
        add(
            f"memory per open stream beyond the transport, {ours} - {floor}",
            extra,
            20.0,
            "{:.1f} KiB",
        )
    return out


def _paired_wall(runs: Dict[str, List[Dict[str, Any]]], client: str, base: str) -> Optional[float]:
    """The median over rounds of ``client``'s latency wall time over ``base``'s."""
    ratios = [
        a["wall_s"] / b["wall_s"]
        for a, b in zip(runs.get(client, []), runs.get(base, []))
        if "wall_s" in a and "wall_s" in b
    ]
    return _median(ratios)


def _paired_cold(cold: Dict[str, List[float]], label: str) -> Optional[float]:
    """The median of ``label``'s cold starts over the floor's taken beside them."""
    ratios = [a / b for a, b in zip(cold.get(label, []), cold.get(wire.COLD_FLOOR, [])) if b]
    return _median(ratios)


def wire_targets(data: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The targets of :mod:`bench.wire`: connections and wall time over TLS, cold start."""
    out: List[Dict[str, Any]] = []
    latency = data.get("latency_runs") or {}
    cold = data.get("cold_runs") or {}

    def add(name: str, value: Optional[float], limit: float, fmt: str) -> None:
        ok = None if value is None else value <= limit
        out.append({"target": name, "limit": limit, "format": fmt, "value": value, "passed": ok})

    for client in ("ours httpx", "ours httpx-async", "ours aiohttp"):
        counts = [r["connections"] for r in latency.get(client, []) if "connections" in r]
        add(
            f"new connections for {wire.STREAMS} sequential streams (most in any round), {client}",
            max(counts) if counts else None,
            2,
            "{:.0f}",
        )
    add(f"{wire.STREAMS} streams over TLS at {wire.DELAY * 1000:.0f} ms each way, wall time, "
        "ours httpx / openai", _paired_wall(latency, "ours httpx", "openai"), 0.6, "{:.2f}x")
    add(f"{wire.STREAMS} streams over TLS at {wire.DELAY * 1000:.0f} ms each way, wall time, "
        "ours httpx-async / openai async",
        _paired_wall(latency, "ours httpx-async", "openai async"), 1.0, "{:.2f}x")  # fmt: skip
    add(
        "cold start (import, construct, first create), ours / the floor",
        _paired_cold(cold, wire.COLD[1][0]),
        1.20,
        "{:.2f}x",
    )
    return out


def wire_tables(data: Dict[str, Any]) -> str:
    """The latency and cold-start figures, every client side by side."""
    latency = data.get("latency_runs") or {}
    cold = data.get("cold_runs") or {}
    lines: List[str] = []
    if any(latency.values()):
        lines += [
            f"\n**{wire.STREAMS} sequential streams over TLS, {wire.DELAY * 1000:.0f} ms each way "
            "(a fresh client; median of rounds)**\n",
            "| client | wall time | ratio to openai (same kind) | new connections (median / most) | checks |",
            "|---|---:|---:|---:|---:|",
        ]
        for label, _, _, _, asynchronous in wire.LATENCY:
            rs = [r for r in latency.get(label, []) if "wall_s" in r]
            if not rs:
                errors = [r["error"] for r in latency.get(label, []) if "error" in r]
                lines.append(f"| {label} | {'failed: ' + str(errors[0]) if errors else 'unavailable'} | | | |")
                continue
            base = "openai async" if asynchronous else "openai"
            r = _paired_wall(latency, label, base)
            conns = [x["connections"] for x in rs]
            wall = statistics.median(x["wall_s"] for x in rs)
            checks = f"{sum(1 for x in rs if x['checksum_ok'])}/{len(rs)}"
            lines.append(
                f"| {label} | {wall * 1000:,.0f} ms | {'-' if r is None else f'{r:.2f}x'} "
                f"| {statistics.median(conns):.0f} / {max(conns)} | {checks} |"
            )
    if any(cold.values()):
        lines += [
            "\n**cold start: import, construct, first create, in a fresh interpreter (median)**\n",
            "| client | time | ratio to the floor (paired) |",
            "|---|---:|---:|",
        ]
        for label, _, _ in wire.COLD:
            if not cold.get(label):
                lines.append(f"| {label} | unavailable | |")
                continue
            r = _paired_cold(cold, label)
            lines.append(
                f"| {label} | {statistics.median(cold[label]) * 1000:.0f} ms "
                f"| {'-' if r is None else f'{r:.2f}x'} |"
            )
    return "\n".join(lines)


def memory_targets(memory: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The bounds on peak memory (see :mod:`bench.memory_bench`)."""
    out: List[Dict[str, Any]] = []
    if not memory:
        return out
    clients = memory["clients"]
    bomb, reply = memory["bomb_mib"], memory["reply_mib"]

    def add(name: str, value: Optional[float], limit: float, fmt: str) -> None:
        ok = None if value is None else value <= limit
        out.append({"target": name, "limit": limit, "format": fmt, "value": value, "passed": ok})

    def beyond(client: str, case: str) -> Optional[float]:
        value = clients.get(client, {}).get(case, {}).get("beyond_baseline")
        return None if value is None else value / (1 << 20)

    for client in ("ours httpx", "ours httpx-async", "ours aiohttp"):
        # refused after max_response_size (256 MiB by default), plus one decoded piece
        add(f"{bomb} MiB gzip bomb refused, peak RSS beyond baseline, {client}",
            beyond(client, "bomb"), 256 + 64, "{:.0f} MiB")  # fmt: skip
        add(f"the same with max_response_size 16 MiB, {client}",
            beyond(client, "bomb-16"), 16 + 16, "{:.0f} MiB")  # fmt: skip
        value = beyond(client, "reply")
        add(f"{reply} MiB reply read, peak RSS beyond baseline / the reply, {client}",
            None if value is None else value / reply, 4.0, "{:.2f}x")  # fmt: skip
    return out


# --- printing ----------------------------------------------------------------------------------

WORKLOADS = {
    "seq": "sequential chat completions",
    "conc": "chat completions, 50 in flight (trio rows: the same under trio)",
    "stream1": "one stream",
    "stream10": "ten streams",
    "hold": "streams open at once",
}


def _fmt_unit(seconds: Optional[float]) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1e6:,.1f} us"


def table(
    summary: Dict[str, Any],
    runs: Dict[str, List[Dict[str, Any]]],
    sizes: Dict[str, Any],
    imports: Dict[str, float],
    sse: Dict[str, float],
) -> str:
    """The results as Markdown tables."""
    lines: List[str] = []
    floors = {c.name: c.floor for c in CLIENTS}
    for group, label in ((False, "sync"), (True, "async")):
        spec = sizes["async" if group else "sync"]
        for w in spec:
            size = spec[w]
            what = f"{size:,}" if isinstance(size, int) else " x ".join(f"{v:,}" for v in size)
            if w == "conc":
                what = f"{size[0]:,}"
            lines.append(f"\n**{label}: {WORKLOADS[w]} ({what})**\n")
            if w == "hold":
                lines.append("| client | memory per open stream | beyond its floor | checks |")
                lines.append("|---|---:|---:|---:|")
            else:
                unit = "request" if w in ("seq", "conc") else "chunk"
                lines.append(
                    f"| client | CPU per {unit} | ratio to floor | {unit}s/s | server CPU / client CPU | checks |"
                )
                lines.append("|---|---:|---:|---:|---:|---:|")
            for c in CLIENTS:
                if c.asynchronous != group:
                    continue
                entry = summary.get(c.name, {}).get("workloads", {}).get(w)
                if not entry and c.kind.endswith("-trio") and w != "conc":
                    continue  # under trio only the concurrent creates run
                if not entry:
                    errors = summary.get(c.name, {}).get("errors")
                    why = "unavailable" if not errors else f"failed: {errors[0]}"
                    lines.append(
                        f"| {c.name} | {why} | | | | |"
                        if w != "hold"
                        else f"| {c.name} | {why} | | |"
                    )
                    continue
                checks = f"{entry['checks_ok']}/{entry['runs']}"
                if w == "hold":
                    b = _value(summary, c.floor, w)
                    extra = (
                        "-" if b is None else f"{(entry['per_stream_bytes'] - b) / 1024:+.1f} KiB"
                    )
                    lines.append(
                        f"| {c.name} | {entry['per_stream_bytes'] / 1024:.1f} KiB | {extra} | {checks} |"
                    )
                else:
                    r = paired(runs, c.name, floors[c.name], w) or 0.0
                    lines.append(
                        f"| {c.name} | {_fmt_unit(entry['cpu_per_unit_s'])} | {r:.2f}x | {entry['per_s']:,.0f} "
                        f"| {entry['server_share']:.2f} | {checks} |"
                    )
    lines.append("\n**import time, fresh interpreters (median)**\n")
    lines.append("| import | time | ratio to `import httpx; from pydantic import BaseModel` |")
    lines.append("|---|---:|---:|")
    reference = imports.get("reference: import httpx; from pydantic import BaseModel")
    for label, _, _ in IMPORTS:
        if label not in imports:
            lines.append(f"| {label} | unavailable | |")
            continue
        times = f"{imports[label] / reference:.2f}x" if reference else "-"
        lines.append(f"| {label} | {imports[label] * 1000:.1f} ms | {times} |")
    if sse:
        lines.append("\n**SSE decoder alone (median)**\n")
        lines.append("| measure | value |")
        lines.append("|---|---:|")
        lines.append(
            f"| small events, `SSEDecoder` | {sse['decoder_events_per_s']:,.0f} events/s |"
        )
        if "decoder_data_events_per_s" in sse:  # runs before issue 21's per-chunk work lack it
            lines.append(
                f"| small events, `SSEDecoder.feed_data` | {sse['decoder_data_events_per_s']:,.0f} events/s |"
            )
        lines.append(
            f"| small events, minimal `data:` splitter (floor) | {sse['splitter_events_per_s']:,.0f} events/s |"
        )
        for mib in (1, 8):
            lines.append(
                f"| one {mib} MiB event, 64 KiB / 4 KiB reads | {sse[f'big_{mib}mib_64k_s'] * 1000:.1f} ms"
                f" / {sse[f'big_{mib}mib_4k_s'] * 1000:.1f} ms |"
            )
    return "\n".join(lines)


def memory_table(memory: Dict[str, Any]) -> str:
    """Peak RSS of the bomb and the large reply, per client, beyond its baseline."""
    if not memory:
        return ""
    bomb, reply = memory["bomb_mib"], memory["reply_mib"]
    lines = [
        f"\n**peak memory: a {bomb} MiB gzip bomb, a {reply} MiB reply (fresh interpreters)**\n",
        "| client | case | outcome | peak RSS | beyond its baseline |",
        "|---|---|---|---:|---:|",
    ]
    labels = {
        "small": "baseline: one small reply",
        "bomb": f"{bomb} MiB gzip bomb",
        "bomb-16": f"{bomb} MiB gzip bomb, max_response_size 16 MiB",
        "reply": f"{reply} MiB reply",
    }
    for client, cases in memory["clients"].items():
        for case, figure in cases.items():
            if "peak_rss" not in figure:
                lines.append(f"| {client} | {labels[case]} | failed: {figure.get('error')} | | |")
                continue
            extra = figure.get("beyond_baseline")
            more = "-" if extra is None or case == "small" else f"{extra / (1 << 20):+,.0f} MiB"
            lines.append(
                f"| {client} | {labels[case]} | {figure['outcome']} "
                f"| {figure['peak_rss'] / (1 << 20):,.0f} MiB | {more} |"
            )
    return "\n".join(lines)


def target_lines(results: List[Dict[str, Any]]) -> str:
    """The targets as PASS/FAIL lines."""
    lines = []
    for t in results:
        verdict = {True: "PASS", False: "FAIL", None: "N/A "}[t["passed"]]
        value = "not measured" if t["value"] is None else t["format"].format(t["value"])
        bound = (
            ("<=" if t["target"].find("events/s") < 0 else ">=")
            + " "
            + t["format"].format(t["limit"])
        )
        if "below httpx-async" in t["target"]:
            bound = "< 1.00x"
        extra = ""
        if t.get("of_medians") is not None:
            extra = f"; ratio of medians {t['format'].format(t['of_medians'])}"
        lines.append(f"{verdict}  {t['target']}: {value} (target {bound}{extra})")
    return "\n".join(lines)


def machine() -> Dict[str, Any]:
    """Facts about this machine and interpreter."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# --- main --------------------------------------------------------------------------------------


def measure(mode_name: str, rounds: int, args: argparse.Namespace) -> Dict[str, Any]:
    """Run every client, import and decoder measurement; everything the report is made of."""
    sizes = SIZES[mode_name]
    peer_rounds = min(rounds, sizes["peer_rounds"])
    started = time.perf_counter()
    pythons: Dict[str, Optional[str]] = {"ours": sys.executable}
    for peer in PEERS:
        pythons[peer] = None if args.no_peers else peer_python(peer, args.upgrade_peers)
    clients = [c for c in CLIENTS if not args.only or any(o in c.name for o in args.only)]

    runs: Dict[str, List[Dict[str, Any]]] = {c.name: [] for c in clients}
    import_times: Dict[str, List[float]] = {label: [] for label, _, _ in IMPORTS}
    sse_runs: List[Dict[str, float]] = []
    first_call_runs: List[Dict[str, float]] = []
    memory: Dict[str, Any] = {}
    media: Dict[str, Any] = {}
    latency_runs: Dict[str, List[Dict[str, Any]]] = {label: [] for label, *_ in wire.LATENCY}
    cold_runs: Dict[str, List[float]] = {label: [] for label, _, _ in wire.COLD}
    server, port = start_server()
    tls_server: Optional[subprocess.Popen[str]] = None
    try:
        with tempfile.TemporaryDirectory() as cwd, contextlib.ExitStack() as stack:
            for _, env, statement in IMPORTS:  # untimed: writes the byte code cache
                python = pythons[env]
                if python is not None:
                    time_import(python, statement, cwd)
            proxy: Optional[wire.DelayProxy] = None
            if args.wire:
                certs = wire.make_certificates(Path(cwd))
                tls_server, tls_port = wire.start_tls_server(certs, SERVER_CPUS)
                proxy = stack.enter_context(wire.DelayProxy(tls_port))
                for _, env, code in wire.COLD:  # untimed: writes the byte code cache
                    python = pythons[env]
                    if python is not None:
                        wire.time_cold(python, code, f"http://127.0.0.1:{port}", cwd)
            for r in range(rounds):
                for c in running_order(clients, r):
                    python = pythons[c.env]
                    if python is None or (c.env != "ours" and r >= peer_rounds):
                        continue
                    spec = sizes["async" if c.asynchronous else "sync"]
                    if c.kind.endswith("-trio"):  # trio: the concurrent creates only
                        spec = {"conc": spec["conc"]}
                    t0 = time.perf_counter()
                    runs[c.name].append(run_client(python, c, port, spec, cwd))
                    print(
                        f"round {r + 1}/{rounds}: {c.name} ({time.perf_counter() - t0:.1f} s)",
                        file=sys.stderr,
                        flush=True,
                    )
                for _ in range(sizes["imports_per_round"]):
                    for label, env, statement in IMPORTS:
                        python = pythons[env]
                        if python is not None and (env == "ours" or r < peer_rounds):
                            import_times[label].append(time_import(python, statement, cwd))
                sse_runs.append(run_sse(sizes["sse_events"], cwd))
                first_call_runs.append(run_first_calls(cwd))
                if proxy is not None:
                    streams, chunks = sizes["latency"]
                    order = list(wire.LATENCY)
                    order = order[r % len(order) :] + order[: r % len(order)]
                    for label, script, kind, env, _ in order:
                        python = pythons[env]
                        if python is not None:
                            latency_runs[label].append(
                                wire.run_latency(
                                    python, script, kind, proxy, certs["ca"], cwd, CLIENT_CPUS,
                                    streams, chunks,
                                )
                            )  # fmt: skip
                    print(f"round {r + 1}/{rounds}: latency", file=sys.stderr, flush=True)
                    for _ in range(sizes["cold_per_round"]):
                        for label, env, code in wire.COLD:
                            python = pythons[env]
                            if python is not None:
                                cold_runs[label].append(wire.time_cold(
                                    python, code, f"http://127.0.0.1:{port}", cwd, CLIENT_CPUS
                                ))  # fmt: skip
            if args.memory:  # once per run: peak RSS varies little, and a bomb takes a while
                print("memory: gzip bomb and large reply ...", file=sys.stderr, flush=True)
                memory = run_memory(sizes["memory"], cwd)
                print("memory: a large upload and download ...", file=sys.stderr, flush=True)
                media = run_media(sizes["media_bytes"], cwd)
    finally:
        for proc in (server, tls_server):
            if proc is not None:
                proc.terminate()
                proc.wait()
    return {
        "latency_runs": latency_runs,
        "cold_runs": cold_runs,
        "media": media,
        "mode": mode_name,
        "rounds": rounds,
        "peer_rounds": peer_rounds,
        "sizes": sizes,
        "machine": machine(),
        "elapsed_s": time.perf_counter() - started,
        "versions": {
            name: next((r["versions"] for r in rs if "versions" in r), None)
            for name, rs in runs.items()
        },
        "runs": runs,
        "import_runs": import_times,
        "sse_runs": sse_runs,
        "first_call_runs": first_call_runs,
        "memory": memory,
    }


def report(data: Dict[str, Any]) -> Tuple[str, Dict[str, Any]]:
    """The Markdown report of a measurement, and its medians and verdicts for the JSON."""
    runs = data["runs"]
    summary = summarize(runs)
    imports = {k: statistics.median(v) for k, v in data["import_runs"].items() if v}
    sse_runs = data["sse_runs"]
    sse = {k: statistics.median(r[k] for r in sse_runs) for k in sse_runs[0]} if sse_runs else {}
    memory = data.get("memory") or {}
    first_calls = {
        k: statistics.median(r[k] for r in data.get("first_call_runs", []))
        for k in (data.get("first_call_runs") or [{}])[0]
    }
    verdicts = targets(summary, runs, imports, sse, first_calls) + memory_targets(memory)
    verdicts += wire_targets(data)
    media = data.get("media")
    if media:
        for row in media["results"]:
            if row["operation"] == "control":
                continue
            growth = row.get("growth")
            verdicts.append(
                {
                    "target": f"memory, {row['operation']} of {row['bytes'] / 1024**2:,.0f} MiB "
                    f"through {row['kind']}: RSS growth",
                    "limit": media["limit"] / 1024**2,
                    "format": "{:.1f} MiB",
                    "value": None if growth is None else growth / 1024**2,
                    "passed": growth is not None and growth < media["limit"] and row["ok"],
                }
            )
    facts = data["machine"]
    versions: Dict[str, str] = {}
    for found in data["versions"].values():
        versions.update(found or {})
    lines = [
        f"# MeshAPI SDK benchmarks: {data['mode']} mode, medians of {data['rounds']} rounds "
        f"({data['peer_rounds']} for the peer SDKs)\n",
        f"Machine: {facts['nproc']} cores, {facts['cpu']}; Python {facts['python']}; "
        f"{facts['platform']}",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())),
        table(summary, runs, data["sizes"], imports, sse),
        wire_tables(data),
        memory_table(memory),
        *(
            [
                "\n**Large bodies in constant memory** (`bench/media_bench.py`)\n",
                media_table(media["results"], media["limit"]),
            ]
            if media
            else []
        ),
        "\n**Targets**\n",
        "```",
        target_lines(verdicts),
        "```",
    ]
    bad = [
        n
        for n, s in summary.items()
        for e in s["workloads"].values()
        if e["checks_ok"] != e["runs"]
    ]
    lines.append(
        "\nEvery run received exactly what the server sent: "
        + ("yes." if not bad else "NO: " + ", ".join(sorted(set(bad))))
    )
    shares = [
        e["server_share"]
        for s in summary.values()
        for e in s["workloads"].values()
        if "server_share" in e
    ]
    if shares:
        lines.append(
            f"The server used at most {max(shares):.0%} of the CPU of the client it served."
        )
    lines.append(f"The run took {data['elapsed_s']:.0f} s.")
    medians = {
        "summary": summary,
        "imports": imports,
        "sse": sse,
        "targets": verdicts,
        "ok": not bad,
    }
    return "\n".join(lines), medians


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parse the command line, run everything (or reread a run), print the report, save JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--quick", action="store_const", dest="mode", const="quick", help="about a minute (default)"
    )
    mode.add_argument(
        "--full",
        action="store_const",
        dest="mode",
        const="full",
        help="the issue's sizes, 5 rounds",
    )
    mode.add_argument(
        "--report", metavar="JSON", help="print the report of a saved run, run nothing"
    )
    parser.add_argument("--rounds", type=int, help="override the number of rounds")
    parser.add_argument("--only", nargs="*", help="run only the clients whose names contain these")
    parser.add_argument("--no-peers", action="store_true", help="skip the peer SDKs")
    parser.add_argument("--upgrade-peers", action="store_true", help="reinstall the latest peers")
    parser.add_argument(
        "--no-memory",
        dest="memory",
        action="store_false",
        help="skip the peak-memory figures (gzip bomb, large reply, large upload and download)",
    )
    parser.add_argument(
        "--no-wire",
        dest="wire",
        action="store_false",
        help="skip the latency over TLS through a delay and the cold starts (bench/wire.py)",
    )
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    args = parser.parse_args(argv)
    if args.report:
        text, medians = report(json.loads(Path(args.report).read_text()))
        print(text)
        return 0 if medians["ok"] else 1
    mode_name = args.mode or "quick"
    data = measure(mode_name, args.rounds or SIZES[mode_name]["rounds"], args)
    text, medians = report(data)
    print("\n" + text)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**data, **medians}, indent=1))
    print(f"Wrote {out}")
    return 0 if medians["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
