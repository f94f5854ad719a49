"""The control-plane subcommands of ``meshapi``: keys, usage, balance.

::

    meshapi keys list [--json]                   # needs MESHAPI_ADMIN_KEY (mak_... or a JWT)
    meshapi keys create --name ci --rpm-limit 60 # prints the new key's plaintext, once
    meshapi keys suspend key_01J...
    meshapi usage [--since 2026-09-01] [--model openai/gpt-4o-mini] [--json]
    meshapi balance [--json]                     # these two need MESHAPI_TOKEN (rsk_...)

Each command uses the credential of its realm: key management an admin key or dashboard
session from ``$MESHAPI_ADMIN_KEY``, usage and balance a data-plane key from
``$MESHAPI_TOKEN``, against ``$MESHAPI_BASE_URL``. A missing credential is one line naming
it. With no gateway configured at all (none of the three variables set), the commands answer
from the embedded emulator, as ``meshapi chat`` does, and say so on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING, Any, Dict, List, TextIO, Tuple, Union, cast

from meshapi_core.models.keys import Key, KeyCreated

from ._client import MeshAPI, MeshAPIAdmin

if TYPE_CHECKING:
    from .types import KeyCreateParamsDict, UsageSummaryParamsDict

__all__ = ["COMMANDS", "register", "run"]

COMMANDS = ("keys", "usage", "balance")
"""The top-level commands this module handles."""

_VARIABLES = ("MESHAPI_BASE_URL", "MESHAPI_TOKEN", "MESHAPI_ADMIN_KEY")


def register(commands: Any) -> None:
    """Add the control-plane commands to ``meshapi``'s subcommand parsers."""
    keys = commands.add_parser(
        "keys", help="manage inference keys (MESHAPI_ADMIN_KEY: an admin key or a session)"
    )
    actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list keys (never their plaintext)")
    listing.add_argument("--json", action="store_true", help="print the keys as JSON")
    create = actions.add_parser("create", help="create a key and print its plaintext once")
    create.add_argument("--name", help="a label")
    create.add_argument("--rpm-limit", type=int, help="requests per minute (at most 1000)")
    create.add_argument("--rpd-limit", type=int, help="requests per day (at most 1000000)")
    create.add_argument("--spend-cap", help="lifetime spend cap in USD, e.g. 50")
    create.add_argument(
        "--model", action="append", dest="models", help="allow this model (repeatable)"
    )
    create.add_argument("--json", action="store_true", help="print the key as JSON")
    suspend = actions.add_parser("suspend", help="suspend a key (the gateway's soft delete)")
    suspend.add_argument("key_id", help="the key's id, e.g. key_01J...")
    suspend.add_argument("--json", action="store_true", help="print the key as JSON")

    usage = commands.add_parser("usage", help="usage totals of your data-plane key")
    usage.add_argument("--since", help="ISO 8601 start, e.g. 2026-09-01T00:00:00Z")
    usage.add_argument("--until", help="ISO 8601 end")
    usage.add_argument("--model", help="one model only")
    usage.add_argument("--json", action="store_true", help="print the summary as JSON")

    balance = commands.add_parser("balance", help="your balance: total, reserved, available")
    balance.add_argument("--json", action="store_true", help="print the balance as JSON")


def _connect(admin: bool, stderr: TextIO) -> Union[MeshAPI, MeshAPIAdmin]:
    """The client of the realm a command needs, or a one-line exit naming what is missing."""
    base_url = os.environ.get("MESHAPI_BASE_URL") or None
    variable = "MESHAPI_ADMIN_KEY" if admin else "MESHAPI_TOKEN"
    token = os.environ.get(variable)
    if not any(os.environ.get(name) for name in _VARIABLES):
        from .testing import Gateway, InProcessTransport

        print(
            "meshapi: no MESHAPI_BASE_URL, MESHAPI_TOKEN or MESHAPI_ADMIN_KEY; answering from "
            "the embedded gateway emulator (meshapi.testing), not the real gateway.",
            file=stderr,
        )
        gateway = Gateway()
        transport = InProcessTransport(gateway)
        local = "http://127.0.0.1"
        if admin:
            return MeshAPIAdmin(base_url=local, token=gateway.admin_token, transport=transport)
        return MeshAPI(base_url=local, token=gateway.token, transport=transport)
    if not token:
        if admin:
            raise SystemExit(
                "meshapi: this command manages keys and needs an admin key: set "
                "MESHAPI_ADMIN_KEY to an mak_... key (or a dashboard session token)"
            )
        raise SystemExit(
            "meshapi: this command reads your account and needs a data-plane key: set "
            "MESHAPI_TOKEN to an rsk_... key"
        )
    if admin:
        return MeshAPIAdmin(base_url=base_url, token=token)
    return MeshAPI(base_url=base_url, token=token)


