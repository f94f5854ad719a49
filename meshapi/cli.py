"""The ``meshapi`` command: chat with a model, list models, or serve the local emulator.

::

    meshapi --version
    meshapi chat "Count to 5."                  # streams the reply
    echo "Count to 5." | meshapi chat           # the prompt from stdin
    meshapi chat --json --model mesh/echo "hi"  # the whole completion, as JSON
    meshapi models                              # the catalog, one model per line
    meshapi bulk rows.jsonl -o out.jsonl        # every row, paced, resumable (docs/bulk.md)
    meshapi keys list | usage | balance         # the control plane (meshapi/_cli_control.py)
    meshapi gateway serve --port 8080           # the emulator, over HTTP on 127.0.0.1
    meshapi gateway serve --token rsk_dev       # ... with a token that survives restarts
    meshapi gateway serve --catalog models.json # ... serving a recorded `models --json`
    meshapi gateway serve --rpm 60 --tls        # ... rate-limited, over https:// and wss://

It talks to ``$MESHAPI_BASE_URL`` (default ``https://api.meshapi.ai``) with ``$MESHAPI_TOKEN``
(an empty variable counts as unset). With neither set, it answers from the embedded gateway
emulator (:mod:`meshapi.testing`), in-process, and says so on stderr: the command works on a
machine with no network and no key.

Adding a command: write a function that takes the ``commands`` sub-parser collection, adds
its parser and sets ``run`` to a function of ``(args, context)`` returning the exit status
(``None`` for 0), then list it in :data:`COMMANDS`. A :class:`Context` gives the output
streams and a client for the configured gateway.

Whatever goes wrong is one line on stderr and a conventional exit status, never a traceback:

=====  ==============================================================================
  0    done
  1    the gateway (or the connection to it) failed: ``meshapi: error: ...``; a
       connection failure names the URL it tried
  2    a bad argument (``--temperature 5``, ``--port 99999``), refused before anything
       is sent, naming the option
 130   interrupted (Ctrl-C): the line in progress is ended with a newline
 141   the reader of stdout went away (``meshapi chat ... | head -c 5``): the rest is
       dropped silently, as ``cat`` does
=====  ==============================================================================
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, NoReturn, Optional, Sequence, TextIO

from meshapi_core.errors import APIConnectionError, InvalidArgumentError, MeshAPIError
from meshapi_core.models.chat import ChatCompletionParams
from meshapi_core.params import bind
from meshapi_core.version import __version__

from ._cli_control import COMMANDS as CONTROL_COMMANDS
from ._cli_control import register as register_control
from ._cli_control import run as run_control
from ._cli_serve import add_emulator_options
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

    def usage_error(self, option: str, message: str) -> int:
        """Print ``meshapi: error: <option>: <message>`` on stderr; returns the exit status 2
        (a bad argument, as argparse reports one)."""
        print(f"meshapi: error: {option}: {message}", file=self.stderr)
        return 2

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
    chat.add_argument("--temperature", type=float, help="0 to 2")
    chat.add_argument("--max-tokens", type=int, help="at least 1")
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
    try:
        params = bind(ChatCompletionParams, fields, None)
    except InvalidArgumentError as error:
        option = _CHAT_OPTIONS.get((error.param or "").split(".")[0], "chat")
        return context.usage_error(option, _reason(error))
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


_CHAT_OPTIONS = {
    "model": "--model",
    "temperature": "--temperature",
    "max_tokens": "--max-tokens",
    "messages": "prompt",
}
"""The option of ``meshapi chat`` that sets each field of its params."""


def _reason(error: InvalidArgumentError) -> str:
    """What was wrong, without the ``Invalid ChatCompletionParams: field:`` prefix."""
    text = str(error)
    _, found, rest = text.partition(f"{error.param}: ") if error.param else ("", "", "")
    return rest.split(" (code ")[0] if found else text


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


# --- bulk ----------------------------------------------------------------------------------


def _add_bulk(commands: Any) -> None:
    bulk = commands.add_parser(
        "bulk",
        help="send every row of a JSONL file, paced to the key's limits; resumable",
        description="Send every row of INPUT (JSONL: one request a line, with an id) and "
        "append one record a row to OUTPUT (the reply, or the error). Run the same command "
        "again after a crash or Ctrl-C to resume: every row is recorded once, and no "
        "recorded row is sent again. See docs/bulk.md.",
    )
    bulk.add_argument("input", help="the rows, JSONL")
    bulk.add_argument("-o", "--output", required=True, help="the records, JSONL (appended)")
    bulk.add_argument("-m", "--model", help="the model of rows whose body names none")
    bulk.add_argument(
        "--via",
        choices=("requests", "batches"),
        default="requests",
        help="one request a row (default), or the Batches API (chat only)",
    )
    bulk.add_argument("--max-concurrency", type=int, default=64, help="default 64")
    bulk.add_argument("--initial-concurrency", type=int, help="default 4")
    bulk.add_argument("--max-attempts", type=int, default=5, help="per row, default 5")
    bulk.add_argument(
        "--max-wait",
        type=float,
        default=900.0,
        help="the longest wait for a rate limit before stopping (default 900 s)",
    )
    bulk.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="do not read the key's counters (GET /v1/usage/rate-limits)",
    )
    bulk.add_argument("--json", action="store_true", help="print the summary as JSON")
    bulk.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    bulk.set_defaults(run=_bulk)  # fmt: skip


_BULK_OPTIONS = {
    "max_concurrency": "--max-concurrency",
    "initial_concurrency": "--initial-concurrency",
    "max_attempts": "--max-attempts",
    "max_wait": "--max-wait",
    "input": "INPUT",
    "output": "--output",
}
"""The option of ``meshapi bulk`` behind each setting it can refuse."""


def _bulk(args: argparse.Namespace, context: Context) -> Optional[int]:
    from meshapi_core.bulk.checkpoint import CheckpointError

    out = context.stdout
    defaults = {"model": args.model} if args.model else None
    with context.client() as client:
        try:
            summary = client.bulk.run(
                args.input,
                args.output,
                defaults=defaults,
                via=args.via,
                max_concurrency=args.max_concurrency,
                initial_concurrency=args.initial_concurrency,
                max_attempts=args.max_attempts,
                max_wait=args.max_wait,
                rate_limits=not args.no_rate_limits,
                progress=None if args.quiet or args.json else context.stderr,
            )
        except InvalidArgumentError as error:
            option = _BULK_OPTIONS.get(error.param or "", "bulk")
            return context.usage_error(option, error.message)
        except CheckpointError as error:
            return context.usage_error("--output", error.message)
    if args.json:
        out.write(json.dumps(summary.to_dict(), indent=2) + "\n")
    else:
        cost = ""
        if summary.cost_usd is not None:
            cost = f", ${summary.cost_usd}" + (" (estimated)" if summary.cost_estimated else "")
        print(
            f"{summary.rows} rows: {summary.succeeded} succeeded, {summary.failed} failed, "
            f"{summary.retried} retried, {summary.rate_limited} rate-limited; "
            f"{summary.total_tokens} tokens{cost}; {summary.elapsed:.1f} s",
            file=context.stderr,
        )
    if summary.stopped is not None:
        return context.fail(f"stopped: {summary.stopped}")
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
    serve.add_argument("--port", type=_port, default=8080, help="0 picks a free port")
    serve.add_argument(
        "--token",
        help="the data-plane key to accept (rsk_...); the same token on every restart keeps "
        "an exported MESHAPI_TOKEN working (default: a new random one)",
    )
    add_emulator_options(serve)
    serve.set_defaults(run=_serve)


def _port(text: str) -> int:
    """``--port``: a whole number from 0 to 65535 (argparse reports anything else)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0 to 65535; 0 picks a free one)")
    return port


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
    from .testing import GatewayServer
    from .testing.__main__ import emulator_from, serve_until_interrupted

    stderr = context.stderr
    try:
        server = emulator_from(args, token=args.token)
    except ValueError as error:
        return context.fail(str(error))

    def announce(server: GatewayServer) -> None:
        trust = f"  export SSL_CERT_FILE={server.ca_file}   # trusts its certificate\n"
        print(
            f"meshapi: gateway emulator on {server.base_url}\n"
            f"  export MESHAPI_BASE_URL={server.base_url}\n"
            f"  export MESHAPI_TOKEN={server.gateway.token}\n"
            f"{trust if server.tls else ''}"
            f"  admin key: {server.gateway.admin_token}   (Ctrl-C stops it)",
            file=stderr,
            flush=True,
        )

    try:
        serve_until_interrupted(server, announce)
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


