"""The SSE decoder alone (:class:`meshapi_core.sse.SSEDecoder`), in this process.

Prints one JSON object: the rate on many small events (real chunk frames fed in 64 KiB
pieces, as a socket delivers them), through ``feed`` and through ``feed_data`` (each event's
data alone, as the stream machine reads a stream of one model), the same input through the
floor's minimal ``data:`` splitter for comparison, and the time to decode one large event
(1 and 8 MiB, in 64 KiB pieces and in 4 KiB pieces), whose ratio shows the decoder is linear.

Run: ``python -m bench.sse_bench [--events N]``.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Callable, Dict, List, Tuple

from meshapi_core.sse import SSEDecoder

FRAME = (
    'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1767225600,'
    '"model":"bench/echo","choices":[{"index":0,"delta":{"content":"t%d "},"finish_reason":null}]}'
    "\n\n"
)


def pieces(data: bytes, size: int) -> List[bytes]:
    """``data`` cut into pieces of ``size`` bytes."""
    return [data[i : i + size] for i in range(0, len(data), size)]


def _cpu(fn: Callable[[], int]) -> Tuple[int, float]:
    start = time.process_time()
    count = fn()
    return count, time.process_time() - start


def small_events(n: int) -> Dict[str, float]:
    """Events/s for ``n`` chunk frames, through the decoder and through a minimal splitter."""
    feeds = pieces("".join(FRAME % i for i in range(n)).encode(), 64 * 1024)

    def ours() -> int:
        decoder = SSEDecoder()
        return sum(len(decoder.feed(piece)) for piece in feeds)

    def data_only() -> int:  # what the stream machine calls for a stream of one model
        decoder = SSEDecoder()
        return sum(len(decoder.feed_data(piece)) for piece in feeds)

    def floor() -> int:
        buf, count = b"", 0
        for piece in feeds:
            *frames, buf = (buf + piece).split(b"\n\n")
            count += sum(1 for f in frames if f.startswith(b"data: "))
        return count

    results = {}
    for name, fn in (("decoder", ours), ("decoder_data", data_only), ("splitter", floor)):
        best = float("inf")
        for _ in range(3):
            count, cpu = _cpu(fn)
            assert count == n, (name, count)
            best = min(best, cpu)
        results[f"{name}_events_per_s"] = n / best
    return results


def big_event(mib: int, piece: int) -> float:
    """Seconds to decode one event of ``mib`` MiB fed in pieces of ``piece`` bytes."""
    payload = b"x" * (mib * 1024 * 1024)
    feeds = pieces(b"data: " + payload + b"\n\n", piece)
    best = float("inf")
    for _ in range(3):
        decoder = SSEDecoder(max_event_size=16 * 1024 * 1024)
        start = time.perf_counter()
        events = [e for f in feeds for e in decoder.feed(f)]
        best = min(best, time.perf_counter() - start)
        assert len(events) == 1
        assert len(events[0].data) == len(payload)
    return best


def main() -> None:
    """Run every measurement and print the JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    result: Dict[str, float] = small_events(args.events)
    for mib in (1, 8):
        result[f"big_{mib}mib_64k_s"] = big_event(mib, 64 * 1024)
        result[f"big_{mib}mib_4k_s"] = big_event(mib, 4 * 1024)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
