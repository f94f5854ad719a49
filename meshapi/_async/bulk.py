"""``client.bulk``: many requests from a JSONL file, paced to the key's limits, resumable.

The decisions are the core's (:mod:`meshapi_core.bulk`: which row next, how many in flight,
when to wait, what to write in the checkpoint); this module is the loop that carries them
out, written once: calls run as tasks here (anyio: asyncio or trio) and as threads in the
blocking twin, ``meshapi/_sync/bulk.py``, which ``scripts/unasync.py`` writes from this
file. The files are :mod:`meshapi._bulk.files`'s; the workers :mod:`meshapi._bulk.workers`'s.
See ``docs/bulk.md``.
"""

from __future__ import annotations

import os
import random
import time
from contextlib import suppress
from decimal import Decimal
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    List,
    Literal,
    Mapping,
    Optional,
    TextIO,
    Union,
)

from meshapi_core.bulk.batching import BatchLimits, BatchPlanner, Part, result_for
from meshapi_core.bulk.checkpoint import Checkpoint, Totals
from meshapi_core.bulk.job import (
    BulkJob,
    BulkSettings,
    BulkSummary,
    Finished,
    LookAtLimits,
    ReadRows,
    SaveCheckpoint,
    SendRow,
    Wait,
)
from meshapi_core.bulk.pacing import Pacer
from meshapi_core.bulk.rows import (
    BadRow,
    InvalidRowError,
    Row,
    encode_record,
    error_record,
    parse_row,
    reply_record,
    usage_of,
)
from meshapi_core.endpoints.batches import BATCHES_CREATE, BATCHES_LIST, BATCHES_WAIT
from meshapi_core.endpoints.models import MODELS_GET
from meshapi_core.endpoints.usage import USAGE_RATE_LIMITS
from meshapi_core.errors import (
    APIConnectionError,
    InvalidArgumentError,
    MeshAPIError,
    RateLimitError,
    ServerError,
)

from .._bulk import workers as _workers
from .._bulk.common import (
    ENDPOINTS,
    MemorySource,
    cost_of,
    new_job_id,
    reply_json,
    report,
    settings_from,
)
from .._bulk.files import Journal
from .._bulk.progress import NO_DISPLAY, Display, make_display
from .engine import AsyncEngine
from .polling import wait_for

if TYPE_CHECKING:
    from meshapi_core.models.batches import Batch

__all__ = ["AsyncBulk"]

PathLike = Union[str, "os.PathLike[str]"]
_REDRAW = 0.2


