"""``python -m meshapi.testing``: run the gateway emulator as its own process.

Prints one JSON line once listening -- ``{"base_url", "token", "suspended_token",
"admin_token", "jwt"}`` -- so a parent process can read where to connect and with what, then
serves until interrupted (Ctrl-C or SIGTERM). It binds 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from typing import Callable, List, Optional

import anyio

from ._gateway import Gateway
from ._server import GatewayServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m meshapi.testing",
        description="A local MeshAPI gateway emulator for offline development and tests.",
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (ids, replies)")
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=30.0,
        help="seconds a keep-alive connection may stay idle",
    )
    return parser


def serve_until_interrupted(
    server: GatewayServer,
    announce: Callable[[GatewayServer], None],
    backend: str = "asyncio",
) -> None:
    """Serve until Ctrl-C or SIGTERM, calling ``announce(server)`` once listening.

    The signals are taken before the socket opens, so a stop that comes at any moment ends
    the server cleanly instead of as a ``KeyboardInterrupt`` somewhere inside it.
    """

    async def run() -> None:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with anyio.create_task_group() as group:
                await group.start(server.serve)
                announce(server)
                async for _ in signals:
                    group.cancel_scope.cancel()
                    return

    with contextlib.suppress(KeyboardInterrupt):
        anyio.run(run, backend=backend)


def _announce_json(server: GatewayServer) -> None:
    gateway = server.gateway
    print(
        json.dumps(
            {
                "base_url": server.base_url,
                "token": gateway.token,
                "suspended_token": gateway.suspended_token,
                "admin_token": gateway.admin_token,
                "jwt": gateway.jwt,
            }
        ),
        flush=True,
    )


def main(argv: Optional[List[str]] = None) -> int:
    """Run the emulator until interrupted; returns the exit status."""
    args = _parser().parse_args(argv)
    server = GatewayServer(Gateway(seed=args.seed), port=args.port, idle_timeout=args.idle_timeout)
    serve_until_interrupted(server, _announce_json, args.backend)
    return 0


if __name__ == "__main__":
    sys.exit(main())
