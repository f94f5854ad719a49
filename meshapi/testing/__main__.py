"""``python -m meshapi.testing``: run the gateway emulator as its own process.

Prints one JSON line once listening -- ``{"base_url", "token", "suspended_token",
"admin_token", "jwt", "ca_file"}`` (``ca_file`` with ``--tls``, else ``null``) -- so a parent
process can read where to connect and with what, then serves until interrupted (Ctrl-C or
SIGTERM). It binds 127.0.0.1 only.

The options that shape the emulator (``--catalog``, ``--rpm``/``--tpm``/``--rpd``,
``--clock-speed``, ``--tls``, ``--ca-file``) are shared with ``meshapi gateway serve``
(``meshapi/_cli_serve.py``); :func:`emulator_from` makes the server they describe.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from typing import Callable, Dict, List, Optional

import anyio

from .._cli_serve import add_emulator_options
from ._gateway.catalog import load_catalog
from ._gateway.clock import Clock, SystemClock
from ._gateway.dispatcher import Gateway
from ._servers.http import GatewayServer

__all__ = ["emulator_from", "main", "serve_until_interrupted"]


def emulator_from(
    args: argparse.Namespace, *, seed: int = 0, token: Optional[str] = None
) -> GatewayServer:
    """The server the emulator's command-line options describe, on ``args.port``;
    ``ValueError`` naming the option at fault (``--catalog: ...``, ``--token: ...``)."""
    if args.ca_file and not args.tls:
        raise ValueError("--ca-file: needs --tls")
    catalog = None
    if args.catalog is not None:
        try:
            catalog = list(load_catalog(args.catalog).values())
        except OSError as error:
            raise ValueError(f"--catalog: cannot read {args.catalog}: {error.strerror}") from None
        except ValueError as error:
            raise ValueError(f"--catalog: {error}") from None
    limits: Dict[str, Optional[int]] = {"rpm": args.rpm, "tpm": args.tpm, "rpd": args.rpd}
    clock: Clock = SystemClock(speed=args.clock_speed)
    try:
        gateway = Gateway(clock=clock, seed=seed, token=token, catalog=catalog, rate_limits=limits)
    except ValueError as error:  # the only option left to be wrong
        raise ValueError(f"--token: {error}") from None
    return GatewayServer(gateway, port=args.port, tls=args.tls, ca_file=args.ca_file)


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
    add_emulator_options(parser)
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
    names = ("token", "suspended_token", "admin_token", "jwt")
    credentials = {name: getattr(server.gateway, name) for name in names}
    announced = {"base_url": server.base_url, **credentials, "ca_file": server.ca_file}
    print(json.dumps(announced), flush=True)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the emulator until interrupted; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        server = emulator_from(args, seed=args.seed)
    except ValueError as error:
        parser.error(str(error))
    server.idle_timeout = args.idle_timeout
    serve_until_interrupted(server, _announce_json, args.backend)
    return 0


if __name__ == "__main__":
    sys.exit(main())