class AsyncBulk:
    """Bulk work: ``client.bulk.run("rows.jsonl", "out.jsonl")`` sends every row of a
    JSONL file at the pace the key's rate limits allow, records one line per row, and can
    be resumed after any crash; ``client.bulk.map(rows)`` does the same for rows in memory.
    See ``docs/bulk.md``.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def run(
        self,
        input: PathLike,
        output: PathLike,
        *,
        defaults: Optional[Mapping[str, Any]] = None,
        via: Literal["requests", "batches"] = "requests",
        checkpoint: Optional[PathLike] = None,
        max_concurrency: int = 64,
        initial_concurrency: Optional[int] = None,
        max_attempts: int = 5,
        max_wait: float = 900.0,
        rate_limits: bool = True,
        progress: Union[TextIO, Display, None] = None,
        estimate_cost: bool = True,
        batch_limits: Optional[BatchLimits] = None,
    ) -> BulkSummary:
        """Send every row of ``input`` (JSONL, one request a line, each with an ``id``) and
        append one record a row to ``output`` (JSONL: the reply, or the error); return the
        summary.

        The checkpoint (``checkpoint``, default ``<output>.checkpoint``) makes the job
        resumable: run the same call again after a crash, a ``kill -9`` or Ctrl-C and it
        goes on where it stopped; every row is recorded exactly once, a recorded row is
        never sent again, and a row that was in flight goes again with its
        ``Idempotency-Key``. Records arrive in the order replies do: sort by ``line`` for
        the input's order.

        ``defaults`` fills the fields a row's body leaves out (``{"model": ...}``).
        ``via="batches"`` sends the rows through the Batches API instead (chat completions
        only; cheaper, slower). Pacing: the concurrency starts at ``initial_concurrency``
        (default 4) and adapts up to ``max_concurrency``; with ``rate_limits`` the key's
        live counters (``GET /v1/usage/rate-limits``) keep the job within its RPM, TPM and
        RPD. A row gets ``max_attempts`` attempts against retryable failures (a ``429``
        does not count: it pauses the job). A wait longer than ``max_wait`` seconds (a
        daily limit used up) stops the job (``summary.stopped``), to be resumed later.
        ``progress`` is a stream for a progress bar (shown when it is a terminal).
        ``estimate_cost`` reads the catalog's prices when the replies carry no cost.
        """
        display = _display(progress)
        settings = settings_from(
            defaults=defaults,
            max_concurrency=max_concurrency,
            initial_concurrency=initial_concurrency,
            max_attempts=max_attempts,
            max_wait=max_wait,
            rate_limits=rate_limits,
            retry=self._engine.config.retry,
        )
        if via not in ("requests", "batches"):
            raise InvalidArgumentError("via must be 'requests' or 'batches'", param="via")
        limits = batch_limits if batch_limits is not None else BatchLimits()
        journal = Journal(input, output, checkpoint)
        identity = {"defaults": dict(settings.defaults), "via": via}
        try:
            state, done = journal.open(identity, new_job_id())
            if via == "batches":
                summary = await self._batches(journal, state, done, settings, limits, display)
            else:
                from .._bulk.files import count_lines

                job = BulkJob(
                    settings,
                    state,
                    clock=time.monotonic,
                    random=random.random,
                    done=done,
                    total=count_lines(journal.input_path),
                )
                summary = await self._drive(job, journal, journal, display)
        finally:
            display.close()
            journal.close()
        if estimate_cost:
            summary = await self._with_cost(summary, via == "batches")
        return summary

    async def map(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        job_id: Optional[str] = None,
        defaults: Optional[Mapping[str, Any]] = None,
        max_concurrency: int = 64,
        initial_concurrency: Optional[int] = None,
        max_attempts: int = 5,
        max_wait: float = 900.0,
        rate_limits: bool = True,
        pacer: Optional[Pacer] = None,
    ) -> List[Dict[str, Any]]:
        """Send ``rows`` (mappings in the input format of :meth:`run`) and return their
        records (dicts: ``id``, ``line``, ``attempts``, and ``response`` or ``error``), in
        the order of ``rows``. Nothing is written to disk.

        The rows' ``Idempotency-Key`` derive from ``job_id`` (default: a new one) and their
        ids (unique within a job), so a row sent again under the same ``job_id`` (by a task
        that a framework retries) carries the same key. ``pacer`` carries the pacing over
        from one call to the next (one per worker, e.g. in Ray, see ``meshapi.ray``).
        """
        import json

        settings = settings_from(
            defaults=defaults,
            max_concurrency=max_concurrency,
            initial_concurrency=initial_concurrency,
            max_attempts=max_attempts,
            max_wait=max_wait,
            rate_limits=rate_limits,
            retry=self._engine.config.retry,
        )
        state = Checkpoint(job_id or new_job_id(), {}, {})
        job = BulkJob(
            settings,
            state,
            clock=time.monotonic,
            random=random.random,
            checkpoints=False,
            pacer=pacer,
            keys_by_id=True,
        )
        records: List[bytes] = []
        await self._drive(job, MemorySource(rows), _Collect(records), NO_DISPLAY)
        found = [json.loads(line) for chunk in records for line in chunk.splitlines()]
        return sorted(found, key=lambda record: int(record["line"]))

    # -- the loop -------------------------------------------------------------------------

    async def _drive(self, job: BulkJob, source: Any, sink: Any, display: Display) -> BulkSummary:
        """Carry out ``job``'s actions until it finishes (see :mod:`meshapi_core.bulk.job`)."""
        redrawn = 0.0
        try:
            async with _workers.AsyncWorkers(job.settings.pacing.max_concurrency + 1) as workers:
                while True:
                    action = job.next_action()
                    if isinstance(action, SendRow):
                        workers.start(self._send, action)
                    elif isinstance(action, Wait):
                        outcome = await workers.next_outcome(action.seconds)
                        if outcome is not None:
                            records = report(job, *outcome)
                            if records:
                                sink.append(records)
                    elif isinstance(action, ReadRows):
                        lines = source.read_lines(action.count)
                        if lines:
                            records = job.add_lines(lines)
                            if records:
                                sink.append(records)
                        else:
                            job.end_of_input()
                    elif isinstance(action, LookAtLimits):
                        workers.start(self._look, action)
                    elif isinstance(action, SaveCheckpoint):
                        # sync: sink.save(action.checkpoint)
                        await _workers.in_thread(sink.save, action.checkpoint)
                        job.checkpoint_saved()
                    else:
                        assert isinstance(action, Finished)
                        display.update(job.progress())
                        return action.summary
                    if time.monotonic() - redrawn >= _REDRAW:
                        redrawn = time.monotonic()
                        display.update(job.progress())
        except BaseException:
            # Interrupted (Ctrl-C, a cancelled task): what is recorded stays recorded, and
            # the rows in flight go again, with their keys, when the job is run again.
            if isinstance(sink, Journal):
                with suppress(Exception):  # the first error is the one to report
                    sink.save(job.checkpoint_now())
            raise

    async def _send(self, send: SendRow) -> Any:
        """One attempt of a row: its reply's JSON, or the error (never retried here)."""
        engine = self._engine
        try:
            options = {"idempotency_key": send.key, "max_retries": 0}
            call = engine.prepare(ENDPOINTS[send.row.kind], send.row.body, options)
            return reply_json(await engine.run(call))
        except MeshAPIError as error:
            return error

    async def _look(self, action: LookAtLimits) -> Any:
        """Read the key's counters: the :class:`RateLimits`, or the error."""
        engine = self._engine
        try:
            return await engine.run(engine.prepare(USAGE_RATE_LIMITS, None, {"max_retries": 0}))
        except MeshAPIError as error:
            return error

    async def _with_cost(self, summary: BulkSummary, batch: bool) -> BulkSummary:
        """``summary`` with a cost estimated from the catalog's prices, when the replies
        reported none (at most 20 models are looked up; a failed look leaves it unknown)."""
        if summary.cost_usd is not None or not summary.models or len(summary.models) > 20:
            return summary
        prices: Dict[str, Any] = {}
        for model in summary.models:
            try:
                call = self._engine.prepare(MODELS_GET, None, {}, {"model_id": model})
                info = await self._engine.run(call)
            except MeshAPIError:
                return summary
            prices[model] = info.pricing
        cost = cost_of(summary.models, prices, batch=batch)
        if cost is None:
            return summary
        from dataclasses import replace

        return replace(summary, cost_usd=cost, cost_estimated=True)

    # -- through the Batches API ----------------------------------------------------------

    async def _batches(
        self,
        journal: Journal,
        state: Checkpoint,
        done: Any,
        settings: BulkSettings,
        limits: BatchLimits,
        display: Display,
    ) -> BulkSummary:
        """The job through the Batches API (see :mod:`meshapi_core.bulk.batching`)."""
        started = time.monotonic()
        totals = state.totals
        resumed = totals.succeeded + totals.failed
        parts = [Part.from_json(p) for p in state.batches]
        cursor = (parts[-1].end_line, parts[-1].end_offset) if parts else (state.line, state.offset)
        journal.seek(cursor[1])
        input_done = state.complete
        planner = BatchPlanner(limits)
        active = [p for p in parts if not p.recorded]

        def save(complete: bool = False) -> Checkpoint:
            first = next((p for p in parts if not p.recorded), None)
            saved = Totals.from_json(totals.to_json())
            saved.elapsed = totals.elapsed + (time.monotonic() - started)
            line, offset = (first.first_line, first.first_offset) if first else cursor
            return Checkpoint(
                state.job_id, state.input, state.settings, line, offset,
                journal.output_size(), [], saved, complete, [p.to_json() for p in parts],
            )  # fmt: skip

        def record(data: bytes) -> None:
            journal.append(data)

        while True:
            # Plan and submit parts while there is room for another unfinished batch.
            while not input_done and len(active) < limits.max_active:
                first_line, first_offset = cursor
                rows: List[Row] = []
                while True:
                    lines = journal.read_lines(1)
                    if not lines:
                        input_done = True
                        break
                    data, offset, end = lines[0]
                    line = cursor[0]
                    if line in done:
                        cursor = (line + 1, end)
                        continue
                    parsed = _batch_row(data, line, offset, settings, planner)
                    if isinstance(parsed, Row) and not planner.fits(parsed):
                        journal.seek(offset)  # it opens the next part: read it again then
                        break
                    cursor = (line + 1, end)
                    if parsed is None:
                        continue
                    if isinstance(parsed, BadRow):
                        totals.failed += 1
                        record(encode_record(error_record(parsed.id, line, 0, parsed.error)))
                        continue
                    planner.add(parsed)
                    rows.append(parsed)
                requests = planner.take()
                if not requests:
                    break
                end_line, end_offset = cursor
                part = Part(len(parts), first_line, first_offset, end_line, end_offset,
                            rows[0].model)  # fmt: skip
                parts.append(part)
                journal.save(save())  # the part is known before its batch exists
                part.batch_id = await self._create(state.job_id, part, requests)
                journal.save(save())
                active.append(part)
                display.update(_batch_progress(totals, len(active)))
            if not active:
                break
            part = active.pop(0)
            if part.batch_id is None:  # planned by a run that stopped before it was created
                part.batch_id = await self._find_or_create(state, part, settings, journal)
                journal.save(save())
            batch = await wait_for(
                self._engine, BATCHES_WAIT, {"batch_id": part.batch_id}, {}, None, None
            )
            self._record_part(journal, part, batch, done, settings, totals)
            part.recorded = True
            journal.save(save())
            display.update(_batch_progress(totals, len(active)))
        final = save(complete=True)
        journal.save(final)
        return BulkSummary.of(totals, elapsed=final.totals.elapsed, complete=True, resumed=resumed)

    async def _create(self, job_id: str, part: Part, requests: List[Dict[str, Any]]) -> str:
        """Create ``part``'s batch, once: a creation whose answer was lost (the connection
        failed, a ``5xx``) is looked for by its metadata before it is tried again. While
        the gateway's limit of unfinished batches is reached (``429 batch_limit_exceeded``),
        wait the time it names."""
        engine = self._engine
        key = f"bulk-{job_id}-batch-{part.index}"
        body = {"requests": requests, "metadata": part.metadata(job_id)}
        failures = 0
        while True:
            try:
                options = {"idempotency_key": key, "max_retries": 0}
                batch: Batch = await engine.run(engine.prepare(BATCHES_CREATE, body, options))
                return batch.id
            except RateLimitError as error:
                if error.error_code != "batch_limit_exceeded":
                    raise
                await engine.transport.sleep(min(float(error.retry_after_seconds or 60.0), 60.0))
            except (APIConnectionError, ServerError):
                failures += 1
                found = await self._find(job_id, part)
                if found is not None:
                    return found
                if failures >= 5:
                    raise
                await engine.transport.sleep(
                    engine.config.retry.backoff(failures - 1, random.random)
                )

    async def _find(self, job_id: str, part: Part) -> Optional[str]:
        """The id of ``part``'s batch if the gateway has it (among the 100 newest)."""
        wanted = part.metadata(job_id)
        engine = self._engine
        page = await engine.run(engine.prepare(BATCHES_LIST, None, {"limit": 100}))
        for batch in page.data:
            if batch.metadata is not None and all(
                batch.metadata.get(k) == v for k, v in wanted.items()
            ):
                return batch.id
        return None

    async def _find_or_create(
        self, state: Checkpoint, part: Part, settings: BulkSettings, journal: Journal
    ) -> str:
        """The batch of a part planned by a run that stopped before creating it (or before
        hearing back): found by its metadata, else created, its requests read again."""
        found = await self._find(state.job_id, part)
        if found is not None:
            return found
        planner = BatchPlanner(BatchLimits(max_rows=1_000_000, max_bytes=32 * 1024 * 1024))
        for row in _part_rows(journal, part, settings):
            planner.add(row)
        return await self._create(state.job_id, part, planner.take())

    def _record_part(
        self,
        journal: Journal,
        part: Part,
        batch: Batch,
        done: Any,
        settings: BulkSettings,
        totals: Totals,
    ) -> None:
        """Append a record for every row of ``part`` from its finished ``batch``."""
        results = {r.custom_id or "": r.model_dump(mode="json") for r in batch.results or ()}
        out: List[bytes] = []
        for row in _part_rows(journal, part, settings):
            if row.line in done:
                continue
            outcome = result_for(row, results, batch.id, batch.status)
            if "response" in outcome:
                reply = outcome["response"]
                totals.succeeded += 1
                _count(totals, reply, row.model)
                out.append(encode_record(reply_record(row.id, row.line, 1, reply)))
            else:
                totals.failed += 1
                out.append(encode_record(error_record(row.id, row.line, 1, outcome["error"])))
            totals.sent += 1
        journal.append(b"".join(out))


