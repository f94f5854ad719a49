"""Peak memory of hostile and large replies: a 1 GiB gzip bomb refused, a 64 MiB reply read.

Each figure is the peak resident set (``VmHWM``) of a fresh interpreter that makes one
call and exits, less the peak of the same client making one small call in the same run (its
*baseline*: interpreter, imports, client). A server on 127.0.0.1, in this process, answers
``POST /v1/chat/completions`` according to the ``x-bench-case`` header:

- ``bomb``: a JSON reply of 1 GiB of spaces, gzip-compressed to about 1 MiB (``--bomb-mib``);
- ``reply``: a legitimate chat completion whose content is 64 MiB of text (``--reply-mib``);
- ``small``: a small chat completion (the baseline).

The clients: this SDK on each transport with its defaults (``max_response_size`` 256 MiB, so
the bomb is refused after 256 MiB), the same with ``max_response_size`` 16 MiB (``bomb-16``),
and the floor, raw ``httpx`` with ``response.json()``, which reads whatever it is sent.

Run: ``python -m bench.memory_bench`` (about 30 s; it prints one JSON object);
``python -m bench`` runs it once per run and adds its table and targets.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Dict, List, Optional, Tuple

MIB = 1 << 20
CLIENTS = ("ours httpx", "ours httpx-async", "ours aiohttp", "floor httpx")
# (case, what the server sends, the client's max_response_size or None for its default)
CASES: Tuple[Tuple[str, str, Optional[int]], ...] = (
    ("small", "small", None),
    ("bomb", "bomb", None),
    ("bomb-16", "bomb", 16 * MIB),
    ("reply", "reply", None),
)
SMALL = (
    b'{"id":"c","object":"chat.completion","created":1,"model":"bench","choices":[{"index":0,'
    b'"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}'
)


def gzip_bomb(size: int) -> bytes:
    """``size`` bytes of spaces as gzip, built from one compressed MiB repeated: each MiB is
    compressed after a full flush, so every one compresses to the same bytes."""
    block = b" " * MIB
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    again = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    assert piece == again
    count = size // MIB
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = (
        deflate.flush() + crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little")
    )
    return header + piece * count + trailer


def large_reply(size: int) -> bytes:
    """A valid chat completion whose message content is ``size`` bytes of text."""
    head, tail = SMALL.split(b'"hi"')
    return head + b'"' + b"abcdefgh" * (size // 8) + b'"' + tail


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies: ClassVar[Dict[str, Tuple[bytes, bool]]] = {}

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body, gzipped = self.bodies[self.headers.get("x-bench-case", "small")]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client refused the rest: what is being measured
            self.close_connection = True

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a refused bomb resets
            super().handle_error(request, client_address)


def serve(bomb_mib: int, reply_mib: int) -> ThreadingHTTPServer:
    """The server, started in a thread."""
    _Handler.bodies = {
        "small": (SMALL, False),
        "bomb": (gzip_bomb(bomb_mib * MIB), True),
        "reply": (large_reply(reply_mib * MIB), False),
    }
    server = _Server(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- one client, one call, in a fresh interpreter -------------------------------------------


def child(client: str, sent: str, max_size: Optional[int], port: int) -> Dict[str, Any]:
    """Make one call; report the outcome and this process's peak RSS."""
    base_url = f"http://127.0.0.1:{port}"
    headers = {"x-bench-case": sent}
    started = time.perf_counter()
    outcome = _call(client, base_url, headers, max_size)
    return {
        "outcome": outcome,
        "seconds": time.perf_counter() - started,
        "peak_rss": peak_rss(),
    }


def peak_rss() -> int:
    """This process's peak resident set, in bytes: ``VmHWM`` (Linux), which starts afresh at
    ``exec``, unlike ``ru_maxrss``, which keeps the high-water mark of the process that
    spawned this one."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _call(client: str, base_url: str, headers: Dict[str, str], max_size: Optional[int]) -> str:
    messages = [{"role": "user", "content": "hi"}]
    if client == "floor httpx":
        import httpx

        with httpx.Client(timeout=600) as http:
            response = http.post(
                base_url + "/v1/chat/completions",
                json={"model": "bench", "messages": messages},
                headers=headers,
            )
            try:
                reply = response.json()
            except ValueError as exc:
                return f"read {len(response.content):,} bytes, then {type(exc).__name__}"
            return f"ok, {len(reply['choices'][0]['message']['content']):,} characters"

    from meshapi import AsyncMeshAPI, MeshAPI, MeshAPIError

    settings: Dict[str, Any] = {"base_url": base_url, "token": "rsk_bench", "max_retries": 0}
    if max_size is not None:
        settings["max_response_size"] = max_size
    params = {"model": "bench", "messages": messages}
    try:
        if client == "ours httpx":
            with MeshAPI(**settings) as sync:
                reply = sync.chat.completions.create(params, extra_headers=headers)
        else:
            import asyncio

            async def main() -> Any:
                transport = "aiohttp" if client == "ours aiohttp" else "httpx"
                async with AsyncMeshAPI(transport=transport, **settings) as aclient:
                    return await aclient.chat.completions.create(params, extra_headers=headers)

            reply = asyncio.run(main())
    except MeshAPIError as error:
        return f"refused: {type(error).__name__} ({error.error_code})"
    return f"ok, {len(reply.choices[0].message.content or ''):,} characters"


def run_child(client: str, case: Tuple[str, str, Optional[int]], port: int) -> Dict[str, Any]:
    _, sent, max_size = case
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}
    spec = json.dumps([client, sent, max_size, port])
    out = subprocess.run(
        [sys.executable, "-m", "bench.memory_bench", "--child", spec],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1]}
    result: Dict[str, Any] = json.loads(out.stdout)
    return result


def measure(bomb_mib: int = 1024, reply_mib: int = 64, floor_bomb: bool = True) -> Dict[str, Any]:
    """Every client on every case, each in its own interpreter; figures beyond the baseline."""
    server = serve(bomb_mib, reply_mib)
    port = server.server_address[1]
    results: Dict[str, Dict[str, Any]] = {}
    try:
        for client in CLIENTS:
            per: Dict[str, Any] = {}
            for case in CASES:
                if client == "floor httpx" and case[0] == "bomb-16":
                    continue  # the floor has no bound to set
                if client == "floor httpx" and case[0] == "bomb" and not floor_bomb:
                    continue
                per[case[0]] = run_child(client, case, port)
                print(f"memory: {client}, {case[0]}: {per[case[0]]}", file=sys.stderr, flush=True)
            base = per.get("small", {}).get("peak_rss")
            for figure in per.values():
                if base and "peak_rss" in figure:
                    figure["beyond_baseline"] = figure["peak_rss"] - base
            results[client] = per
    finally:
        server.shutdown()
    return {"bomb_mib": bomb_mib, "reply_mib": reply_mib, "clients": results}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory_bench")
    parser.add_argument("--bomb-mib", type=int, default=1024)
    parser.add_argument("--reply-mib", type=int, default=64)
    parser.add_argument("--no-floor-bomb", action="store_true", help="skip the floor's 2 GB run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        client, sent, max_size, port = json.loads(args.child)
        print(json.dumps(child(client, sent, max_size, port)))
        return 0
    print(json.dumps(measure(args.bomb_mib, args.reply_mib, not args.no_floor_bomb)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
