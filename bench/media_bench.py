"""Large bodies in constant memory: a 1 GiB upload and a 1 GiB speech download.

``python -m bench.media_bench --size 1GiB`` measures, for each transport (blocking httpx,
async httpx, aiohttp), how much the client process's resident set grows while it

- **uploads** a file with ``client.rag.upload_file(path)``: ``POST /v1/files``, then the
  ``PUT`` of the whole file to the signed URL, streamed from disk;
- **downloads** a speech body with ``client.audio.synthesize_stream(...).write_to(path)``,
  streamed to disk.

The target is a growth under 32 MiB for each (``--limit``), whatever the size: the SDK holds
a bounded window of the body (256 KiB chunks read from disk, at most 1 MiB gathered before a
write), never the body.

How it measures: a small server (:func:`serve`, raw ``asyncio`` streams, in its own process)
plays the gateway and the storage host: it answers ``POST /v1/files`` with a signed URL on
itself, reads a ``PUT`` to that URL to its end while counting it and taking its CRC-32 (it
keeps nothing), and answers ``POST /v1/audio/speech`` with ``input`` bytes of a fixed
pattern (``"input": "bytes:<n>"``). Each client runs in a fresh interpreter: it makes the
client, warms it up with a 1 MiB run of the same operation (so imports and first-use
allocations are done), then samples its resident set every 5 ms from a thread while it runs
the measured operation, and reports the peak (the larger of the samples and the kernel's
``ru_maxrss``) less the resident set just before. Both sides check the bytes: the server's
count and CRC-32 of the upload against the file's, and the downloaded file's size and CRC
against what the server sent. The upload reads a sparse file (zeros but for a header and a
trailer), so no disk space is spent on it and the page cache, which is not the process's
memory, serves the reads; the download writes a real file, removed afterwards.

Prints one JSON object; ``bench/run.py`` adds the rows to its report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

BENCH = Path(__file__).resolve().parent
PATTERN = bytes(range(256)) * 256  # 64 KiB
KINDS = ("httpx-sync", "httpx-async", "aiohttp")
MIB = 1024 * 1024


def parse_size(text: str) -> int:
    """``"1GiB"``, ``"64MiB"``, ``"1048576"``..."""
    units = {"gib": 1024**3, "mib": MIB, "kib": 1024, "b": 1}
    lower = text.strip().lower()
    for unit, factor in units.items():
        if lower.endswith(unit):
            return int(float(lower[: -len(unit)]) * factor)
    return int(lower)


def pattern_crc(size: int) -> int:
    """The CRC-32 of ``size`` bytes of :data:`PATTERN`, repeated."""
    crc, left = 0, size
    while left > 0:
        piece = PATTERN[: min(left, len(PATTERN))]
        crc = zlib.crc32(piece, crc)
        left -= len(piece)
    return crc


# -- the server ------------------------------------------------------------------------------


class Server:
    """The gateway and storage stand-in; see the module docs."""

    def __init__(self) -> None:
        self.port = 0
        self.uploads: List[Dict[str, int]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ")[:2]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                if method == "PUT":
                    await self._upload(reader, writer, headers)
                    continue
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                if target.startswith("/v1/files"):
                    reply = {
                        "file_id": "file_bench",
                        "signed_url": f"http://127.0.0.1:{self.port}/upload/1?sig=x",
                        "expires_at": "2030-01-01T00:00:00Z",
                    }
                    self._json(writer, reply)
                elif target.startswith("/v1/audio/speech"):
                    size = int(json.loads(body)["input"].split(":", 1)[1])
                    await self._speech(writer, size)
                elif target.startswith("/stats"):
                    self._json(writer, {"uploads": self.uploads})
                else:
                    self._json(writer, {"error": {"code": "not_found", "message": target}}, 404)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _upload(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: Dict[str, str]
    ) -> None:
        crc, count = 0, 0
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                left = size
                while left:
                    data = await reader.read(min(left, 1 << 20))
                    crc, count, left = zlib.crc32(data, crc), count + len(data), left - len(data)
                await reader.readexactly(2)
        else:
            left = int(headers.get("content-length", "0"))
            while left:
                data = await reader.read(min(left, 1 << 20))
                if not data:
                    raise ConnectionError("upload cut short")
                crc, count, left = zlib.crc32(data, crc), count + len(data), left - len(data)
        self.uploads.append(
            {"bytes": count, "crc": crc, "authorization": "authorization" in headers}
        )
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()

    async def _speech(self, writer: asyncio.StreamWriter, size: int) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: %d\r\n\r\n" % size
        )
        left = size
        while left > 0:
            piece = PATTERN[: min(left, len(PATTERN))]
            writer.write(piece)
            left -= len(piece)
            await writer.drain()

    @staticmethod
    def _json(writer: asyncio.StreamWriter, value: Any, status: int = 200) -> None:
        body = json.dumps(value).encode()
        writer.write(
            b"HTTP/1.1 %d X\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
            % (status, len(body), body)
        )


async def serve() -> None:
    """Serve on 127.0.0.1; print the port on the first line of stdout."""
    server = Server()
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0, limit=1 << 20)
    server.port = listener.sockets[0].getsockname()[1]
    print(server.port, flush=True)
    async with listener:
        await listener.serve_forever()


# -- the client ------------------------------------------------------------------------------


def rss() -> int:
    """This process's resident set, in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakSampler:
    """The highest resident set seen by a thread sampling every 5 ms."""

    def __init__(self) -> None:
        self.peak = rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss())

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


