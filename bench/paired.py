"""The SDK and its floor measured in one process, alternately: small differences, seen clearly.

``python -m bench`` runs every client in its own interpreter, as users run them, and takes
the median of per-round ratios; on a shared virtual machine two interpreters can land on
differently loaded CPUs, which moves a ratio by 10% or more between runs. This measures the
same workloads with the floor and the SDK in one interpreter, in alternating blocks of calls
(``time.process_time()`` around each block), against the same server, and reports the median
of the per-block ratios: what the SDK adds to its transport, with placement cancelled out.

    .venv/bin/python -m bench.paired            # about a minute
    .venv/bin/python -m bench.paired --blocks 9 --calls 3000
    .venv/bin/python -m bench.paired --only chunk   # the streams only
    .venv/bin/python -m bench.paired --only "aiohttp 50"   # aiohttp creates, 50 in flight
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent / "clients"))

import floor

from bench.run import start_server
from meshapi import AsyncMeshAPI, ChatCompletionParams, ChatMessage, MeshAPI


def _params(n: Any = None) -> ChatCompletionParams:
    return ChatCompletionParams(
        model="bench", messages=[ChatMessage(role="user", content="hi")], max_tokens=n
    )


def _median_ratio(ours: List[float], base: List[float]) -> float:
    return statistics.median(o / b for o, b in zip(ours, base))


def _wanted(name: str, only: Sequence[str]) -> bool:
    return not only or any(word in name for word in only)


def sync_pairs(
    base_url: str, blocks: int, calls: int, chunks: int, only: Sequence[str] = ()
) -> Dict[str, float]:
    """Sequential creates and one long stream, the blocking client against raw httpx."""
    raw = floor.HttpxSync(base_url, None)
    client = MeshAPI(base_url=base_url, token="rsk_bench")
    params, streamed = _params(), _params(chunks)

    def ours_create() -> None:
        client.chat.completions.create(params)

    def ours_stream() -> None:
        for _ in client.chat.completions.stream(streamed):
            pass

    out = {}
    for name, a, b, n in (
        ("sync create", ours_create, raw.complete, calls),
        ("sync chunk", ours_stream, lambda: raw.stream(chunks, None), 1),
    ):
        if not _wanted(name, only):
            continue
        times: Dict[str, List[float]] = {"ours": [], "floor": []}
        for fn in (a, b):  # warm
            fn()
        for _ in range(blocks):
            for label, fn in (("floor", b), ("ours", a)):
                start = time.process_time()
                for _ in range(n):
                    fn()
                times[label].append(time.process_time() - start)
        out[name] = _median_ratio(times["ours"], times["floor"])
    client.close()
    raw.close()
    return out


async def _async_pairs(
    base_url: str, transport: str, blocks: int, calls: int, chunks: int, only: Sequence[str] = ()
) -> Dict[str, float]:
    raw: Any = floor.Aiohttp(base_url, None) if transport == "aiohttp" else floor.HttpxAsync(
        base_url, None
    )
    client = AsyncMeshAPI(base_url=base_url, token="rsk_bench", transport=transport)  # type: ignore[arg-type]
    params, streamed = _params(), _params(chunks)

    async def ours_create() -> None:
        await client.chat.completions.create(params)

    async def ours_stream() -> None:
        async for _ in client.chat.completions.stream(streamed):
            pass

    async def floor_stream() -> None:
        await raw.stream(chunks, None)

    def in_flight(one: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[None]]:
        """``calls`` calls of ``one`` from 50 tasks at once (the bench's ``conc``)."""

        async def worker() -> None:
            for _ in range(calls // 50):
                await one()

        async def run() -> None:
            await asyncio.gather(*(worker() for _ in range(50)))

        return run

    out = {}
    pairs: List[Any] = [
        (f"{transport} create", ours_create, raw.complete, calls),
        (f"{transport} 50 in flight", in_flight(ours_create), in_flight(raw.complete), 1),
        (f"{transport} chunk", ours_stream, floor_stream, 1),
    ]
    for name, a, b, n in pairs:
        if not _wanted(name, only):
            continue
        fa: Callable[[], Awaitable[None]] = a
        fb: Callable[[], Awaitable[Any]] = b
        times: Dict[str, List[float]] = {"ours": [], "floor": []}
        await fa()
        await fb()
        for _ in range(blocks):
            for label, fn in (("floor", fb), ("ours", fa)):
                start = time.process_time()
                for _ in range(n):
                    await fn()
                times[label].append(time.process_time() - start)
        out[name] = _median_ratio(times["ours"], times["floor"])
    await client.aclose()
    await raw.aclose()
    return out


def main() -> None:
    """Print each workload's median ratio, ours over the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=7)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument(
        "--only", nargs="+", default=[], metavar="WORD", help="the workloads naming a word"
    )
    args = parser.parse_args()
    server, port = start_server()
    base_url = f"http://127.0.0.1:{port}"
    try:
        ratios = sync_pairs(base_url, args.blocks, args.calls, args.chunks, args.only)
        for transport in ("httpx", "aiohttp"):
            ratios.update(
                asyncio.run(
                    _async_pairs(
                        base_url, transport, args.blocks, args.calls, args.chunks, args.only
                    )
                )
            )
    finally:
        server.terminate()
        server.wait()
    print("| workload | ours / floor (median of paired blocks) |")
    print("|---|---:|")
    for name, ratio in ratios.items():
        print(f"| {name} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
