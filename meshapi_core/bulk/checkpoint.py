"""A bulk job's checkpoint, and how a rerun finds where the last run stopped.

Theory of operation. The output file is the record of what is done: a row is done once its
line (reply or error) is in the output, whole. The checkpoint, a small JSON file next to the
output, says how to find that out without reading the whole output again:

- ``line``/``offset``: the *watermark*, the first input line not known to be done (every
  line before it is in the output), and its byte offset in the input, so a rerun seeks there;
- ``output_size``: how many bytes of the output were on disk (flushed and ``fsync``-ed)
  when the checkpoint was written; the checkpoint never counts a byte that a crash could
  still take back;
- ``ahead``: the lines past the watermark already done at that moment (at most the job's
  window of rows read ahead);
- the job's id (from which every row's ``Idempotency-Key`` is derived: a row sent again
  carries the key it had), what the input was, the settings that shape the requests, and
  the running totals of the summary.

The order of writes makes every moment of a crash safe: the checkpoint with the job's id is
written (to a temporary file, ``fsync``, renamed over the old one, the folder ``fsync``-ed)
before the first request is sent; each reply's line is appended in one write; before each
checkpoint the output is ``fsync``-ed. On a rerun, the output past ``output_size`` (what
was written since the last checkpoint) is read with :class:`OutputScanner`: every whole line
there is done too, and the first line that is torn (no newline: the write was cut) or not a
record is where the output is cut back to, so the row it was for is sent again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from ..errors import MeshAPIError
from .rows import usage_of

__all__ = [
    "FORMAT",
    "MAX_TAIL_LINE",
    "Checkpoint",
    "CheckpointError",
    "OutputScanner",
    "Totals",
]

MAX_MODELS = 1000
"""The most models whose tokens the totals count one by one."""
FORMAT = "meshapi-bulk/1"
"""The ``format`` of a checkpoint this release writes and reads."""
MAX_TAIL_LINE = 64 * 1024 * 1024
"""The longest output line a rerun reads back (64 MiB); a longer one is cut as torn."""


class CheckpointError(MeshAPIError):
    """A checkpoint that cannot be resumed from: unreadable, of another format, for
    another input or other settings, or an output that does not match it
    (``checkpoint_mismatch``). Nothing is changed on disk."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_code="checkpoint_mismatch")


