"""Coverage-guided fuzzing of the readers of hostile input, with atheris (libFuzzer).

An opt-in long run, not part of the default suite (``pip install atheris``, which has wheels
for Linux and macOS; here CPython 3.11 gets atheris 3.0.0)::

    .venv/bin/python tests/fuzz/fuzz_main.py sse -max_total_time=600
    .venv/bin/python tests/fuzz/fuzz_main.py error_response -runs=1000000 corpus/

The first argument names a target of ``targets.py`` (``sse``, ``stream``, ``error_response``,
``error_frame``, ``retry_after``, ``json_reply``); the rest go to libFuzzer. Any exception
other than the SDK's own (or a failed bound) stops the run with the input that caused it,
written to ``crash-*``: turn it into a regression test in ``test_properties.py``.
``pytest tests/fuzz --fuzz-seconds=N`` runs every target for N seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for `tests`

import atheris

with atheris.instrument_imports(include=["meshapi_core"]):
    import meshapi_core.errors
    import meshapi_core.sse
    import meshapi_core.streams  # noqa: F401

from tests.fuzz import targets

_STATUSES = [200, 201, 400, 401, 402, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504]
_HEADER_NAMES = ["retry-after", "retry-after-ms", "x-request-id", "content-type"]


def _headers(fdp: Any) -> Dict[str, str]:
    return {
        name: fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 48))
        for name in _HEADER_NAMES
        if fdp.ConsumeBool()
    }


def _chunks(fdp: Any) -> List[bytes]:
    cuts = [fdp.ConsumeIntInRange(0, 1 << 16) for _ in range(fdp.ConsumeIntInRange(0, 8))]
    return targets.split(fdp.ConsumeBytes(fdp.remaining_bytes()), cuts)


# Random bytes are rarely JSON: half the time, the fuzzed bytes are put inside an envelope.
_WRAPS = [
    (b"", b""),
    (b'{"error": {', b"}}"),
    (b'{"error": {"code": "x", "message": ', b"}}"),
    (b'{"detail": ', b"}"),
    (b'{"choices": [{"index": 0, "message": {', b"}}]}"),
]


def _body(fdp: Any) -> bytes:
    head, tail = fdp.PickValueInList(_WRAPS)
    return head + fdp.ConsumeBytes(fdp.remaining_bytes()) + tail


def _now(fdp: Any) -> Any:
    return fdp.ConsumeFloatInRange(0.0, 4e9) if fdp.ConsumeBool() else None


def _sse(fdp: Any) -> None:
    limit = fdp.ConsumeIntInRange(1, 4096)
    targets.sse(_chunks(fdp), limit)


def _stream(fdp: Any) -> None:
    tagged, limit, head = fdp.ConsumeBool(), fdp.ConsumeIntInRange(1, 1 << 16), _headers(fdp)
    targets.stream(_chunks(fdp), head, tagged, limit)


def _error_response(fdp: Any) -> None:
    status = fdp.PickValueInList(_STATUSES) if fdp.ConsumeBool() else fdp.ConsumeIntInRange(0, 999)
    head, now = _headers(fdp), _now(fdp)
    targets.error_response(status, head, _body(fdp), now)


def _error_frame(fdp: Any) -> None:
    head = _headers(fdp)
    targets.error_frame(_body(fdp), head)


def _retry_after(fdp: Any) -> None:
    now = _now(fdp)
    targets.retry_after(_headers(fdp), now)


def _json_reply(fdp: Any) -> None:
    status, head = fdp.PickValueInList([200, 201, 204]), _headers(fdp)
    targets.json_reply(status, head, _body(fdp))


HARNESSES: Dict[str, Callable[[Any], None]] = {
    "sse": _sse,
    "stream": _stream,
    "error_response": _error_response,
    "error_frame": _error_frame,
    "retry_after": _retry_after,
    "json_reply": _json_reply,
}


def main(argv: List[str]) -> None:
    if len(argv) < 2 or argv[1] not in HARNESSES:
        sys.exit(f"usage: {argv[0]} {{{','.join(HARNESSES)}}} [libFuzzer options]")
    harness = HARNESSES[argv[1]]

    def test_one_input(data: bytes) -> None:
        harness(atheris.FuzzedDataProvider(data))

    atheris.Setup([argv[0], *argv[2:]], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
