"""The measuring harness every client script shares (standard library only).

Client scripts run in their own interpreters, some in virtualenvs that hold a peer SDK and
nothing of this repository, so this module imports nothing but the standard library. A
client script defines a small class with ``complete()`` (one chat completion, its content)
and ``stream(n, model)`` (one stream of ``n`` chunks, the content of every chunk), sync or
async, and hands it to :func:`main`, which runs the workloads named on the command line and
prints one JSON object.

Each workload is warmed up, then measured with ``time.process_time()`` (the client process's
CPU) and ``time.perf_counter()`` around the loop and nothing else. Around it, the server's
counters are reset and read (over a separate stdlib connection), and the client's own count
and checksum of what it received are compared with what the server says it sent.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.client
import json
import os
import sys
import time
import zlib
from typing import Any, Awaitable, Callable, Dict, List, Optional

PROMPT = "Say something short."
REPLY_CONTENT = "Hello! This is the benchmark server speaking; every reply is the same."
HOLD_MODEL = "bench-hold"
_MASK = (1 << 64) - 1

Result = Dict[str, Any]


def checksum(parts: List[str]) -> int:
    """The CRC-32 of one reply's (or one stream's) contents, concatenated."""
    return zlib.crc32("".join(parts).encode())


def rss_bytes() -> int:
    """The resident set size of this process, now (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Admin:
    """The server's admin endpoints, over a plain ``http.client`` connection."""

    def __init__(self, port: int) -> None:
        self.port = port

    def call(self, method: str, path: str) -> Dict[str, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path)
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def reset(self) -> None:
        self.call("POST", "/admin/reset")

    def stats(self) -> Dict[str, Any]:
        return self.call("GET", "/admin/stats")

    def prepare(self, n: int) -> None:
        self.call("POST", f"/admin/prepare?n={n}")

    def release(self) -> None:
        self.call("POST", "/admin/release")


def _verdict(kind: str, count: int, total: int, server: Dict[str, Any]) -> Result:
    """Compare what the client got with what the server sent."""
    key = "chunks" if kind == "chunk" else "requests"
    ok = server[key] == count and server["checksum"] == total
    return {"count": count, "unit": kind, "checksum_ok": ok, "server": server}


def _replies(contents: List[str]) -> tuple:
    total = 0
    for content in contents:
        total = (total + checksum([content])) & _MASK
    return len(contents), total


def _streams(streams: List[List[str]]) -> tuple:
    total = 0
    for parts in streams:
        total = (total + checksum(parts)) & _MASK
    return sum(len(p) for p in streams), total


def _measure(fn: Callable[[], Any]) -> tuple:
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - cpu, time.perf_counter() - wall


async def _ameasure(fn: Callable[[], Awaitable[Any]]) -> tuple:
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    out = await fn()
    return out, time.process_time() - cpu, time.perf_counter() - wall


def run_sync(client: Any, spec: Dict[str, Any], admin: Admin) -> Dict[str, Result]:
    """The sync workloads: ``seq`` (sequential requests), ``stream1`` and ``stream10``."""
    results: Dict[str, Result] = {}
    if "seq" in spec:
        n = spec["seq"]
        for _ in range(20):
            client.complete()
        admin.reset()
        out, cpu, wall = _measure(lambda: [client.complete() for _ in range(n)])
        results["seq"] = {
            "cpu_s": cpu,
            "wall_s": wall,
            **_verdict("request", *_replies(out), admin.stats()),
        }
    for name in ("stream1", "stream10"):
        if name not in spec:
            continue
        count, size = spec[name]
        client.stream(100, None)
        admin.prepare(size)
        admin.reset()
        out, cpu, wall = _measure(
            lambda count=count, size=size: [client.stream(size, None) for _ in range(count)]
        )
        results[name] = {
            "cpu_s": cpu,
            "wall_s": wall,
            **_verdict("chunk", *_streams(out), admin.stats()),
        }
    return results


async def _wait_idle(threshold_s: float = 0.005, step_s: float = 0.2) -> None:
    """Wait until the event loop has nothing left to do (CPU stays flat for a while)."""
    while True:
        before = time.process_time()
        await asyncio.sleep(step_s)
        if time.process_time() - before < threshold_s:
            return


async def run_async(client: Any, spec: Dict[str, Any], admin: Admin) -> Dict[str, Result]:
    """The async workloads ``conc`` (requests, some in flight at once), ``stream1`` and
    ``stream10`` (concurrent streams); ``hold`` is :func:`run_hold`."""
    results: Dict[str, Result] = {}
    if "conc" in spec:
        total, inflight = spec["conc"]

        async def batch(count: int) -> List[str]:
            out: List[str] = []
            left = count

            async def worker() -> None:
                nonlocal left
                while left > 0:
                    left -= 1
                    out.append(await client.complete())

            await asyncio.gather(*(worker() for _ in range(inflight)))
            return out

        await batch(inflight)
        admin.reset()
        out, cpu, wall = await _ameasure(lambda: batch(total))
        results["conc"] = {
            "cpu_s": cpu,
            "wall_s": wall,
            **_verdict("request", *_replies(out), admin.stats()),
        }
    for name in ("stream1", "stream10"):
        if name not in spec:
            continue
        count, size = spec[name]
        await client.stream(100, None)
        admin.prepare(size)
        admin.reset()
        out, cpu, wall = await _ameasure(
            lambda count=count, size=size: asyncio.gather(
                *(client.stream(size, None) for _ in range(count))
            )
        )
        results[name] = {
            "cpu_s": cpu,
            "wall_s": wall,
            **_verdict("chunk", *_streams(list(out)), admin.stats()),
        }
    return results


async def run_hold(client: Any, count: int, admin: Admin, wave: int = 50) -> Result:
    """Have ``count`` streams open at once, each with its first chunk in; measure memory.

    Streams are opened in waves of ``wave`` (each wave once the server has sent the last one
    its first chunk), so a pool that scans its queue per request (httpcore's) is not made
    quadratic by a thousand requests queued at the same instant; they are all open together.
    """
    await asyncio.gather(*(client.stream(2, None) for _ in range(10)))
    admin.reset()
    gc.collect()
    await _wait_idle()
    before = rss_bytes()
    tasks: List[asyncio.Future] = []
    deadline = time.perf_counter() + 120
    while len(tasks) < count:
        more = min(wave, count - len(tasks))
        tasks += [asyncio.ensure_future(client.stream(2, HOLD_MODEL)) for _ in range(more)]
        while admin.stats()["held"] < len(tasks):
            if any(t.done() for t in tasks) or time.perf_counter() > deadline:
                raise RuntimeError("streams ended, or did not open, while they were to be held")
            await asyncio.sleep(0.01)
    await _wait_idle()
    gc.collect()
    during = rss_bytes()
    admin.release()
    out = await asyncio.gather(*tasks)
    verdict = _verdict("chunk", *_streams(list(out)), admin.stats())
    return {
        "rss_before": before,
        "rss_open": during,
        "per_stream_bytes": (during - before) / count,
        **verdict,
    }


def expected_stream(n: int) -> str:
    """The contents of a stream of ``n`` chunks, joined (see ``bench/server.py``)."""
    return "".join(f"t{i} " for i in range(n))


def run_latency_sync(client: Any, streams: int, size: int) -> Result:
    """``streams`` sequential streams of ``size`` chunks on a client just made (so the first
    connection's handshakes count): the wall time, and whether every content came."""
    wall = time.perf_counter()
    out = [client.stream(size, None) for _ in range(streams)]
    wall = time.perf_counter() - wall
    ok = all("".join(p or "" for p in parts) == expected_stream(size) for parts in out)
    return {"wall_s": wall, "streams": streams, "checksum_ok": ok}


async def run_latency_async(client: Any, streams: int, size: int) -> Result:
    """:func:`run_latency_sync` for an async client."""
    wall = time.perf_counter()
    out = [await client.stream(size, None) for _ in range(streams)]
    wall = time.perf_counter() - wall
    ok = all("".join(p or "" for p in parts) == expected_stream(size) for parts in out)
    return {"wall_s": wall, "streams": streams, "checksum_ok": ok}


def run_conc_trio(factory: Any, kind: str, base_url: str, spec: Dict[str, Any], admin: Admin) -> Result:
    """The ``conc`` workload under trio (our clients and the floor only: they have trio)."""
    import trio

    total, inflight = spec["conc"]

    async def go() -> Result:
        client = factory(kind, base_url, None)
        try:

            async def batch(count: int) -> List[str]:
                out: List[str] = []
                left = count

                async def worker() -> None:
                    nonlocal left
                    while left > 0:
                        left -= 1
                        out.append(await client.complete())

                async with trio.open_nursery() as nursery:
                    for _ in range(inflight):
                        nursery.start_soon(worker)
                return out

            await batch(inflight)
            admin.reset()
            gc.collect()
            cpu, wall = time.process_time(), time.perf_counter()
            out = await batch(total)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            return {"cpu_s": cpu, "wall_s": wall, **_verdict("request", *_replies(out), admin.stats())}
        finally:
            await client.aclose()

    return trio.run(go)


Factory = Callable[[str, str, Optional[int]], Any]


def main(factory: Factory, kinds: Dict[str, bool]) -> None:
    """Parse ``KIND --port P --spec JSON``, run the workloads, print the results as JSON.

    ``kinds`` maps each kind this script offers to whether it is async. ``factory(kind,
    base_url, pool)`` makes a client: with its library's defaults when ``pool`` is None,
    else able to hold ``pool`` connections (async factories are called inside the loop).
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=sorted(kinds))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--spec", required=True, help="the workloads and their sizes, as JSON")
    parser.add_argument("--base-url", help="where the latency workload goes (over TLS)")
    args = parser.parse_args()
    spec = json.loads(args.spec)
    admin = Admin(args.port)
    base_url = f"http://127.0.0.1:{args.port}"
    if "latency" in spec:  # alone, on a fresh client: no warm-up, no server counters
        streams, size = spec["latency"]
        if kinds[args.kind]:

            async def latency() -> Result:
                client = factory(args.kind, args.base_url, None)
                try:
                    return await run_latency_async(client, streams, size)
                finally:
                    await client.aclose()

            result = asyncio.run(latency())
        else:
            client = factory(args.kind, args.base_url, None)
            try:
                result = run_latency_sync(client, streams, size)
            finally:
                client.close()
        results = {"latency": result}
    elif args.kind.endswith("-trio"):
        results = {"conc": run_conc_trio(factory, args.kind, base_url, spec, admin)}
    elif kinds[args.kind]:

        async def go() -> Dict[str, Result]:
            client = factory(args.kind, base_url, None)
            try:
                results = await run_async(client, spec, admin)
            finally:
                await client.aclose()
            if "hold" in spec:
                client = factory(args.kind, base_url, 2 * spec["hold"])
                try:
                    results["hold"] = await run_hold(client, spec["hold"], admin)
                finally:
                    await client.aclose()
            return results

        results = asyncio.run(go())
    else:
        client = factory(args.kind, base_url, None)
        try:
            results = run_sync(client, spec, admin)
        finally:
            client.close()
    json.dump(
        {
            "kind": args.kind,
            "python": sys.version.split()[0],
            "versions": versions(),
            "results": results,
        },
        sys.stdout,
    )
    print()


def versions() -> Dict[str, Optional[str]]:
    """Versions of the HTTP and SDK packages this interpreter has."""
    from importlib import metadata

    found: Dict[str, Optional[str]] = {}
    for name in (
        "httpx",
        "httpx2",
        "aiohttp",
        "pydantic",
        "openai",
        "meshapi",
        "meshapi-python-sdk",
    ):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
