"""The emulator with a rate-limited key on a fast clock, in a process of its own, for the
bulk benchmark (``bench/bulk_bench.py``).

``SystemClock(speed=20)`` runs the emulator's clock 20 times faster than the wall clock, so a
minute's RPM/TPM window lasts 3 s, and the waits it announces (``Retry-After``,
``resets_in_seconds``) are in the client's seconds.

Run as ``python -m bench.bulk_gateway --speed 20 --rpm 600 [--tpm N]``: it prints
``{"url", "token"}`` as one JSON line, then answers commands read from stdin, one a line:
``log`` prints the request log since the last ``log`` as one JSON line (method, path,
status, the emulator clock's time, the ``Idempotency-Key``, the first message's content,
the tokens served); end of input stops it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Optional

from meshapi.testing import Gateway, GatewayServer, SystemClock

__all__ = ["serve"]


def serve(speed: float, rpm: int, tpm: Optional[int] = None) -> None:
    """Serve the emulator with one key limited to ``rpm`` (and ``tpm``) on 127.0.0.1."""
    gateway = Gateway(clock=SystemClock(speed=speed), log_limit=1_000_000)
    token = gateway.add_key(rpm_limit=rpm, tpm_limit=tpm)
    with GatewayServer(gateway).run_in_thread() as url:
        print(json.dumps({"url": url, "token": token, "speed": speed, "rpm": rpm, "tpm": tpm}),
              flush=True)  # fmt: skip
        seen = 0
        for command in sys.stdin:
            if command.strip() != "log":
                continue
            entries = [e for e in gateway.requests if e.seq > seen]
            if entries:
                seen = entries[-1].seq
            out = []
            for e in entries:
                content = None
                if isinstance(e.json, dict) and e.json.get("messages"):
                    content = e.json["messages"][0].get("content")
                out.append([e.method, e.path, e.status, e.timestamp,
                            e.headers.get("idempotency-key"), content])  # fmt: skip
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the emulator with a rate-limited key")
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--rpm", type=int, default=600)
    parser.add_argument("--tpm", type=int, default=None)
    options = parser.parse_args()
    serve(options.speed, options.rpm, options.tpm)
