"""Usage, spend and live rate limits (``docs/gateway/control-plane.md`` §5).

A data-plane key reads its own usage (the gateway derives the scope; filters cannot widen
it); a dashboard session reads the org's (cached about 60 s; ``extra_query={"refresh":
True}`` bypasses the cache). Every amount is a decimal string.

Known: the filters of ``POST /v1/usage`` and ``/v1/usage/events``, the summary's fields, the
events page (``events``, ``total``, ``limit``, ``offset``) and the event fields ``request_id``,
``cost_usd``, ``routing_fallback`` and ``cache_source``, the rate-limit report (``as_of``,
``key``, ``org``, ``team``, ``member``; each metric ``current``, ``limit``, ``pct``,
``resets_in_seconds``, ``is_default_limit``). Inferred: an event's ``id`` and token fields
(named as in the summary), the metric names ``rpm``/``rpd``/``tpm`` of a scope, the attempts
reply being a bare list of events, the export taking the same filters as a query, and the
shape of ``by_model`` rows and of the spend trend (kept as sent).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, List, Optional, Union

from pydantic import Field

from .base import RequestModel, ResponseModel
from .money import to_decimal

__all__ = [
    "RateLimitMetric",
    "RateLimitScope",
    "RateLimits",
    "RateLimitsParams",
    "SpendTrend",
    "SpendTrendParams",
    "UsageEvent",
    "UsageEventListParams",
    "UsageEventPage",
    "UsageExportParams",
    "UsageSummary",
    "UsageSummaryParams",
]

Moment = Union[datetime, str]


class _UsageFilters(RequestModel):
    """The filters both usage queries take.

    ``org_id`` is required by the gateway's schema but ignored for data-plane keys: it is
    always sent, as ``""`` unless you set it.
    """

    org_id: str = ""
    since: Optional[Moment] = None
    until: Optional[Moment] = None
    model: Optional[str] = None
    status: Optional[str] = None
    key_id: Optional[str] = None
    team_id: Optional[str] = None
    member_user_id: Optional[str] = None
    end_user_id: Optional[str] = None

    def model_post_init(self, context: Any, /) -> None:
        """Count ``org_id`` as set, so it is always sent (the gateway's schema requires it)."""
        self.model_fields_set.add("org_id")


class UsageSummaryParams(_UsageFilters):
    """The body of ``POST /v1/usage``; ``limit``/``offset`` page the ``by_model`` rows."""

    limit: Optional[int] = Field(default=None, ge=1)
    offset: Optional[int] = Field(default=None, ge=0)


class UsageEventListParams(_UsageFilters):
    """The body of ``POST /v1/usage/events``: the filters, and a page of at most 200."""

    limit: Optional[int] = Field(default=None, ge=1, le=200)
    offset: Optional[int] = Field(default=None, ge=0)


class UsageExportParams(RequestModel):
    """The query of ``GET /v1/usage/events/export`` (the same filters as the events list;
    inferred)."""

    since: Optional[Moment] = None
    until: Optional[Moment] = None
    model: Optional[str] = None
    status: Optional[str] = None
    key_id: Optional[str] = None
    team_id: Optional[str] = None
    member_user_id: Optional[str] = None
    end_user_id: Optional[str] = None


class UsageSummary(ResponseModel):
    """Usage totals over the filtered window (``POST /v1/usage``, and the org's view).

    Money fields are decimal strings; :attr:`total_cost` is ``total_cost_usd`` as a
    ``Decimal``. ``by_model`` is one page of per-model rows (their shape was not captured),
    ``by_model_total`` how many rows there are in all.
    """

    total_requests: Optional[int] = None
    successful_requests: Optional[int] = None
    error_requests: Optional[int] = None
    prompt_tokens: Optional[int] = None
    completion_tokens: Optional[int] = None
    total_tokens: Optional[int] = None
    total_cost_usd: Optional[str] = None
    total_platform_fee_usd: Optional[str] = None
    total_byok_platform_fee_usd: Optional[str] = None
    total_byok_cost_usd: Optional[str] = None
    total_byok_requests: Optional[int] = None
    total_platform_requests: Optional[int] = None
    total_byok_tokens: Optional[int] = None
    total_platform_tokens: Optional[int] = None
    by_model: Optional[List[Dict[str, Any]]] = None
    by_model_total: Optional[int] = None
    cached_at: Optional[str] = None

    @property
    def total_cost(self) -> Optional[Decimal]:
        """``total_cost_usd`` as a ``Decimal``."""
        return to_decimal(self.total_cost_usd)


class UsageEvent(ResponseModel):
    """One served request (retried attempts collapsed into it); the provider is never shown.

    ``cost_usd`` is the authoritative cost, a decimal string (:attr:`cost` as a ``Decimal``);
    ``cache_source`` is ``gateway`` or ``provider`` on a cache hit.
    """

    id: Optional[str] = None
    request_id: Optional[str] = None
    model: Optional[str] = None
    status: Optional[str] = None
    cost_usd: Optional[str] = None
    routing_fallback: Optional[bool] = None
    cache_source: Optional[str] = None
    prompt_tokens: Optional[int] = None
    completion_tokens: Optional[int] = None
    total_tokens: Optional[int] = None

    @property
    def cost(self) -> Optional[Decimal]:
        """``cost_usd`` as a ``Decimal``."""
        return to_decimal(self.cost_usd)


class UsageEventPage(ResponseModel):
    """One page of ``POST /v1/usage/events``, newest first."""

    events: List[UsageEvent] = Field(default_factory=list)
    total: Optional[int] = None
    limit: Optional[int] = None
    offset: Optional[int] = None

    def page_items(self) -> List[UsageEvent]:
        """The events of this page."""
        return self.events


class SpendTrendParams(RequestModel):
    """The query of ``GET /v1/usage/spend-trend``."""

    granularity: Optional[str] = None


class SpendTrend(ResponseModel):
    """Spend bucketed by ``granularity``, with a 3-bucket moving average and the window's
    total. The field names were not captured: everything is kept as sent (``model_extra``).
    """


class RateLimitsParams(RequestModel):
    """The query of ``GET /v1/usage/rate-limits`` (``org_id`` is ignored for keys)."""

    org_id: Optional[str] = None
    team_id: Optional[str] = None


class RateLimitMetric(ResponseModel):
    """One live counter against its effective limit.

    ``pct`` is 0-100; RPM and TPM count per minute, RPD resets at midnight UTC.
    """

    current: Optional[int] = None
    limit: Optional[int] = None
    pct: Optional[float] = None
    resets_in_seconds: Optional[float] = None
    is_default_limit: Optional[bool] = None


class RateLimitScope(ResponseModel):
    """The counters of one scope (metric names inferred)."""

    rpm: Optional[RateLimitMetric] = None
    rpd: Optional[RateLimitMetric] = None
    tpm: Optional[RateLimitMetric] = None


class RateLimits(ResponseModel):
    """``GET /v1/usage/rate-limits``: live counters, never cached. A data-plane key sees
    only ``key``."""

    as_of: Optional[str] = None
    key: Optional[RateLimitScope] = None
    org: Optional[RateLimitScope] = None
    team: Optional[RateLimitScope] = None
    member: Optional[RateLimitScope] = None
