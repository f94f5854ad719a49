"""The options that shape the gateway emulator on the command line, shared by ``meshapi
gateway serve`` and ``python -m meshapi.testing``.

Kept apart from :mod:`meshapi.testing` so that building the ``meshapi`` command's parser does
not import the emulator (or need its extra dependencies); the server they describe is made by
:func:`meshapi.testing.__main__.emulator_from`.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

__all__ = ["add_emulator_options"]


def _limit(text: str) -> int:
    """A rate limit: a whole number of at least 1 (argparse reports anything else)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a limit (at least 1)")
    return value


def _speed(text: str) -> float:
    """A clock speed: a positive number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"{text} is not a speed (a positive number)")
    return value


def add_emulator_options(parser: Any) -> None:
    """Add the options that shape the emulator to ``parser`` (an ``argparse`` parser)."""
    parser.add_argument(
        "--catalog",
        metavar="FILE",
        help="serve the models in FILE (a JSON array, as `meshapi models --json` writes) "
        "instead of the shipped catalog",
    )
    for name, what in (("rpm", "requests per minute"), ("tpm", "tokens per minute"),
                       ("rpd", "requests per day")):  # fmt: skip
        parser.add_argument(
            f"--{name}",
            type=_limit,
            metavar="N",
            help=f"a limit of N {what} for every key without its own (default: none)",
        )
    parser.add_argument(
        "--clock-speed",
        type=_speed,
        default=1.0,
        metavar="X",
        help="run the emulator's clock X times as fast as the wall clock (60: a minute's "
        "rate-limit window lasts a second)",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve https:// and wss:// with a certificate authority of its own",
    )
    parser.add_argument(
        "--ca-file",
        metavar="FILE",
        help="with --tls: write the CA's certificate to FILE (default: a temporary file)",
    )