@dataclass
class Totals:
    """The running totals of a job, kept across runs in its checkpoint."""

    succeeded: int = 0
    failed: int = 0
    retried: int = 0
    rate_limited: int = 0
    sent: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    reported_cost: str = "0"
    """The sum of the ``cost`` the replies reported (a decimal string, USD)."""
    costed_rows: int = 0
    """How many replies reported a ``cost``."""
    elapsed: float = 0.0
    """Seconds spent running, over every run so far."""
    models: Dict[str, List[int]] = field(default_factory=dict)
    """Prompt and completion tokens by model (at most :data:`MAX_MODELS` models)."""

    def add_record(self, record: Mapping[str, Any]) -> None:
        """Count one output record (its reply's tokens, by model), as written."""
        reply = record.get("response")
        if not isinstance(reply, dict):
            self.failed += 1
            return
        self.succeeded += 1
        prompt, output, total = usage_of(reply)
        self.prompt_tokens += prompt or 0
        self.completion_tokens += output or 0
        self.total_tokens += total or 0
        model = reply.get("model")
        if isinstance(model, str) and (model in self.models or len(self.models) < MAX_MODELS):
            counts = self.models.setdefault(model, [0, 0])
            counts[0] += prompt or 0
            counts[1] += output or 0

    def merge(self, other: Totals) -> None:
        """Add ``other``'s rows and tokens (what a rerun found past the checkpoint)."""
        for name in ("succeeded", "failed", "prompt_tokens", "completion_tokens", "total_tokens"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for model, (prompt, output) in other.models.items():
            if model in self.models or len(self.models) < MAX_MODELS:
                counts = self.models.setdefault(model, [0, 0])
                counts[0] += prompt
                counts[1] += output

    def to_json(self) -> Dict[str, Any]:
        """As written in the checkpoint."""
        return {
            "succeeded": self.succeeded,
            "failed": self.failed,
            "retried": self.retried,
            "rate_limited": self.rate_limited,
            "sent": self.sent,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "reported_cost": self.reported_cost,
            "costed_rows": self.costed_rows,
            "elapsed": round(self.elapsed, 3),
            "models": self.models,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Totals:
        """Read back what :meth:`to_json` wrote."""
        totals = cls()
        for name in ("succeeded", "failed", "retried", "rate_limited", "sent", "prompt_tokens",
                     "completion_tokens", "total_tokens", "costed_rows"):  # fmt: skip
            number = value.get(name, 0)
            setattr(totals, name, number if isinstance(number, int) else 0)
        totals.reported_cost = str(value.get("reported_cost", "0"))
        elapsed = value.get("elapsed", 0.0)
        totals.elapsed = float(elapsed) if isinstance(elapsed, (int, float)) else 0.0
        models = value.get("models", {})
        if isinstance(models, dict):
            totals.models = {
                str(k): [int(v[0]), int(v[1])]
                for k, v in models.items()
                if isinstance(v, list) and len(v) == 2
            }
        return totals


@dataclass
class Checkpoint:
    """Where a job stands (see the module docs)."""

    job_id: str
    input: Dict[str, Any]
    """What the input was (path, size, a digest of its start): a rerun must read the same."""
    settings: Dict[str, Any]
    """The settings that shape the requests (defaults, mode): a rerun must have the same."""
    line: int = 1
    offset: int = 0
    output_size: int = 0
    ahead: List[int] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    complete: bool = False
    """Every row of the input is done."""
    batches: List[Dict[str, Any]] = field(default_factory=list)
    """For a job sent through the Batches API: its batches (see :mod:`.batching`)."""

    def encode(self) -> bytes:
        """The checkpoint file's bytes.

        >>> Checkpoint("j1", {"size": 3}, {}).encode()[:40]
        b'{"format":"meshapi-bulk/1","job_id":"j1"'
        """
        value = {
            "format": FORMAT,
            "job_id": self.job_id,
            "input": self.input,
            "settings": self.settings,
            "line": self.line,
            "offset": self.offset,
            "output_size": self.output_size,
            "ahead": sorted(self.ahead),
            "complete": self.complete,
            "totals": self.totals.to_json(),
            "batches": self.batches,
        }
        return (json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n").encode()

    @classmethod
    def decode(cls, data: bytes) -> Checkpoint:
        """Read a checkpoint file's bytes; a :class:`CheckpointError` if they are not one.

        >>> Checkpoint.decode(Checkpoint("j1", {}, {}, line=7).encode()).line
        7
        >>> Checkpoint.decode(b"{}")
        Traceback (most recent call last):
        ...
        meshapi_core.bulk.checkpoint.CheckpointError: not a checkpoint of this SDK (format \
None, expected 'meshapi-bulk/1') (code checkpoint_mismatch)
        """
        try:
            value = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise CheckpointError("the checkpoint is not JSON (damaged?)") from None
        if not isinstance(value, dict) or value.get("format") != FORMAT:
            found = value.get("format") if isinstance(value, dict) else None
            raise CheckpointError(
                f"not a checkpoint of this SDK (format {found!r}, expected {FORMAT!r})"
            )
        try:
            checkpoint = cls(
                job_id=_text(value["job_id"]),
                input=dict(value["input"]),
                settings=dict(value["settings"]),
                line=_count(value["line"], 1),
                offset=_count(value["offset"], 0),
                output_size=_count(value["output_size"], 0),
                ahead=[_count(n, 1) for n in value.get("ahead", [])],
                totals=Totals.from_json(value.get("totals", {})),
                complete=value.get("complete") is True,
                batches=[dict(b) for b in value.get("batches", [])],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise CheckpointError(f"the checkpoint is damaged ({error})") from None
        return checkpoint

    def check_same_job(self, input: Mapping[str, Any], settings: Mapping[str, Any]) -> None:
        """Raise :class:`CheckpointError` unless a rerun with ``input`` and ``settings`` is
        the job this checkpoint is for."""
        for name, then, now in (("input", self.input, input), ("settings", self.settings,
                                                                 settings)):  # fmt: skip
            changed = sorted(k for k in set(then) | set(now) if then.get(k) != now.get(k))
            if changed:
                raise CheckpointError(
                    f"the {name} changed since the checkpoint was written "
                    f"({', '.join(changed)}): resume with the same input and options, or "
                    "write to another output"
                )


def _count(value: Any, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{value!r} is not a count of at least {least}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{value!r} is not a job id")
    return value


class OutputScanner:
    """Reads the output written since the last checkpoint, chunk by chunk: which lines are
    done, and where the whole records end.

    >>> scanner = OutputScanner()
    >>> scanner.feed(b'{"id":"a","line":4,"response":{}}\\n{"id":"b","li')
    >>> scanner.good_bytes, sorted(scanner.lines)
    (34, [4])
    """

    def __init__(self, max_line: int = MAX_TAIL_LINE) -> None:
        self.good_bytes = 0
        """Bytes of whole records from the start of what was fed."""
        self.lines: Set[int] = set()
        """The input lines of those records."""
        self.tally = Totals()
        """What those records count for the summary (rows, tokens), which the checkpoint's
        totals do not hold yet."""
        self.broken = False
        """A line that is not a record was found: nothing after it counts."""
        self._pending = bytearray()
        self._max_line = max_line

    def feed(self, data: bytes) -> None:
        """The next bytes of the output."""
        if self.broken:
            return
        self._pending += data
        while not self.broken:
            end = self._pending.find(b"\n")
            if end < 0:
                if len(self._pending) > self._max_line:
                    self.broken = True
                return
            record = bytes(self._pending[:end])
            del self._pending[: end + 1]
            found = _record(record)
            if found is None:
                self.broken = True
                return
            line, value = found
            self.lines.add(line)
            self.tally.add_record(value)
            self.good_bytes += end + 1


def _record(record: bytes) -> Optional[Tuple[int, Dict[str, Any]]]:
    try:
        value = json.loads(record.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(value, dict) or ("response" not in value and "error" not in value):
        return None
    line = value.get("line")
    if isinstance(line, int) and not isinstance(line, bool) and line > 0:
        return line, value
    return None
