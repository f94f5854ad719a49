"""The ``meshapi`` command: chat with a model, list models, or serve the local emulator.

::

    meshapi --version
    meshapi chat "Count to 5."                  # streams the reply
    echo "Count to 5." | meshapi chat           # the prompt from stdin
    meshapi chat --json --model mesh/echo "hi"  # the whole completion, as JSON
    meshapi models                              # the catalog, one model per line
    meshapi keys list | usage | balance         # the control plane (meshapi/_cli_control.py)
    meshapi gateway serve --port 8080           # the emulator, over HTTP on 127.0.0.1
    meshapi gateway serve --token rsk_dev       # ... with a token that survives restarts

It talks to ``$MESHAPI_BASE_URL`` (default ``https://api.meshapi.ai``) with ``$MESHAPI_TOKEN``
(an empty variable counts as unset). With neither set, it answers from the embedded gateway
emulator (:mod:`meshapi.testing`), in-process, and says so on stderr: the command works on a
machine with no network and no key.

Adding a command: write a function that takes the ``commands`` sub-parser collection, adds
its parser and sets ``run`` to a function of ``(args, context)`` returning the exit status
(``None`` for 0), then list it in :data:`COMMANDS`. A :class:`Context` gives the output
streams and a client for the configured gateway; a :class:`MeshAPIError` it raises becomes a
one-line error and exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, TextIO

from meshapi_core.errors import MeshAPIError
from meshapi_core.models.chat import ChatCompletionParams
from meshapi_core.version import __version__

from ._cli_control import COMMANDS as CONTROL_COMMANDS
from ._cli_control import register as register_control
from ._cli_control import run as run_control
from ._client import MeshAPI

__all__ = ["COMMANDS", "Context", "main"]

DEFAULT_MODEL = "openai/gpt-4o-mini"


@dataclass
class Context:
    """What a command gets besides its arguments: the streams, and a client."""

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO

    def client(self) -> MeshAPI:
        """A client for ``$MESHAPI_BASE_URL`` with ``$MESHAPI_TOKEN``, or for the embedded
        emulator when neither is set (said on stderr)."""
        return _client(self.stderr)

    def fail(self, message: str) -> int:
        """Print ``meshapi: error: <message>`` on stderr; returns the exit status 1."""
        print(f"meshapi: error: {message}", file=self.stderr)
        return 1


Run = Callable[[argparse.Namespace, Context], Optional[int]]
Register = Callable[[Any], None]
"""Adds one command to the ``commands`` collection of sub-parsers (``add_parser``)."""


def _environ(name: str) -> Optional[str]:
    """An environment variable, with an empty (or blank) one counted as unset."""
    value = os.environ.get(name, "").strip()
    return value or None


def _client(stderr: TextIO) -> MeshAPI:
    """A client for the configured gateway, or for the embedded emulator when none is."""
    base_url = _environ("MESHAPI_BASE_URL")
    token = _environ("MESHAPI_TOKEN")
    if token or base_url:
        if not token:
            raise SystemExit("meshapi: MESHAPI_BASE_URL is set but MESHAPI_TOKEN is not")
        return MeshAPI(base_url=base_url, token=token)
    from .testing import Gateway, InProcessTransport

    print(
        "meshapi: MESHAPI_BASE_URL and MESHAPI_TOKEN are not set; answering from the "
        "embedded gateway emulator (meshapi.testing), not the real gateway.",
        file=stderr,
    )
    gateway = Gateway()
    return MeshAPI(
        base_url="http://127.0.0.1", token=gateway.token,
        transport=InProcessTransport(gateway),
    )  # fmt: skip


# --- chat ------------------------------------------------------------------------------------


def _add_chat(commands: Any) -> None:
    chat = commands.add_parser("chat", help="send a prompt and print the reply")
    chat.add_argument("prompt", nargs="?", help="what to ask (default: read it from stdin)")
    chat.add_argument("-m", "--model", default=DEFAULT_MODEL, help=f"default {DEFAULT_MODEL}")
    chat.add_argument("-s", "--system", help="a system prompt")
    chat.add_argument("--temperature", type=float)
    chat.add_argument("--max-tokens", type=int)
    chat.add_argument("--no-stream", action="store_true", help="wait for the whole reply")
    chat.add_argument("--json", action="store_true", help="print the whole completion as JSON")
    chat.set_defaults(run=_chat)


def _prompt(args: argparse.Namespace, context: Context) -> Optional[str]:
    if args.prompt is not None:
        return str(args.prompt)
    stdin = context.stdin
    if stdin.isatty():
        return None
    text = stdin.read().strip()
    return text or None


def _chat(args: argparse.Namespace, context: Context) -> Optional[int]:
    prompt = _prompt(args, context)
    if prompt is None:
        return context.fail("no prompt: give one as an argument, or pipe it on stdin")
    messages: List[Dict[str, str]] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": prompt})
    fields: Dict[str, Any] = {"model": args.model, "messages": messages}
    if args.temperature is not None:
        fields["temperature"] = args.temperature
    if args.max_tokens is not None:
        fields["max_tokens"] = args.max_tokens
    params = ChatCompletionParams.model_validate(fields)
    out = context.stdout
    with context.client() as client:
        if args.json or args.no_stream:
            completion = client.chat.completions.create(params)
            if args.json:
                out.write(completion.model_dump_json(indent=2, exclude_unset=True) + "\n")
            else:
                text = completion.choices[0].message.content if completion.choices else ""
                out.write((text or "") + "\n")
            return None
        with client.chat.completions.stream(params) as stream:
            for piece in stream.text():
                out.write(piece)
                out.flush()
        out.write("\n")
    return None


# --- models ----------------------------------------------------------------------------------


def _add_models(commands: Any) -> None:
    models = commands.add_parser("models", help="list the models of the catalog")
    models.add_argument("--free", action="store_true", help="free models only")
    models.add_argument("--json", action="store_true", help="print the catalog as JSON")
    models.set_defaults(run=_models)


def _models(args: argparse.Namespace, context: Context) -> Optional[int]:
    out = context.stdout
    with context.client() as client:
        catalog = client.models.free() if args.free else client.models.list()
    if args.json:
        out.write("[" + ",\n ".join(m.model_dump_json(exclude_unset=True) for m in catalog) + "]\n")
        return None
    width = max((len(m.id) for m in catalog), default=0)
    for model in catalog:
        price = model.pricing.prompt_usd_per_1m if model.pricing else None
        label = "free" if model.is_free else (f"${price}/1M in" if price else "")
        out.write(f"{model.id:<{width}}  {model.name or ''}  {label}".rstrip() + "\n")
    return None


# --- keys, usage, balance (meshapi/_cli_control.py) --------------------------------------------


def _add_control(commands: Any) -> None:
    register_control(commands)
    for name in CONTROL_COMMANDS:
        commands.choices[name].set_defaults(run=_control)


def _control(args: argparse.Namespace, context: Context) -> Optional[int]:
    return run_control(args, context.stdout, context.stderr)


# --- gateway serve ---------------------------------------------------------------------------


def _add_gateway(commands: Any) -> None:
    gateway = commands.add_parser("gateway", help="the local gateway emulator")
    gateway_commands = gateway.add_subparsers(dest="gateway_command", required=True)
    serve = gateway_commands.add_parser("serve", help="serve the emulator on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    serve.add_argument(
        "--token",
        help="the data-plane key to accept (rsk_...); the same token on every restart keeps "
        "an exported MESHAPI_TOKEN working (default: a new random one)",
    )
    serve.set_defaults(run=_serve)


def _os_error(error: BaseException) -> Optional[OSError]:
    """The ``OSError`` inside ``error``, however deep in exception groups it sits."""
    if isinstance(error, OSError):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _os_error(inner)
        if found is not None:
            return found
    return None


def _serve(args: argparse.Namespace, context: Context) -> Optional[int]:
    from .testing import Gateway, GatewayServer
    from .testing.__main__ import serve_until_interrupted

    stderr = context.stderr
    try:
        gateway = Gateway(token=args.token)
    except ValueError as error:
        return context.fail(f"--token: {error}")

    def announce(server: GatewayServer) -> None:
        print(
            f"meshapi: gateway emulator on {server.base_url}\n"
            f"  export MESHAPI_BASE_URL={server.base_url}\n"
            f"  export MESHAPI_TOKEN={server.gateway.token}\n"
            f"  admin key: {server.gateway.admin_token}   (Ctrl-C stops it)",
            file=stderr,
            flush=True,
        )

    try:
        serve_until_interrupted(GatewayServer(gateway, port=args.port), announce)
    except Exception as error:
        problem = _os_error(error)
        if problem is None:
            raise
        if problem.errno in _ADDRESS_IN_USE:
            return context.fail(
                f"port {args.port} on 127.0.0.1 is already in use; pick another with --port "
                "(0 picks a free one), or stop what is listening there"
            )
        return context.fail(f"cannot listen on 127.0.0.1:{args.port}: {problem.strerror}")
    return None


_ADDRESS_IN_USE = {48, 98, 10048}  # EADDRINUSE on macOS, Linux; WSAEADDRINUSE


COMMANDS: List[Register] = [_add_chat, _add_models, _add_control, _add_gateway]
"""Every command, in the order ``meshapi --help`` lists them."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="meshapi",
        description="Talk to the MeshAPI gateway (or, with no MESHAPI_TOKEN, its local emulator).",
    )
    parser.add_argument("--version", action="version", version=f"meshapi {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(commands)
    return parser


def main(
    argv: Optional[Sequence[str]] = None,
    *,
    stdin: Optional[TextIO] = None,
    stdout: Optional[TextIO] = None,
    stderr: Optional[TextIO] = None,
) -> int:
    """Run the command with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    context = Context(stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr)
    args = _parser().parse_args(list(argv) if argv is not None else None)
    run: Run = args.run
    try:
        return run(args, context) or 0
    except MeshAPIError as error:
        return context.fail(str(error))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