def sparse_file(path: Path, size: int) -> int:
    """A file of ``size`` bytes, sparse but for 4 KiB at each end; returns its CRC-32."""
    with open(path, "wb") as f:
        f.write(b"head" * 1024)
        f.truncate(size)
        f.seek(max(4096, size - 4096))
        f.write(b"tail" * 1024)
    crc = 0
    with open(path, "rb") as f:
        while True:
            data = f.read(1 << 20)
            if not data:
                return crc
            crc = zlib.crc32(data, crc)


def file_crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as f:
        while True:
            data = f.read(1 << 20)
            if not data:
                return crc
            crc = zlib.crc32(data, crc)


def server_stats(port: int) -> Dict[str, Any]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/stats")
        result: Dict[str, Any] = json.loads(conn.getresponse().read())
        return result
    finally:
        conn.close()


def run_client(kind: str, operation: str, size: int, port: int, folder: Path) -> Dict[str, Any]:
    """One measured operation in this process; see the module docs."""
    sys.path.insert(0, str(BENCH.parent))
    from meshapi import AsyncMeshAPI, MeshAPI

    base_url, token = f"http://127.0.0.1:{port}", "rsk_bench"
    source = folder / "upload.bin"
    target = folder / "speech.mp3"

    def one(client: Any, n: int) -> Any:
        if operation == "upload":
            return client.rag.upload_file(source if n == size else warm_source)
        if operation == "control":  # the whole body in memory, by design: the measure sees it
            return client.audio.synthesize(input=f"bytes:{n}")
        return client.audio.synthesize_stream(input=f"bytes:{n}").write_to(target)

    warm_source = folder / "warm.bin"
    sparse_file(warm_source, MIB)
    expected_crc = sparse_file(source, size) if operation == "upload" else pattern_crc(size)

    if kind == "httpx-sync":
        client = MeshAPI(
            base_url=base_url, token=token, max_retries=0, max_response_size=size + MIB
        )
        one(client, MIB)
        before = rss()
        started = time.perf_counter()
        with PeakSampler() as sampler:
            one(client, size)
        elapsed = time.perf_counter() - started
        client.close()
    else:

        async def main() -> Tuple[int, int, float]:
            transport = "aiohttp" if kind == "aiohttp" else "httpx"
            async with AsyncMeshAPI(
                base_url=base_url,
                token=token,
                max_retries=0,
                transport=transport,
                max_response_size=size + MIB,
            ) as client:
                await one(client, MIB)
                before = rss()
                started = time.perf_counter()
                with PeakSampler() as sampler:
                    await one(client, size)
                return before, sampler.peak, time.perf_counter() - started

        before, peak, elapsed = asyncio.run(main())

        class _Peak:
            pass

        sampler = _Peak()  # type: ignore[assignment]
        sampler.peak = peak  # type: ignore[attr-defined]
    if operation == "upload":
        last = server_stats(port)["uploads"][-1]
        ok = last["bytes"] == size and last["crc"] == expected_crc and not last["authorization"]
    elif operation == "control":
        ok = True
    else:
        ok = target.stat().st_size == size and file_crc(target) == expected_crc
        target.unlink()
    return {
        "kind": kind,
        "operation": operation,
        "bytes": size,
        "rss_before": before,
        "rss_peak": sampler.peak,
        "growth": sampler.peak - before,
        "seconds": elapsed,
        "ok": ok,
    }


