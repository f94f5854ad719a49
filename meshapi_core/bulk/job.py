"""The bulk job machine: which row to send next, when to wait, when to save a checkpoint.

Theory of operation. A :class:`BulkJob` makes every decision of a job and does no I/O, in
the style of the :mod:`~meshapi_core.calls` machine. A driver (``client.bulk``, blocking or
async, or a Ray worker) asks what to do and reports what happened::

    action = job.next_action()
    ReadRows(n)        -> read up to n input lines; job.add_lines([(bytes, offset), ...]),
                          or job.end_of_input()
    SendRow(row, key)  -> start the call (with that Idempotency-Key, no retries of its own);
                          when it ends: job.receive_reply(send, reply) / receive_error(...)
    LookAtLimits()     -> start GET /v1/usage/rate-limits; job.limits_read(...) when it ends
    SaveCheckpoint(cp) -> fsync the output, then write cp.encode() atomically;
                          job.checkpoint_saved()
    Wait(seconds)      -> wait until a call or look ends, or ``seconds`` pass (None: no limit)
    Finished(summary)  -> the job is done, or stopped (``summary.stopped`` says why)

Every method that records rows (``add_lines``, ``receive_reply``, ``receive_error``)
returns the output bytes to append; the driver appends them, in one write, before it asks
for the next action. The machine counts them as recorded from then on.

Rows are read only while the *window* (the rows from the oldest one not done to the last one
read) has room, so memory holds at most :attr:`BulkSettings.window` rows whatever the
input's size; a row that is slow to finish (retrying) holds the window's start. How many
rows are in flight and when the next may go is the :class:`~.pacing.Pacer`'s decision.

A row ends with its reply, with an error that retrying cannot cure (a ``400``, a ``422``, a
body the SDK refuses before sending), or with the last retryable error once
:attr:`BulkSettings.max_attempts` attempts failed. An error that is not the row's (the key
refused, out of credit, not allowed; a gateway that cannot be reached) stops the job
instead, leaving the row unrecorded, to be resumed once the cause is cured. A ``429`` is
the pacing's business: it pauses the whole job and the row goes again, without counting
against its attempts (up to :attr:`BulkSettings.max_rate_limited` times).
"""

from __future__ import annotations

import heapq
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import (
    Any,
    Callable,
    Deque,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Set,
    Tuple,
    Union,
)

from ..errors import (
    APIConnectionError,
    AuthenticationError,
    InvalidArgumentError,
    MeshAPIError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
)
from ..models.usage import RateLimits
from ..retry import RetryPolicy
from .checkpoint import MAX_MODELS, Checkpoint, Totals
from .pacing import Pacer, PacingSettings
from .rows import (
    BadRow,
    InvalidRowError,
    Row,
    RowId,
    encode_record,
    error_record,
    estimate_tokens,
    idempotency_key,
    parse_row,
    reply_record,
    usage_of,
)

__all__ = [
    "MAX_MODELS",
    "Action",
    "BulkJob",
    "BulkSettings",
    "BulkSummary",
    "Finished",
    "LookAtLimits",
    "Progress",
    "ReadRows",
    "SaveCheckpoint",
    "SendRow",
    "Wait",
]

_READ_BATCH = 256


