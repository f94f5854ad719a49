"""What a user pays on the wire and at start-up: latency over TLS through a delay, and a cold
start. Used by :mod:`bench.run` each round; runs alone too:

    .venv/bin/python -m bench.wire --delay-ms 20 --streams 20

**Latency.** The bench server speaks HTTPS (a certificate from a local CA made with
``trustme``; clients trust it through ``SSL_CERT_FILE``) behind a TCP proxy of this module
that holds every piece of data :data:`DELAY` seconds in each direction, so a round trip costs
2 x :data:`DELAY`, as on a real network. The loopback completes a TCP handshake at once, so
the proxy holds the first bytes a client sends on a new connection one round trip more: a new
connection costs what it costs on the network (TCP, then TLS 1.3: two round trips before the
request goes out). A client, just made (so its first handshake counts, as a user's first call
pays it), runs :data:`STREAMS` sequential streams; the figures are its wall time and how many
connections the proxy accepted for it.

**Cold start.** A fresh interpreter (started outside the repository, byte code from the
bench's cache, interpreter start-up left out, as for the import figures) imports the client,
makes it and makes one chat completion against the plain bench server. The floor does the
least a typed client does: ``import httpx; from pydantic import BaseModel``, a model of the
reply, ``httpx.Client()``, one post, ``model_validate_json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

BENCH = Path(__file__).resolve().parent
DELAY = 0.020
"""Seconds each piece of data is held in each direction: a 40 ms round trip."""
STREAMS = 20
CHUNKS = 16


# --- TLS ----------------------------------------------------------------------------------------


def make_certificates(folder: Path) -> Dict[str, str]:
    """A local CA and a certificate for 127.0.0.1 signed by it: ``ca``, ``chain``, ``key``."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    paths = {"ca": folder / "ca.pem", "chain": folder / "chain.pem", "key": folder / "key.pem"}
    ca.cert_pem.write_to_path(str(paths["ca"]))
    cert.private_key_and_cert_chain_pem.write_to_path(str(paths["chain"]))
    cert.private_key_pem.write_to_path(str(paths["key"]))
    return {name: str(path) for name, path in paths.items()}


# --- the delay proxy ------------------------------------------------------------------------------


class DelayProxy:
    """A TCP proxy on 127.0.0.1 that delays each direction by ``delay`` seconds and counts the
    connections it accepts (see the module docs). Runs its own event loop in a thread."""

    def __init__(self, upstream_port: int, delay: float = DELAY) -> None:
        self.upstream_port = upstream_port
        self.delay = delay
        self.connections = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="delay-proxy", daemon=True)
        self._server: Optional[asyncio.AbstractServer] = None

    def __enter__(self) -> DelayProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        loop = asyncio.get_running_loop()
        opened = loop.time()
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        # The loopback's handshake took no time: the client's first flight waits one round
        # trip more, as it would behind a real TCP handshake.
        await asyncio.gather(
            self._pump(reader, up_writer, opened + 2 * self.delay),
            self._pump(up_reader, writer, 0.0),
            return_exceptions=True,
        )

    async def _pump(
        self, source: asyncio.StreamReader, target: asyncio.StreamWriter, not_before: float
    ) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                data = await source.read(65536)
                at = max(loop.time(), not_before) + self.delay
                if not data:
                    loop.call_at(at, target.close)
                    return
                loop.call_at(at, target.write, data)
        except OSError:
            loop.call_soon(target.close)


