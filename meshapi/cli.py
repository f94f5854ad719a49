"""The ``meshapi`` command: chat with a model, list models, or serve the local emulator.

::

    meshapi chat "Count to 5."                  # streams the reply
    meshapi chat --json --model mesh/echo "hi"  # the whole completion, as JSON
    meshapi models                              # the catalog, one model per line
    meshapi gateway serve --port 8080           # the emulator, over HTTP on 127.0.0.1

It talks to ``$MESHAPI_BASE_URL`` (default ``https://api.meshapi.ai``) with ``$MESHAPI_TOKEN``.
With neither set, it answers from the embedded gateway emulator (:mod:`meshapi.testing`),
in-process, and says so on stderr: the command works on a machine with no network and no key.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Dict, List, Optional, Sequence, TextIO

from meshapi_core.errors import MeshAPIError
from meshapi_core.models.chat import ChatCompletionParams

from ._cli_control import COMMANDS as CONTROL_COMMANDS
from ._cli_control import register as register_control
from ._cli_control import run as run_control
from ._client import MeshAPI

__all__ = ["main"]

DEFAULT_MODEL = "openai/gpt-4o-mini"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="meshapi",
        description="Talk to the MeshAPI gateway (or, with no MESHAPI_TOKEN, its local emulator).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = commands.add_parser("chat", help="send a prompt and print the reply")
    chat.add_argument("prompt", help="what to ask")
    chat.add_argument("-m", "--model", default=DEFAULT_MODEL, help=f"default {DEFAULT_MODEL}")
    chat.add_argument("-s", "--system", help="a system prompt")
    chat.add_argument("--temperature", type=float)
    chat.add_argument("--max-tokens", type=int)
    chat.add_argument("--no-stream", action="store_true", help="wait for the whole reply")
    chat.add_argument("--json", action="store_true", help="print the whole completion as JSON")

    models = commands.add_parser("models", help="list the models of the catalog")
    models.add_argument("--free", action="store_true", help="free models only")
    models.add_argument("--json", action="store_true", help="print the catalog as JSON")

    register_control(commands)

    gateway = commands.add_parser("gateway", help="the local gateway emulator")
    gateway_commands = gateway.add_subparsers(dest="gateway_command", required=True)
    serve = gateway_commands.add_parser("serve", help="serve the emulator on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    return parser


def _client(stderr: TextIO) -> MeshAPI:
    """A client for the configured gateway, or for the embedded emulator when none is."""
    base_url = os.environ.get("MESHAPI_BASE_URL")
    token = os.environ.get("MESHAPI_TOKEN")
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


def _chat(args: argparse.Namespace, client: MeshAPI, out: TextIO) -> None:
    messages: List[Dict[str, str]] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": args.prompt})
    fields: Dict[str, Any] = {"model": args.model, "messages": messages}
    if args.temperature is not None:
        fields["temperature"] = args.temperature
    if args.max_tokens is not None:
        fields["max_tokens"] = args.max_tokens
    params = ChatCompletionParams.model_validate(fields)
    if args.json or args.no_stream:
        completion = client.chat.completions.create(params)
        if args.json:
            out.write(completion.model_dump_json(indent=2, exclude_unset=True) + "\n")
        else:
            text = completion.choices[0].message.content if completion.choices else ""
            out.write((text or "") + "\n")
        return
    with client.chat.completions.stream(params) as stream:
        for chunk in stream:
            if chunk.choices:
                out.write(chunk.choices[0].delta.content)
                out.flush()
    out.write("\n")


def _models(args: argparse.Namespace, client: MeshAPI, out: TextIO) -> None:
    catalog = client.models.free() if args.free else client.models.list()
    if args.json:
        out.write("[" + ",\n ".join(m.model_dump_json(exclude_unset=True) for m in catalog) + "]\n")
        return
    width = max((len(m.id) for m in catalog), default=0)
    for model in catalog:
        price = model.pricing.prompt_usd_per_1m if model.pricing else None
        label = "free" if model.is_free else (f"${price}/1M in" if price else "")
        out.write(f"{model.id:<{width}}  {model.name or ''}  {label}".rstrip() + "\n")


def _serve(port: int, stderr: TextIO) -> None:
    from .testing import Gateway, GatewayServer
    from .testing.__main__ import serve_until_interrupted

    def announce(server: GatewayServer) -> None:
        print(
            f"meshapi: gateway emulator on {server.base_url}\n"
            f"  export MESHAPI_BASE_URL={server.base_url}\n"
            f"  export MESHAPI_TOKEN={server.gateway.token}\n"
            f"  admin key: {server.gateway.admin_token}   (Ctrl-C stops it)",
            file=stderr,
            flush=True,
        )

    serve_until_interrupted(GatewayServer(Gateway(), port=port), announce)


def main(
    argv: Optional[Sequence[str]] = None,
    *,
    stdout: Optional[TextIO] = None,
    stderr: Optional[TextIO] = None,
) -> int:
    """Run the command with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = _parser().parse_args(list(argv) if argv is not None else None)
    try:
        if args.command == "gateway":
            _serve(args.port, err)
            return 0
        if args.command in CONTROL_COMMANDS:
            return run_control(args, out, err)
        with _client(err) as client:
            (_chat if args.command == "chat" else _models)(args, client, out)
    except MeshAPIError as error:
        print(f"meshapi: error: {error}", file=err)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
