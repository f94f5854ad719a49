"""The same rows through the Batches API: how they are split into batches, how each batch
is remembered in the checkpoint, and how its results become records.

Theory of operation. The gateway runs a batch of chat completions later, at batch prices
(``docs/gateway/api.md`` §12): every request of a batch must name the same model, a
request body may be at most 32 MiB, and an owner may have 10 unfinished batches. So the
rows, read in order, are cut into *parts*: a part ends where the model changes, at
:attr:`BatchLimits.max_rows` rows, or before its body would pass
:attr:`BatchLimits.max_bytes`. Each part is a range of input lines; only its chat rows go
into the batch (a row of another kind, or a line that is not a row, is an error record at
once), each with its id as ``custom_id``.

A part is written into the checkpoint before its batch is created (with an
``Idempotency-Key`` derived from the job and the part, and the job and part in the batch's
``metadata``), then again with the batch's id once created, so a rerun never creates a
part's batch twice: a part without an id is looked for among the batches by its metadata
before it is created again. Once its batch is over, the part's lines are read again and
each row gets its record: the reply of its result, matched on ``custom_id``, or an error
(the result's own, or the batch's end: ``failed``, ``expired``, ``cancelled``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from ..errors import InvalidArgumentError, MeshAPIError, error_from_response
from .rows import Row, RowId

__all__ = [
    "BatchLimits",
    "BatchPlanner",
    "BatchRowError",
    "Part",
    "custom_id",
    "result_for",
]


class BatchRowError(MeshAPIError):
    """A row of a batch that got no reply: its result's error, or the batch's end
    (``batch_failed``, ``batch_expired``, ``batch_cancelled``)."""


@dataclass(frozen=True)
class BatchLimits:
    """How big a batch may be."""

    max_rows: int = 50_000
    """Requests in one batch."""
    max_bytes: int = 16 * 1024 * 1024
    """The body of ``POST /v1/batches`` (the gateway takes 32 MiB)."""
    max_active: int = 8
    """Batches of the job unfinished at once (the gateway allows an owner 10)."""

    def __post_init__(self) -> None:
        for name, least, most in (("max_rows", 1, 1_000_000), ("max_bytes", 1024,
                                   32 * 1024 * 1024), ("max_active", 1, 10)):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
                raise InvalidArgumentError(
                    f"{name} must be a whole number from {least} to {most}, not {value!r}",
                    param=name,
                )


@dataclass
class Part:
    """One batch of the job: the input lines it covers, and the batch once created."""

    index: int
    first_line: int
    first_offset: int
    end_line: int
    """The line after its last."""
    end_offset: int
    model: Optional[str] = None
    batch_id: Optional[str] = None
    recorded: bool = False

    def to_json(self) -> Dict[str, Any]:
        """As kept in the checkpoint."""
        return {
            "index": self.index,
            "first_line": self.first_line,
            "first_offset": self.first_offset,
            "end_line": self.end_line,
            "end_offset": self.end_offset,
            "model": self.model,
            "batch_id": self.batch_id,
            "recorded": self.recorded,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Part:
        """Read back what :meth:`to_json` wrote."""
        return cls(
            index=int(value["index"]),
            first_line=int(value["first_line"]),
            first_offset=int(value["first_offset"]),
            end_line=int(value["end_line"]),
            end_offset=int(value["end_offset"]),
            model=value.get("model"),
            batch_id=value.get("batch_id"),
            recorded=value.get("recorded") is True,
        )

    def metadata(self, job_id: str) -> Dict[str, str]:
        """The batch's ``metadata``, by which a rerun finds it again."""
        return {"meshapi_bulk_job": job_id, "meshapi_bulk_part": str(self.index)}


def custom_id(row_id: RowId) -> str:
    """A row's ``custom_id`` in a batch: its id, as a string.

    >>> custom_id("q1"), custom_id(7)
    ('q1', '7')
    """
    return row_id if isinstance(row_id, str) else json.dumps(row_id)


@dataclass
class BatchPlanner:
    """Cuts rows into batches within :class:`BatchLimits` (see the module docs)."""

    limits: BatchLimits
    requests: List[Dict[str, Any]] = field(default_factory=list)
    model: Optional[str] = None
    size: int = 0
    _ids: Dict[str, int] = field(default_factory=dict)

    def fits(self, row: Row) -> bool:
        """Whether ``row`` may join the batch being gathered."""
        if not self.requests:
            return True
        return (
            row.model == self.model
            and len(self.requests) < self.limits.max_rows
            and self.size + _size(row) + 1 <= self.limits.max_bytes - 1024
        )

    def duplicate(self, row: Row) -> Optional[int]:
        """The line of an earlier row of the batch with the same id, if any."""
        return self._ids.get(custom_id(row.id))

    def add(self, row: Row) -> None:
        """Add ``row`` (which :meth:`fits`) to the batch being gathered."""
        if not self.requests:
            self.model = row.model
        request = {"custom_id": custom_id(row.id), "body": row.body}
        self.requests.append(request)
        self._ids[custom_id(row.id)] = row.line
        self.size += _size(row) + 1

    def take(self) -> List[Dict[str, Any]]:
        """The requests gathered, and a fresh start."""
        requests = self.requests
        self.requests, self.model, self.size, self._ids = [], None, 0, {}
        return requests


def _size(row: Row) -> int:
    return len(json.dumps(row.body, separators=(",", ":"), ensure_ascii=False).encode()) + 64


def result_for(
    row: Row, results: Mapping[str, Any], batch_id: str, status: Optional[str]
) -> Dict[str, Any]:
    """What ``row`` got from its batch: ``{"response": body}`` or ``{"error": MeshAPIError}``.

    ``results`` maps ``custom_id`` to the batch's result objects (JSON).

    >>> row = Row(1, 0, "q1", "chat", {}, 1, None)
    >>> result_for(row, {"q1": {"response": {"status_code": 200, "body": {"id": "c"}}}},
    ...            "batch_1", "completed")
    {'response': {'id': 'c'}}
    >>> result_for(row, {}, "batch_1", "expired")["error"].error_code
    'batch_expired'
    """
    result = results.get(custom_id(row.id))
    if not isinstance(result, dict):
        return {
            "error": BatchRowError(
                f"batch {batch_id} ended {status or 'without a status'} with no result for "
                f"this row",
                error_code=f"batch_{status or 'failed'}",
            )
        }
    response = result.get("response")
    error = result.get("error")
    if isinstance(response, dict):
        status_code = response.get("status_code")
        body = response.get("body")
        if isinstance(status_code, int) and 200 <= status_code < 300 and isinstance(body, dict):
            return {"response": body}
        if isinstance(status_code, int) and status_code >= 400:
            raw = json.dumps(body).encode() if body is not None else b""
            headers = {"content-type": "application/json"}
            return {"error": error_from_response(status_code, headers, raw)}
    if isinstance(error, dict):
        message = str(error.get("message") or "the batch request failed")
        code = str(error.get("code") or "batch_request_failed")
        return {"error": BatchRowError(message, error_code=code)}
    if isinstance(error, str):
        return {"error": BatchRowError(error, error_code="batch_request_failed")}
    return {"error": BatchRowError("the batch's result has no response",
                                   error_code="batch_request_failed")}  # fmt: skip