COMMANDS: List[Register] = [_add_chat, _add_models, _add_bulk, _add_control, _add_gateway]
"""Every command, in the order ``meshapi --help`` lists them."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (and ``--help`` named) instead of two."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message>`` and exit with status 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    except APIConnectionError as error:
        return context.fail(f"{error} (tried {_gateway_url()})")
    except MeshAPIError as error:
        return context.fail(str(error))
    except KeyboardInterrupt:
        # End the line the reply was being written on, so the shell's prompt starts afresh.
        with contextlib.suppress(OSError):  # a closed stderr at exit is not news
            print(file=context.stderr, flush=True)
        return 130
    except BrokenPipeError:
        return _reader_gone(context)
    except OSError as error:
        if error.errno == errno.EPIPE:
            return _reader_gone(context)
        raise


def _gateway_url() -> str:
    """The gateway a connection failure was about: the configured one, or the default."""
    return _environ("MESHAPI_BASE_URL") or "https://api.meshapi.ai"


def _reader_gone(context: Context) -> int:
    """stdout's reader closed its end (``| head``): drop the rest of the output silently.

    Python would otherwise report the broken pipe again while flushing stdout at exit; pointing
    the descriptor at ``/dev/null`` leaves that flush nothing to fail on.
    """
    stdout = context.stdout
    if stdout is sys.stdout:
        with contextlib.suppress(OSError, ValueError):  # ValueError: stdout already closed
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141  # 128 + SIGPIPE, what a shell reports for a pipeline's killed writer


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
