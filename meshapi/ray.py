"""Bulk work on Ray Data: :class:`BulkMapper`, a callable class for ``Dataset.map_batches``.

For pipelines that already run on a Ray cluster, or whose pre- and post-processing outgrow
one machine (``pip install 'meshapi-python-sdk[ray]'``)::

    import ray
    from meshapi.ray import BulkMapper

    ds = ray.data.read_json("rows.jsonl")          # one row a line: id, body (, url)
    replies = ds.map_batches(
        BulkMapper,
        fn_constructor_kwargs={"job_id": "eval-2026-12", "workers": 4},
        concurrency=4,                              # four workers (actors)
        batch_size=64,
    )
    replies.write_json("replies/")

Each worker holds one client (made from ``MESHAPI_TOKEN`` and ``MESHAPI_BASE_URL``, or the
``token``/``base_url`` given) and one pacer, which it keeps from batch to batch: the same
adaptive concurrency, ``429`` pauses and rate-limit budgets as ``client.bulk`` on one
machine, each worker taking ``1/workers`` of every budget of the key's live counters. A
row's retries, backoff and error records are the same too: a row that fails ends as a row
with an ``error`` (never an exception that fails the Ray task), so one bad row does not
cost the batch. Each output row has the columns ``id``, ``ok``, ``attempts``,
``response`` (the reply, as JSON text) and ``error`` (the error, as JSON text).

Idempotency keys derive from ``job_id`` and each row's id, so the rows of a task that Ray
runs again are sent again with the keys they had. Checkpoints are Ray's business here: this
mapper writes no files (run ``meshapi bulk`` for a resumable job on one machine).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional

from meshapi_core.bulk.pacing import Pacer, PacingSettings

from ._client import MeshAPI

__all__ = ["BulkMapper"]


def _plain(value: Any) -> Any:
    """``value`` with numpy arrays and scalars (as Ray Data hands batches over) made into
    lists and Python numbers and strings, so it encodes as JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if tolist is not None and not isinstance(value, (str, bytes)):
        return _plain(tolist())
    return value


def _rows(batch: Any) -> List[Dict[str, Any]]:
    """The rows of a batch: a pandas DataFrame, or a dict of columns (numpy or lists)."""
    to_dict = getattr(batch, "to_dict", None)
    if to_dict is not None and not isinstance(batch, Mapping):
        return [_plain(row) for row in to_dict("records")]
    columns = {name: list(values) for name, values in batch.items()}
    count = len(next(iter(columns.values()))) if columns else 0
    return [{name: _plain(values[i]) for name, values in columns.items()} for i in range(count)]


class BulkMapper:
    """A callable class for ``ray.data.Dataset.map_batches`` (see the module docs).

    ``job_id`` names the job (the rows' idempotency keys derive from it and their ids: keep
    it for a rerun of the same job); ``workers`` is how many workers share the key (each
    takes that share of its budgets); ``defaults`` fills the fields a row's body leaves
    out. ``max_concurrency`` bounds each worker's requests in flight; ``client_options``
    go to :class:`~meshapi.MeshAPI`.
    """

    def __init__(
        self,
        *,
        job_id: str,
        workers: int = 1,
        defaults: Optional[Mapping[str, Any]] = None,
        token: Optional[str] = None,
        base_url: Optional[str] = None,
        max_concurrency: int = 32,
        max_attempts: int = 5,
        rate_limits: bool = True,
        client_options: Optional[Mapping[str, Any]] = None,
    ) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a whole number of at least 1, not {workers!r}")
        options = dict(client_options or {})
        if token is not None:
            options["token"] = token
        if base_url is not None:
            options["base_url"] = base_url
        self._client = MeshAPI(**options)
        self._job_id = job_id
        self._defaults = dict(defaults or {})
        self._max_concurrency = max_concurrency
        self._max_attempts = max_attempts
        self._rate_limits = rate_limits
        self._pacer = Pacer(
            PacingSettings(
                initial_concurrency=min(4, max_concurrency),
                max_concurrency=max_concurrency,
                use_rate_limits=rate_limits,
                share=1.0 / workers,
            )
        )

    def __call__(self, batch: Any) -> Dict[str, List[Any]]:
        """Send the batch's rows; one output row for each (see the module docs)."""
        records = self._client.bulk.map(
            _rows(batch),
            job_id=self._job_id,
            defaults=self._defaults,
            max_concurrency=self._max_concurrency,
            max_attempts=self._max_attempts,
            rate_limits=self._rate_limits,
            pacer=self._pacer,
        )
        out: Dict[str, List[Any]] = {
            "id": [], "ok": [], "attempts": [], "response": [], "error": []
        }  # fmt: skip
        for record in records:
            out["id"].append(None if record["id"] is None else str(record["id"]))
            out["ok"].append("response" in record)
            out["attempts"].append(record["attempts"])
            reply, error = record.get("response"), record.get("error")
            out["response"].append(None if reply is None else json.dumps(reply))
            out["error"].append(None if error is None else json.dumps(error))
        return out
