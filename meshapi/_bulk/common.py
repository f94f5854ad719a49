"""What the blocking and async bulk loops share, apart from the loop itself.

The loop (``meshapi/_async/bulk.py`` and its generated blocking twin) asks the core's
:class:`~meshapi_core.bulk.job.BulkJob` what to do; these helpers turn its outcomes into the
machine's inputs, rows given in memory into input lines, and tokens into a cost.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from meshapi_core.bulk.job import BulkJob, BulkSettings, SendRow
from meshapi_core.bulk.pacing import PacingSettings
from meshapi_core.endpoint import Endpoint
from meshapi_core.endpoints.chat import CHAT_COMPLETIONS
from meshapi_core.endpoints.embeddings import EMBEDDINGS_CREATE
from meshapi_core.endpoints.responses import RESPONSES_CREATE
from meshapi_core.errors import InvalidArgumentError, MeshAPIError
from meshapi_core.models.usage import RateLimits
from meshapi_core.retry import RetryPolicy

__all__ = [
    "ENDPOINTS",
    "MemorySource",
    "cost_of",
    "new_job_id",
    "reply_json",
    "report",
    "settings_from",
]

ENDPOINTS: Dict[str, Endpoint[Any, Any]] = {
    "chat": CHAT_COMPLETIONS,
    "responses": RESPONSES_CREATE,
    "embeddings": EMBEDDINGS_CREATE,
}
"""The endpoint each kind of row calls."""


def new_job_id() -> str:
    """A fresh job id: 64 random bits, as hex."""
    return os.urandom(8).hex()


def settings_from(
    *,
    defaults: Optional[Mapping[str, Any]],
    max_concurrency: int,
    initial_concurrency: Optional[int],
    max_attempts: int,
    max_wait: float,
    rate_limits: bool,
    share: float = 1.0,
    retry: Optional[RetryPolicy] = None,
) -> BulkSettings:
    """The job's settings from a method's options (checked: a bad one is an
    :class:`~meshapi_core.errors.InvalidArgumentError` naming it)."""
    if defaults is not None and not isinstance(defaults, Mapping):
        raise InvalidArgumentError("defaults must be a mapping of fields", param="defaults")
    first = min(4, max_concurrency) if initial_concurrency is None else initial_concurrency
    if isinstance(max_concurrency, int) and not isinstance(max_concurrency, bool):
        window = max(1024, 16 * max_concurrency)
    else:
        window = 1024
    pacing = PacingSettings(
        initial_concurrency=first,
        max_concurrency=max_concurrency,
        use_rate_limits=rate_limits,
        share=share,
    )
    return BulkSettings(
        defaults=dict(defaults or {}),
        max_attempts=max_attempts,
        max_wait=max_wait,
        window=window,
        pacing=pacing,
        retry=retry if retry is not None else RetryPolicy(),
    )


def reply_json(reply: Any) -> Dict[str, Any]:
    """A decoded reply as the JSON the gateway sent (unknown fields kept)."""
    value: Dict[str, Any] = reply.model_dump(mode="json", exclude_unset=True, by_alias=True)
    return value


def report(job: BulkJob, tag: Any, result: Any) -> bytes:
    """Hand the outcome of a call (``tag`` a :class:`SendRow`) or of a look at the counters
    to ``job``; the records to append."""
    if isinstance(tag, SendRow):
        if isinstance(result, MeshAPIError):
            return job.receive_error(tag, result)
        return job.receive_reply(tag, result)
    if isinstance(result, RateLimits):
        job.limits_read(result)
    else:
        job.limits_failed(result)
    return b""


class MemorySource:
    """Rows given in memory (mappings), read as input lines: row ``n`` is line ``n + 1``."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self._rows: Iterator[Mapping[str, Any]] = iter(rows)
        self._index = 0

    def read_lines(self, count: int) -> List[Tuple[Optional[bytes], int, int]]:
        """Up to ``count`` rows, JSON-encoded (offsets are row numbers)."""
        lines: List[Tuple[Optional[bytes], int, int]] = []
        for row in self._rows:
            try:
                data = json.dumps(dict(row), ensure_ascii=False).encode()
            except (TypeError, ValueError):
                data = b"not a JSON row"
            lines.append((data, self._index, self._index + 1))
            self._index += 1
            if len(lines) >= count:
                break
        return lines


def cost_of(
    models: Mapping[str, List[int]], prices: Mapping[str, Any], *, batch: bool = False
) -> Optional[str]:
    """The cost of the tokens by model at the catalog's prices (``ModelPricing`` by model),
    as a decimal string of USD; ``None`` when a model's price is unknown."""
    total = Decimal(0)
    for model, (prompt, completion) in models.items():
        pricing = prices.get(model)
        if pricing is None:
            return None
        names: Tuple[str, ...] = ()
        if batch:
            names = ("batch_input_usd_per_1m", "batch_output_usd_per_1m")
        names += ("prompt_usd_per_1m", "completion_usd_per_1m")
        rate_in = _price(pricing, names[0::2])
        rate_out = _price(pricing, names[1::2])
        if rate_in is None or rate_out is None:
            return None
        total += (rate_in * prompt + rate_out * completion) / Decimal(1_000_000)
    return str(total.quantize(Decimal("0.000001")))


def _price(pricing: Any, names: Tuple[str, ...]) -> Optional[Decimal]:
    for name in names:
        value = getattr(pricing, name, None)
        if value is None:
            continue
        try:
            return Decimal(str(value))
        except ArithmeticError:
            return None
    return None
