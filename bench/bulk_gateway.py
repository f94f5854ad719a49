"""The emulator with per-key rate limits on a fast clock, for the bulk benchmark and tests.

A minute's RPM window of the emulator is a minute of its clock. :class:`FastClock` runs that
clock ``speed`` times faster than the wall clock (``speed=60``: a minute's window lasts one
second), so a job at a key's limit is measured in seconds. The waits the emulator announces
(``Retry-After``, the body's ``retry_after_seconds``, the counters' ``resets_in_seconds``)
are in its own clock's seconds; :class:`FastGateway` divides them by ``speed``, so a client
reads them in its own seconds, as the faithful rate limits of the emulator (work in
progress: ``SystemClock(speed=...)``) will announce them itself. Once those land,
``Gateway(clock=SystemClock(speed=60))`` replaces both classes here.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from meshapi.testing import Gateway
from meshapi.testing._plan import GatewayRequest, ResponsePlan, Write

__all__ = ["FastClock", "FastGateway"]


class FastClock:
    """A clock that starts at the wall clock's time and runs ``speed`` times as fast."""

    def __init__(self, speed: float) -> None:
        self.speed = float(speed)
        self._start = time.time()
        self._monotonic = time.monotonic()

    def time(self) -> float:
        """The emulator's time now."""
        return self._start + (time.monotonic() - self._monotonic) * self.speed


class FastGateway(Gateway):
    """A :class:`~meshapi.testing.Gateway` on a :class:`FastClock` whose announced waits
    are in the client's seconds (see the module docs)."""

    def __init__(self, speed: float, **options: Any) -> None:
        self.speed = float(speed)
        super().__init__(clock=FastClock(speed), **options)

    def handle(self, request: GatewayRequest) -> ResponsePlan:
        """The emulator's answer, its waits rescaled to the client's seconds."""
        plan = super().handle(request)
        limits = request.path == "/v1/usage/rate-limits" and plan.status == 200
        if plan.status != 429 and not limits:
            return plan
        body = plan.read_body()
        try:
            payload = json.loads(body)
        except ValueError:
            return plan
        if limits:
            for scope in payload.values():
                if isinstance(scope, dict):
                    for metric in scope.values():
                        if isinstance(metric, dict) and metric.get("resets_in_seconds"):
                            metric["resets_in_seconds"] = metric["resets_in_seconds"] / self.speed
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict) and error.get("retry_after_seconds"):
            error["retry_after_seconds"] = error["retry_after_seconds"] / self.speed
        data = json.dumps(payload).encode()
        headers = [(k, v) for k, v in plan.headers if k.lower() != "content-length"]
        headers.append(("content-length", str(len(data))))
        retry_after = plan.header("retry-after")
        if retry_after is not None:
            seconds = float(retry_after) / self.speed
            headers = [(k, v) for k, v in headers if k.lower() != "retry-after"]
            # Retry-After is whole seconds on the wire; the body's retry_after_seconds keeps
            # the fraction (the SDK reads the larger of the two: send the body's alone).
            if seconds >= 1:
                headers.append(("retry-after", str(math.ceil(seconds))))
        return ResponsePlan(plan.status, tuple(headers), (Write(data),), plan.prelude,
                            plan.streaming, plan.close)  # fmt: skip


def serve(speed: float, rpm: int) -> None:
    """Serve a :class:`FastGateway` with a key limited to ``rpm`` on 127.0.0.1, in this
    process: print ``{"url", "token"}`` as one JSON line, then answer commands read from
    stdin, one a line: ``log`` prints the request log since the last ``log`` as one JSON
    line (method, path, status, the gateway clock's time, the ``Idempotency-Key``, the first
    message's content); end of input stops the server."""
    import sys

    from meshapi.testing import GatewayServer

    gateway = FastGateway(speed, log_limit=1_000_000)
    token = gateway.add_key(rpm_limit=rpm)
    with GatewayServer(gateway).run_in_thread() as url:
        print(json.dumps({"url": url, "token": token, "speed": speed, "rpm": rpm}), flush=True)
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
                            e.headers.get("idempotency-key"), content])
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="the emulator with a rate-limited key")
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--rpm", type=int, default=600)
    options = parser.parse_args()
    serve(options.speed, options.rpm)
