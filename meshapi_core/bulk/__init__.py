"""Bulk work without I/O: rows in, records out, the pacing, the checkpoint, the batches.

``client.bulk`` (blocking or async) and ``meshapi bulk`` drive these machines; see
``docs/bulk.md``. Modules:

- :mod:`~meshapi_core.bulk.rows`: input lines to rows, replies and errors to output records;
- :mod:`~meshapi_core.bulk.pacing`: the concurrency that adapts and the key's rate limits;
- :mod:`~meshapi_core.bulk.job`: the job machine (what to read, send, wait for, save);
- :mod:`~meshapi_core.bulk.checkpoint`: the checkpoint, and finding where a run stopped;
- :mod:`~meshapi_core.bulk.batching`: the same rows through the Batches API.
"""

from .checkpoint import Checkpoint, CheckpointError, OutputScanner, Totals
from .job import (
    BulkJob,
    BulkSettings,
    BulkSummary,
    Finished,
    LookAtLimits,
    Progress,
    ReadRows,
    SaveCheckpoint,
    SendRow,
    Wait,
)
from .pacing import Pacer, PacingSettings
from .rows import BadRow, InvalidRowError, Row, idempotency_key, parse_row

__all__ = [
    "BadRow",
    "BulkJob",
    "BulkSettings",
    "BulkSummary",
    "Checkpoint",
    "CheckpointError",
    "Finished",
    "InvalidRowError",
    "LookAtLimits",
    "OutputScanner",
    "Pacer",
    "PacingSettings",
    "Progress",
    "ReadRows",
    "Row",
    "SaveCheckpoint",
    "SendRow",
    "Totals",
    "Wait",
    "idempotency_key",
    "parse_row",
]