def _dump(value: Any) -> Dict[str, Any]:
    data: Dict[str, Any] = value.model_dump(mode="json", exclude_unset=True)
    return data


def _key_line(key: Key) -> str:
    limits = f"rpm={key.rpm_limit or '-'} rpd={key.rpd_limit or '-'}"
    cap = f"cap=${key.spend_cap_usd}" if key.spend_cap_usd else "cap=none"
    return f"{key.id}  {key.status or '?':<9}  {limits}  {cap}  {key.name or ''}".rstrip()


def _keys(args: argparse.Namespace, client: MeshAPIAdmin, out: TextIO, err: TextIO) -> None:
    if args.keys_command == "list":
        keys = list(client.keys.list())
        if args.json:
            out.write(json.dumps([_dump(k) for k in keys], indent=2) + "\n")
        else:
            out.writelines(_key_line(k) + "\n" for k in keys)
    elif args.keys_command == "create":
        fields: Dict[str, Any] = {
            "name": args.name,
            "rpm_limit": args.rpm_limit,
            "rpd_limit": args.rpd_limit,
            "spend_cap_usd": args.spend_cap,
            "allowed_models": args.models,
        }
        chosen = {k: v for k, v in fields.items() if v is not None}
        created: KeyCreated = client.keys.create(cast("KeyCreateParamsDict", chosen))
        plaintext = created.key.get_secret_value()
        if args.json:
            out.write(json.dumps({**_dump(created), "key": plaintext}, indent=2) + "\n")
        else:
            out.write(plaintext + "\n")
            print(
                f"meshapi: created {created.id}; its plaintext (on stdout) is shown only once",
                file=err,
            )
    else:
        key = client.keys.suspend(args.key_id)
        if args.json:
            out.write(json.dumps(_dump(key), indent=2) + "\n")
        else:
            out.write(f"{key.id} {key.status}\n")


def _usage(args: argparse.Namespace, client: MeshAPI, out: TextIO) -> None:
    filters = {"since": args.since, "until": args.until, "model": args.model}
    chosen = {k: v for k, v in filters.items() if v is not None}
    summary = client.usage.summary(cast("UsageSummaryParamsDict", chosen))
    if args.json:
        out.write(json.dumps(_dump(summary), indent=2) + "\n")
        return
    lines: List[Tuple[str, Any]] = [
        ("requests", f"{summary.total_requests} ({summary.successful_requests} ok, "
                     f"{summary.error_requests} errors)"),
        ("tokens", f"{summary.total_tokens} ({summary.prompt_tokens} in, "
                   f"{summary.completion_tokens} out)"),
        ("cost", f"${summary.total_cost_usd}"),
    ]  # fmt: skip
    out.writelines(f"{name:<9}{value}\n" for name, value in lines)
    for row in summary.by_model or ():
        cost = row.get("cost_usd")
        out.write(f"  {row.get('model')}  {row.get('requests')} requests  ${cost}\n")


def _balance(args: argparse.Namespace, client: MeshAPI, out: TextIO) -> None:
    balance = client.billing.balance()
    if args.json:
        out.write(json.dumps(_dump(balance), indent=2) + "\n")
        return
    out.write(
        f"balance   ${balance.balance_usd}\n"
        f"reserved  ${balance.reserved_usd}\n"
        f"available ${balance.available_usd}\n"
    )


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one of :data:`COMMANDS`; the caller turns SDK errors into ``meshapi: error:``."""
    admin = args.command == "keys"
    with _connect(admin, err) as client:
        if isinstance(client, MeshAPIAdmin):
            _keys(args, client, out, err)
        elif args.command == "usage":
            _usage(args, client, out)
        else:
            _balance(args, client, out)
    return 0