# -- driving it ------------------------------------------------------------------------------


def start_server() -> Tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.media_bench", "--serve"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(BENCH.parent),
    )
    assert server.stdout is not None
    return server, int(server.stdout.readline())


def measure(
    size: int, kinds: Tuple[str, ...] = KINDS, control: bool = False
) -> List[Dict[str, Any]]:
    """Every kind and operation, each in a fresh interpreter, against one server. With
    ``control``, also ``audio.synthesize`` (which returns the whole body as bytes) on the
    blocking client: a row that shows the measure does see a buffered body."""
    results = []
    server, port = start_server()
    operations = [(op, kind) for op in ("upload", "download") for kind in kinds]
    if control:
        operations.append(("control", "httpx-sync"))
    try:
        with tempfile.TemporaryDirectory(prefix="meshapi-media-bench-") as folder:
            for operation, kind in operations:
                out = subprocess.run(
                    [sys.executable, "-m", "bench.media_bench", "--client", kind,
                     "--operation", operation, "--size", str(size), "--port", str(port),
                     "--folder", folder],
                    capture_output=True, text=True, cwd=str(BENCH.parent), check=False,
                )  # fmt: skip
                if out.returncode != 0:
                    results.append({"kind": kind, "operation": operation, "bytes": size,
                                    "ok": False, "error": out.stderr[-2000:]})  # fmt: skip
                else:
                    results.append(json.loads(out.stdout))
    finally:
        server.terminate()
        server.wait()
    return results


def table(results: List[Dict[str, Any]], limit: int) -> str:
    """The Markdown rows of a run."""
    lines = [
        "| operation | client | size | RSS growth | time | throughput | checks |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r["operation"] == "control" and "growth" in r:
            lines.append(
                f"| control: `audio.synthesize` (whole body in memory) | {r['kind']} | "
                f"{r['bytes'] / MIB:,.0f} MiB | {r['growth'] / MIB:.1f} MiB (expected: the body) "
                f"| {r['seconds']:.1f} s | | |"
            )
            continue
        if "growth" not in r:
            lines.append(
                f"| {r['operation']} | {r['kind']} | {r['bytes'] / MIB:,.0f} MiB | failed | | | no |"
            )
            continue
        verdict = "PASS" if r["growth"] < limit and r["ok"] else "FAIL"
        lines.append(
            f"| {r['operation']} | {r['kind']} | {r['bytes'] / MIB:,.0f} MiB | "
            f"{r['growth'] / MIB:.1f} MiB ({verdict}) | {r['seconds']:.1f} s | "
            f"{r['bytes'] / MIB / max(r['seconds'], 1e-9):,.0f} MiB/s | {'ok' if r['ok'] else 'BAD'} |"
        )
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.media_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--size", default="1GiB", help="body size (default 1GiB)")
    parser.add_argument("--limit", default="32MiB", help="the RSS growth target (default 32MiB)")
    parser.add_argument("--only", nargs="*", choices=KINDS, help="run only these clients")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--client", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--control", action="store_true", help="add the buffered control row")
    parser.add_argument(
        "--operation", choices=("upload", "download", "control"), help=argparse.SUPPRESS
    )
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve())
        return 0
    size = parse_size(args.size)
    if args.client:
        print(
            json.dumps(run_client(args.client, args.operation, size, args.port, Path(args.folder)))
        )
        return 0
    limit = parse_size(args.limit)
    results = measure(size, tuple(args.only or KINDS), control=args.control)
    print(json.dumps({"limit": limit, "results": results}))
    print(table(results, limit), file=sys.stderr)
    judged = [r for r in results if r["operation"] != "control"]
    return 0 if all(r.get("ok") and r.get("growth", limit) < limit for r in judged) else 1


if __name__ == "__main__":
    sys.exit(main())