class _Collect:
    """Where :meth:`AsyncBulk.map` puts its records."""

    def __init__(self, records: List[bytes]) -> None:
        self._records = records

    def append(self, data: bytes) -> None:
        self._records.append(data)


def _display(progress: Union[TextIO, Display, None]) -> Display:
    if isinstance(progress, Display):
        return progress
    return make_display(progress)


def _batch_row(
    data: Optional[bytes], line: int, offset: int, settings: BulkSettings, planner: BatchPlanner
) -> Union[Row, BadRow, None]:
    """Input line ``line`` as a row of a batch, a bad row (not a row, not a chat completion,
    an id the batch has already), or ``None`` (blank)."""
    if data is None:
        return BadRow(
            line, offset, None, InvalidRowError(f"line {line}: longer than a request may be")
        )
    parsed = parse_row(data, line, offset, settings.defaults)
    if isinstance(parsed, Row) and parsed.kind != "chat":
        message = f"line {line}: the Batches API takes chat completions only"
        return BadRow(line, offset, parsed.id, InvalidRowError(message))
    if isinstance(parsed, Row) and planner.duplicate(parsed) is not None:
        message = f"line {line}: id {parsed.id!r} is the id of line {planner.duplicate(parsed)} too"
        return BadRow(line, offset, parsed.id, InvalidRowError(message))
    return parsed