def start_tls_server(certs: Dict[str, str], cpus: Any = None) -> Tuple[subprocess.Popen[str], int]:
    """The bench server over HTTPS, in its own process; it and its port."""
    from bench.run import _clean_env, _on

    proc = subprocess.Popen(
        [sys.executable, str(BENCH / "server.py"), "--tls", certs["chain"], certs["key"]],
        stdout=subprocess.PIPE,
        text=True,
        env=_clean_env(),
        preexec_fn=_on(cpus),
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


# --- cold start -----------------------------------------------------------------------------------

_FLOOR_COLD = """
import httpx
from pydantic import BaseModel
class Message(BaseModel):
    role: str
    content: str
class Choice(BaseModel):
    index: int
    message: Message
    finish_reason: str
class Completion(BaseModel):
    id: str
    model: str
    choices: list[Choice]
client = httpx.Client()
r = client.post(URL + "/v1/chat/completions", headers={"authorization": "Bearer rsk_bench"},
                json={"model": "bench", "messages": [{"role": "user", "content": "hi"}]})
content = Completion.model_validate_json(r.content).choices[0].message.content
"""
_MESHAPI_COLD = """
from meshapi import MeshAPI, ChatCompletionParams, ChatMessage
client = MeshAPI(base_url=URL, token="rsk_bench")
reply = client.chat.completions.create(
    ChatCompletionParams(model="bench", messages=[ChatMessage(role="user", content="hi")]))
content = reply.choices[0].message.content
"""
_OPENAI_COLD = """
from openai import OpenAI
client = OpenAI(base_url=URL + "/v1", api_key="rsk_bench")
reply = client.chat.completions.create(model="bench", messages=[{"role": "user", "content": "hi"}])
content = reply.choices[0].message.content
"""

COLD: Tuple[Tuple[str, str, str], ...] = (
    ("floor: httpx + pydantic, one post, validate", "ours", _FLOOR_COLD),
    ("ours: MeshAPI, one create", "ours", _MESHAPI_COLD),
    ("meshapi 0.1.11: MeshAPI, one create", "meshapi", _MESHAPI_COLD),
    ("openai: OpenAI, one create", "openai", _OPENAI_COLD),
)
COLD_FLOOR = COLD[0][0]


def time_cold(python: str, code: str, url: str, cwd: str, cpus: Any = None) -> float:
    """Seconds from the first import to the first reply validated, in a fresh interpreter."""
    from bench.run import _clean_env, _on

    program = (
        "import time; _t = time.perf_counter()\n"
        f"URL = {url!r}\n{code}\n"
        "assert content, 'no reply'\nprint(time.perf_counter() - _t)\n"
    )
    out = subprocess.run(
        [python, "-c", program], capture_output=True, text=True, env=_clean_env(), cwd=cwd,
        check=True, preexec_fn=_on(cpus),
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


# --- the latency clients ------------------------------------------------------------------------

# (label, client script, kind, environment, asynchronous)
LATENCY: Tuple[Tuple[str, str, str, str, bool], ...] = (
    ("ours httpx", "ours.py", "httpx", "ours", False),
    ("ours httpx-async", "ours.py", "httpx-async", "ours", True),
    ("ours aiohttp", "ours.py", "aiohttp", "ours", True),
    ("openai", "peer_openai.py", "sync", "openai", False),
    ("openai async", "peer_openai.py", "async", "openai", True),
    ("meshapi 0.1.11", "peer_meshapi.py", "sync", "meshapi", False),
    ("meshapi 0.1.11 async", "peer_meshapi.py", "async", "meshapi", True),
)


def run_latency(
    python: str, script: str, kind: str, proxy: DelayProxy, ca: str, cwd: str, cpus: Any = None,
    streams: int = STREAMS, chunks: int = CHUNKS,
) -> Dict[str, Any]:  # fmt: skip
    """One client's sequential streams through the proxy: wall time, new connections."""
    from bench.run import CLIENTS_DIR, _clean_env, _on

    before = proxy.connections
    env = {**_clean_env(), "SSL_CERT_FILE": ca}
    cmd = [
        python, str(CLIENTS_DIR / script), kind, "--port", "0",
        "--spec", json.dumps({"latency": [streams, chunks]}),
        "--base-url", f"https://127.0.0.1:{proxy.port}",
    ]  # fmt: skip
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=600, preexec_fn=_on(cpus)
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]}
    result: Dict[str, Any] = json.loads(proc.stdout)["results"]["latency"]
    result["connections"] = proxy.connections - before
    return result


def main(argv: Optional[List[str]] = None) -> int:
    """Latency of every available client once, and cold starts, printed as JSON."""
    from bench.run import PEERS, VENVS, start_server

    parser = argparse.ArgumentParser(prog="python -m bench.wire", description=__doc__.split("\n")[0])
    parser.add_argument("--delay-ms", type=float, default=DELAY * 1000)
    parser.add_argument("--streams", type=int, default=STREAMS)
    args = parser.parse_args(argv)
    pythons = {"ours": sys.executable}
    for peer in PEERS:
        python = VENVS / peer / "bin" / "python"
        if python.exists():
            pythons[peer] = str(python)
    out: Dict[str, Any] = {"latency": {}, "cold": {}}
    with tempfile.TemporaryDirectory() as folder:
        certs = make_certificates(Path(folder))
        tls, tls_port = start_tls_server(certs)
        plain, port = start_server()
        try:
            with DelayProxy(tls_port, args.delay_ms / 1000) as proxy:
                for label, script, kind, env, _ in LATENCY:
                    if env in pythons:
                        out["latency"][label] = run_latency(
                            pythons[env], script, kind, proxy, certs["ca"], folder,
                            streams=args.streams,
                        )  # fmt: skip
            for label, env, code in COLD:
                if env in pythons:
                    out["cold"][label] = time_cold(
                        pythons[env], code, f"http://127.0.0.1:{port}", folder
                    )
        finally:
            for proc in (tls, plain):
                proc.terminate()
                proc.wait()
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
