"""Machine instructions per chunk, counted by valgrind: a figure the machine's noise does not move.

CPU time on a shared 2-vCPU machine moves by more than the per-chunk differences being judged
(see *Targets* in ``README.md``). valgrind's ``callgrind`` counts the instructions a process
executes, the same from one run to the next. Each client streams ``N`` chunks twice (the
first stream warms it up) in a process of its own; two such processes (``N`` and ``3 N``)
are counted and their difference, over the ``4 N`` chunks it adds, is the figure: imports,
start-up and the first request cancel out, and the server (another process) is not counted. It counts work, not time: cache misses and
the cost of each instruction are not in it.

    .venv/bin/python -m bench.instructions              # ours and the floor, sync httpx
    .venv/bin/python -m bench.instructions --n 2000 ours

Run it from the checkout whose code is to be counted (it imports ``meshapi`` from the current
directory first). Needs ``valgrind``; about a minute per client.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def _stream(kind: str, n: int) -> None:
    """In the counted process: ``kind``'s client streams ``n`` chunks, twice."""
    sys.path.insert(0, str(BENCH / "clients"))
    import floor

    from bench.run import start_server

    server, port = start_server()
    base_url = f"http://127.0.0.1:{port}"
    try:
        if kind == "ours":
            from meshapi import ChatCompletionParams, ChatMessage, MeshAPI

            client = MeshAPI(base_url=base_url, token="rsk_bench")
            params = ChatCompletionParams(
                model="bench", messages=[ChatMessage(role="user", content="hi")], max_tokens=n
            )

            def run() -> None:
                for chunk in client.chat.completions.stream(params):
                    if chunk.choices:
                        chunk.choices[0].delta.content  # noqa: B018 - read, as the bench does

        else:
            raw = floor.HttpxSync(base_url, None)

            def run() -> None:
                raw.stream(n, None)

        for _ in range(2):
            run()
    finally:
        server.terminate()


def _count(kind: str, n: int) -> int:
    """The instructions of one process streaming ``n`` chunks twice."""
    valgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    out = subprocess.run(
        [*valgrind, sys.executable, "-m", "bench.instructions", "--inside", kind, "--n", str(n)],
        capture_output=True,
        text=True,
        cwd=os.getcwd(),
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=True,
    )
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise RuntimeError(out.stderr[-2000:])
    return int(found.group(1))


def main() -> None:
    """Print each client's instructions per chunk."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", help="ours, floor (default: both)")
    parser.add_argument("--n", type=int, default=1000, help="chunks per stream (and 3 N)")
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        _stream(args.inside, args.n)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed")
    kinds = args.kinds or ["ours", "floor"]
    if not set(kinds) <= {"ours", "floor"}:
        parser.error("the clients are ours and floor")
    for kind in kinds:
        small, large = _count(kind, args.n), _count(kind, 3 * args.n)
        print(f"{kind}: {(large - small) / (4 * args.n):,.0f} instructions per chunk")


if __name__ == "__main__":
    main()