def _part_rows(journal: Journal, part: Part, settings: BulkSettings) -> Iterable[Row]:
    """The chat rows of ``part``, read again from the input (the reading position is put
    back afterwards)."""
    reader = Journal.reader(journal.input_path, part.first_offset)
    try:
        line = part.first_line
        seen = set()
        while line < part.end_line:
            lines = reader.read_lines(1)
            if not lines:
                return
            data, offset, _ = lines[0]
            if data is not None:
                parsed = parse_row(data, line, offset, settings.defaults)
                if isinstance(parsed, Row) and parsed.kind == "chat" and parsed.id not in seen:
                    seen.add(parsed.id)
                    yield parsed
            line += 1
    finally:
        reader.close()


def _count(totals: Totals, reply: Mapping[str, Any], model: Optional[str]) -> None:
    prompt, output, total = usage_of(reply)
    totals.prompt_tokens += prompt or 0
    totals.completion_tokens += output or 0
    totals.total_tokens += total or 0
    name = reply.get("model") if isinstance(reply.get("model"), str) else model
    if name:
        counts = totals.models.setdefault(name, [0, 0])
        counts[0] += prompt or 0
        counts[1] += output or 0
    cost = reply.get("cost")
    if isinstance(cost, (str, int, float)) and not isinstance(cost, bool):
        try:
            totals.reported_cost = str(Decimal(totals.reported_cost) + Decimal(str(cost)))
            totals.costed_rows += 1
        except ArithmeticError:
            pass


def _batch_progress(totals: Totals, active: int) -> Any:
    from meshapi_core.bulk.job import Progress

    return Progress(
        rows=totals.succeeded + totals.failed, total=None, in_flight=active, concurrency=active,
        rate_limited=totals.rate_limited, rows_per_second=0.0, tokens_per_second=0.0, eta=None,
    )  # fmt: skip