@dataclass(frozen=True)
class BulkSettings:
    """How a job runs (the pacing's settings in :attr:`pacing`)."""

    defaults: Mapping[str, Any] = field(default_factory=dict)
    """Fields every row's body gets unless it sets them (``{"model": ...}``)."""
    max_attempts: int = 5
    """Attempts of a row before a retryable error becomes its record."""
    max_rate_limited: int = 100
    """``429`` answers a row may get before the last one becomes its record."""
    window: int = 4096
    """The most rows held at once (read but not done)."""
    max_wait: float = 900.0
    """The longest the job waits for a rate limit to reset (an RPD limit used up, a long
    ``Retry-After``): a longer wait stops the job instead, to be resumed later."""
    checkpoint_interval: float = 1.0
    """Seconds between checkpoints (while rows get done)."""
    checkpoint_rows: int = 1000
    """Rows recorded between checkpoints, at most."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    """What is worth retrying and the backoff between attempts (its ``max_retries`` is
    not used: :attr:`max_attempts` is)."""
    pacing: PacingSettings = field(default_factory=PacingSettings)
    """How fast to send (see :mod:`~meshapi_core.bulk.pacing`)."""

    def __post_init__(self) -> None:
        for name, least in (("max_attempts", 1), ("max_rate_limited", 0), ("window", 1),
                            ("checkpoint_rows", 1)):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise InvalidArgumentError(
                    f"{name} must be a whole number of at least {least}, not {value!r}",
                    param=name,
                )
        for name in ("max_wait", "checkpoint_interval"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise InvalidArgumentError(
                    f"{name} must be a number of seconds, not {value!r}", param=name
                )


@dataclass(frozen=True)
class ReadRows:
    """Read up to ``count`` more input lines."""

    count: int


@dataclass(frozen=True)
class SendRow:
    """Send ``row`` now, with ``key`` as its ``Idempotency-Key`` and no retries of the
    call's own (the job retries); ``attempt`` counts from 1."""

    row: Row
    key: str
    attempt: int
    estimate: int
    """The tokens it is expected to use."""
    sent_at: float


@dataclass(frozen=True)
class LookAtLimits:
    """Read the key's counters: ``GET /v1/usage/rate-limits``."""


@dataclass(frozen=True)
class SaveCheckpoint:
    """``fsync`` the output, then write ``checkpoint`` (whose ``output_size`` is what the
    output holds now) atomically."""

    checkpoint: Checkpoint


@dataclass(frozen=True)
class Wait:
    """Wait for a call or a look to end, or ``seconds`` (``None``: no limit but that)."""

    seconds: Optional[float]


@dataclass(frozen=True)
class BulkSummary:
    """What a job did, over every run of it: rows, tokens, cost, time.

    ``cost_usd`` is the sum of the ``cost`` the replies reported, or ``None`` when none did
    (the facade may then estimate it from the catalog's prices: ``cost_estimated``).
    """

    rows: int
    """Rows recorded (succeeded and failed)."""
    succeeded: int
    failed: int
    retried: int
    """Attempts after a row's first (``429`` included)."""
    rate_limited: int
    """``429`` answers (calls and looks at the counters)."""
    sent: int
    """Requests sent for rows."""
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    elapsed: float
    """Seconds spent running, over every run of the job."""
    complete: bool
    """Every input row is recorded."""
    stopped: Optional[str] = None
    """Why the job stopped before the end (it can be resumed), or ``None``."""
    resumed: int = 0
    """Rows already recorded when this run started."""
    cost_usd: Optional[str] = None
    cost_estimated: bool = False
    models: Mapping[str, List[int]] = field(default_factory=dict)
    """Prompt and completion tokens by model."""

    @classmethod
    def of(
        cls,
        totals: Totals,
        *,
        elapsed: float,
        complete: bool,
        stopped: Optional[str] = None,
        resumed: int = 0,
    ) -> BulkSummary:
        """The summary of a job's running ``totals``."""
        return cls(
            rows=totals.succeeded + totals.failed,
            succeeded=totals.succeeded,
            failed=totals.failed,
            retried=totals.retried,
            rate_limited=totals.rate_limited,
            sent=totals.sent,
            prompt_tokens=totals.prompt_tokens,
            completion_tokens=totals.completion_tokens,
            total_tokens=totals.total_tokens,
            elapsed=elapsed,
            complete=complete,
            stopped=stopped,
            resumed=resumed,
            cost_usd=totals.reported_cost if totals.costed_rows else None,
            models={k: list(v) for k, v in totals.models.items()},
        )

    def to_dict(self) -> Dict[str, Any]:
        """The summary as JSON-ready values (``--json``)."""
        return {
            "rows": self.rows,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "retried": self.retried,
            "rate_limited": self.rate_limited,
            "sent": self.sent,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "cost_usd": self.cost_usd,
            "cost_estimated": self.cost_estimated,
            "elapsed": round(self.elapsed, 3),
            "complete": self.complete,
            "stopped": self.stopped,
            "resumed": self.resumed,
            "models": dict(self.models),
        }


@dataclass(frozen=True)
class Finished:
    """The job is over (``summary.complete``), or stopped early (``summary.stopped``)."""

    summary: BulkSummary


@dataclass(frozen=True)
class Progress:
    """A job's progress, for a display: rows, rates, the pacing's state."""

    rows: int
    """Rows recorded so far (all runs)."""
    total: Optional[int]
    """Rows in the input, when known."""
    in_flight: int
    concurrency: int
    rate_limited: int
    rows_per_second: float
    tokens_per_second: float
    eta: Optional[float]
    """Seconds left at the current rate, when the total is known."""


Action = Union[ReadRows, SendRow, LookAtLimits, SaveCheckpoint, Wait, Finished]
"""What :meth:`BulkJob.next_action` asks the driver to do."""


class _Slot:
    __slots__ = ("attempts", "done", "limited", "row")

    def __init__(self, row: Optional[Row]) -> None:
        self.row = row
        self.attempts = 0
        self.limited = 0
        self.done = row is None


class BulkJob:
    """One job's decisions (see the module docs).

    ``clock`` is monotonic seconds; ``checkpoint`` the job's state at the start (its id, the
    watermark and the lines done past it, the totals): a fresh one for a new job. With
    ``checkpoints=False`` (rows given in memory) no :class:`SaveCheckpoint` is asked for.
    ``total`` is the number of input lines, when known (for the ETA). With ``keys_by_id``
    a row's ``Idempotency-Key`` derives from its id rather than its line (rows given in
    memory, whose places change from one call to the next).
    """

    def __init__(
        self,
        settings: BulkSettings,
        checkpoint: Checkpoint,
        *,
        clock: Callable[[], float],
        random: Callable[[], float],
        done: Iterable[int] = (),
        checkpoints: bool = True,
        total: Optional[int] = None,
        pacer: Optional[Pacer] = None,
        keys_by_id: bool = False,
    ) -> None:
        self.settings = settings
        self._keys_by_id = keys_by_id
        self.checkpoint = checkpoint
        self.pacer = pacer if pacer is not None else Pacer(settings.pacing)
        self._clock = clock
        self._random = random
        self._checkpoints = checkpoints
        self._total = total
        self._totals = checkpoint.totals
        self._resumed = self._totals.succeeded + self._totals.failed
        self._started = clock()
        self._window: OrderedDict[int, _Slot] = OrderedDict()
        self._ids: Dict[RowId, int] = {}
        self._done_ahead: Set[int] = set(done) | set(checkpoint.ahead)
        self._next_line = checkpoint.line
        self._next_offset = checkpoint.offset
        self._output_size = checkpoint.output_size
        self._ready: Deque[int] = deque()
        self._retries: List[Tuple[float, int]] = []
        self._in_flight = 0
        self._looking = False
        self._input_done = checkpoint.complete
        self._reading = False
        self._stopped: Optional[str] = None
        self._finished = False
        self._recorded_since = 0
        self._last_saved = self._started
        self._unsaved = not checkpoint.complete
        self._rate: List[Tuple[float, int, int]] = []  # (time, rows, tokens) for the rates
        self._rows_now = self._resumed
        self._tokens_now = 0

    # -- the driver's questions -----------------------------------------------------------

    def next_action(self) -> Action:
        """What the driver does now (see the module docs)."""
        if self._finished:
            raise RuntimeError("the job has finished")
        now = self._clock()
        if self._reading:
            raise RuntimeError("next_action() called before the last ReadRows was answered")
        if self._stopped is not None or self._all_done():
            if self._in_flight or self._looking:
                return Wait(None)
            if self._checkpoints and self._unsaved:
                return self._save(now)
            self._finished = True
            return Finished(self.summary())
        if self._checkpoints and self._checkpoint_due(now):
            return self._save(now)
        if self.pacer.wants_look(now) and not self._looking:
            self._looking = True
            self.pacer.looking(now, self._in_flight)
            return LookAtLimits()
        while self._retries and self._retries[0][0] <= now:
            self._ready.append(heapq.heappop(self._retries)[1])
        if not self._ready and not self._input_done and self._room() > 0:
            self._reading = True
            return ReadRows(min(self._room(), _READ_BATCH))
        waits: List[float] = []
        if self._ready:
            slot = self._window[self._ready[0]]
            assert slot.row is not None
            estimate = estimate_tokens(slot.row, self.pacer.expected_output_tokens)
            wait = self.pacer.wait_before_send(now, self._in_flight, estimate)
            if wait == 0.0:
                return self._send(self._ready.popleft(), slot, slot.row, estimate, now)
            if wait is not None:
                waits.append(wait)
        if self._retries:
            waits.append(self._retries[0][0] - now)
        look = self.pacer.next_look_at()
        if look is not None:
            waits.append(look - now)
        if self._checkpoints and self._recorded_since:
            waits.append(self._last_saved + self.settings.checkpoint_interval - now)
        seconds = max(0.0, min(waits)) if waits else None
        if not self._in_flight and not self._looking:
            if seconds is None:
                raise RuntimeError("the job has nothing to wait for")  # a bug, not a state
            if seconds > self.settings.max_wait:
                self.stop(
                    f"the key's rate limit asks for a wait of {seconds:.0f} s, longer than "
                    f"max_wait ({self.settings.max_wait:g} s); run the job again later to "
                    "resume it"
                )
                return self.next_action()
        return Wait(seconds)

    # -- what the driver reports ----------------------------------------------------------

    def add_lines(self, lines: Iterable[Tuple[Optional[bytes], int, int]]) -> bytes:
        """The input lines read for the last :class:`ReadRows`, each as (its bytes, its
        start offset, its end offset); the bytes are ``None`` for a line too long to read.
        Fewer than asked for is fine; the end of the input is :meth:`end_of_input`.
        Returns the records to append: of lines that are not rows."""
        self._reading = False
        out: List[bytes] = []
        for data, offset, end in lines:
            line = self._next_line
            self._next_line += 1
            self._next_offset = end
            if line in self._done_ahead:
                self._done_ahead.discard(line)
                self._window[line] = _Slot(None)
                continue
            if data is None:
                self._window[line] = _Slot(None)
                self._totals.failed += 1
                problem = InvalidRowError(f"line {line}: longer than a request may be")
                out.append(self._record(error_record(None, line, 0, problem)))
                continue
            parsed = parse_row(data, line, offset, self.settings.defaults)
            if parsed is None:
                self._window[line] = _Slot(None)
                continue
            if isinstance(parsed, Row) and parsed.id in self._ids:
                problem = InvalidRowError(
                    f"line {line}: id {parsed.id!r} is the id of line {self._ids[parsed.id]} too"
                )
                parsed = BadRow(line, offset, parsed.id, problem)
            slot = _Slot(parsed if isinstance(parsed, Row) else None)
            self._window[line] = slot
            if isinstance(parsed, BadRow):
                slot.done = True
                self._totals.failed += 1
                out.append(self._record(error_record(parsed.id, line, 0, parsed.error)))
                continue
            self._ids[parsed.id] = line
            self._ready.append(line)
        self._advance()
        return b"".join(out)

    def end_of_input(self) -> None:
        """The last :class:`ReadRows` found the input's end."""
        self._reading = False
        self._input_done = True
        self._done_ahead.clear()
        self._advance()

    def receive_reply(self, send: SendRow, reply: Mapping[str, Any]) -> bytes:
        """``send``'s call returned ``reply`` (the reply's JSON); returns its record."""
        now = self._clock()
        self._in_flight -= 1
        slot = self._window[send.row.line]
        prompt, output, total = usage_of(reply)
        self.pacer.succeeded(now, send.estimate, total, output, self._in_flight, now - send.sent_at)
        totals = self._totals
        totals.succeeded += 1
        totals.prompt_tokens += prompt or 0
        totals.completion_tokens += output or 0
        totals.total_tokens += total or 0
        self._tokens_now += total or 0
        model = reply.get("model") if isinstance(reply.get("model"), str) else send.row.model
        if model and (model in totals.models or len(totals.models) < MAX_MODELS):
            counts = totals.models.setdefault(model, [0, 0])
            counts[0] += prompt or 0
            counts[1] += output or 0
        cost = _decimal(reply.get("cost"))
        if cost is not None:
            totals.reported_cost = str(Decimal(totals.reported_cost) + cost)
            totals.costed_rows += 1
        slot.done = True
        attempts = slot.attempts + slot.limited
        record = self._record(reply_record(send.row.id, send.row.line, attempts, reply))
        self._advance()
        return record

    def receive_error(self, send: SendRow, error: MeshAPIError) -> bytes:
        """``send``'s call failed with ``error``; returns its record, or ``b""`` when the row
        will be tried again."""
        now = self._clock()
        self._in_flight -= 1
        slot = self._window[send.row.line]
        policy = self.settings.retry
        retryable = policy.is_retryable(error)
        limited = isinstance(error, RateLimitError) and error.error_code in (
            "rate_limit_exceeded",
            "upstream_rate_limit_error",
        )
        if retryable:
            self.pacer.failed(now, send.estimate, limited, error.retry_after_seconds)
        else:
            self.pacer.cancelled(send.estimate)
        if limited:
            self._totals.rate_limited += 1
        if self._stopped is not None and (retryable or _job_refusal(error, exhausted=True)):
            return b""  # the job is stopping: the row goes again when it is resumed
        if retryable and limited and slot.limited < self.settings.max_rate_limited:
            slot.limited += 1
            slot.attempts -= 1  # a 429 is the pacing's: it does not count against the row
            self._totals.retried += 1
            self._ready.appendleft(send.row.line)
            return b""
        refusal = _job_refusal(
            error, exhausted=not retryable or slot.attempts >= self.settings.max_attempts
        )
        if refusal is not None:  # not the row's fault: stop, and resume once it is cured
            self.stop(f"{refusal}: {error}")
            self._ready.clear()
            return b""
        if retryable and slot.attempts < self.settings.max_attempts:
            wait = policy.backoff(slot.attempts - 1, self._random)
            asked = error.retry_after_seconds
            if asked is not None:
                wait = max(wait, float(asked))
            self._totals.retried += 1
            heapq.heappush(self._retries, (now + wait, send.row.line))
            return b""
        slot.done = True
        self._totals.failed += 1
        attempts = slot.attempts + slot.limited
        record = self._record(error_record(send.row.id, send.row.line, attempts, error))
        self._advance()
        return record

    def limits_read(self, limits: RateLimits) -> None:
        """The look at the counters returned ``limits``."""
        self._looking = False
        self.pacer.looked(self._clock(), limits)

    def limits_failed(self, error: MeshAPIError) -> None:
        """The look at the counters failed with ``error``."""
        self._looking = False
        if error.status == 429:
            self._totals.rate_limited += 1
        retry_after = error.retry_after_seconds
        self.pacer.look_failed(
            self._clock(), error.status, float(retry_after) if retry_after is not None else None
        )

    def checkpoint_saved(self) -> None:
        """The last :class:`SaveCheckpoint` is on disk."""
        self._last_saved = self._clock()
        self._recorded_since = 0

    def checkpoint_now(self) -> Checkpoint:
        """The checkpoint of this moment (for a driver that is being interrupted: the rows
        in flight are not done, and a rerun sends them again)."""
        return self._save(self._clock()).checkpoint

    def stop(self, reason: str) -> None:
        """Send nothing more; finish once the calls in flight end (the job can be
        resumed). The first reason given is the one reported."""
        if self._stopped is None:
            self._stopped = reason
        self._ready.clear()
        self._retries.clear()

    def call_abandoned(self, send: SendRow) -> None:
        """``send``'s call ended with no outcome (the driver was cancelled): the row is not
        recorded, and a rerun sends it again with the same key."""
        self._in_flight -= 1
        self.pacer.cancelled(send.estimate)

    # -- reading the state ----------------------------------------------------------------

    def summary(self) -> BulkSummary:
        """The totals so far, over every run of the job."""
        totals = self._totals
        elapsed = totals.elapsed + (self._clock() - self._started)
        return BulkSummary.of(
            totals,
            elapsed=elapsed,
            complete=self._stopped is None and self._all_done(),
            stopped=self._stopped,
            resumed=self._resumed,
        )

    def progress(self) -> Progress:
        """Rows, rates and pacing now, for a display."""
        now = self._clock()
        rows = self._totals.succeeded + self._totals.failed
        self._rate.append((now, rows, self._tokens_now))
        while len(self._rate) > 2 and now - self._rate[0][0] > 10.0:
            self._rate.pop(0)
        then, rows_then, tokens_then = self._rate[0]
        span = now - then
        row_rate = (rows - rows_then) / span if span > 0 else 0.0
        token_rate = (self._tokens_now - tokens_then) / span if span > 0 else 0.0
        total = self._total
        eta = (total - rows) / row_rate if total is not None and row_rate > 0 else None
        return Progress(
            rows=rows,
            total=total,
            in_flight=self._in_flight,
            concurrency=self.pacer.window,
            rate_limited=self._totals.rate_limited,
            rows_per_second=row_rate,
            tokens_per_second=token_rate,
            eta=eta if eta is None else max(0.0, eta),
        )

    @property
    def output_size(self) -> int:
        """The bytes the output holds, counting every record returned so far."""
        return self._output_size

    @property
    def in_flight(self) -> int:
        """Calls sent and not yet reported."""
        return self._in_flight

    # -- internals ------------------------------------------------------------------------

    def _room(self) -> int:
        return self.settings.window - len(self._window)

    def _all_done(self) -> bool:
        return self._input_done and not self._window and not self._reading

    def _send(self, line: int, slot: _Slot, row: Row, estimate: int, now: float) -> SendRow:
        slot.attempts += 1
        self._in_flight += 1
        self._totals.sent += 1
        self.pacer.sent(now, estimate)
        key = idempotency_key(self.checkpoint.job_id, line, row.id if self._keys_by_id else None)
        return SendRow(row, key, slot.attempts + slot.limited, estimate, now)

    def _record(self, record: Dict[str, Any]) -> bytes:
        data = encode_record(record)
        self._output_size += len(data)
        self._recorded_since += 1
        self._unsaved = True
        return data

    def _advance(self) -> None:
        """Drop the done rows at the window's start: the watermark moves past them."""
        window = self._window
        while window:
            line, slot = next(iter(window.items()))
            if not slot.done:
                break
            window.popitem(last=False)
            if slot.row is not None and self._ids.get(slot.row.id) == line:
                del self._ids[slot.row.id]

    def _watermark(self) -> Tuple[int, int]:
        for line, slot in self._window.items():
            if not slot.done:
                assert slot.row is not None
                return line, slot.row.offset
        return self._next_line, self._next_offset

    def _checkpoint_due(self, now: float) -> bool:
        if not self._recorded_since:
            return False
        return (
            self._recorded_since >= self.settings.checkpoint_rows
            or now - self._last_saved >= self.settings.checkpoint_interval
        )

    def _save(self, now: float) -> SaveCheckpoint:
        line, offset = self._watermark()
        ahead = [n for n, s in self._window.items() if s.done and n > line]
        ahead += [n for n in self._done_ahead if n >= line]
        totals = Totals.from_json(self._totals.to_json())
        totals.elapsed = self._totals.elapsed + (now - self._started)
        identity = self.checkpoint
        self._unsaved = False
        self._recorded_since = 0
        self._last_saved = now
        return SaveCheckpoint(
            Checkpoint(
                identity.job_id,
                identity.input,
                identity.settings,
                line,
                offset,
                self._output_size,
                ahead,
                totals,
                self._stopped is None and self._all_done(),
                identity.batches,
            )
        )


def _job_refusal(error: MeshAPIError, exhausted: bool) -> Optional[str]:
    """Why ``error`` stops the whole job rather than ending its row, if it does: the key is
    refused (``401``), out of credit or over its spend cap (``402``), or not allowed
    (``403``, except for a model the key may not use); or, once a row's attempts are spent,
    the gateway could not be reached at all. Every other row would end the same way, so
    the job stops and can be resumed once the cause is cured."""
    if isinstance(error, AuthenticationError):
        return "the gateway refused the key"
    if isinstance(error, PaymentRequiredError):
        return "the key is out of credit or over its spend cap"
    if isinstance(error, PermissionDeniedError) and not error.error_code.startswith("model_"):
        return "the key is not allowed to make these calls"
    if exhausted and isinstance(error, APIConnectionError):
        return "the gateway could not be reached"
    return None


def _decimal(value: Any) -> Optional[Decimal]:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None
