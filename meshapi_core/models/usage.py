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
    """The org to report on; ignored for data-plane keys (sent as ``""`` unless set)."""
    since: Optional[Moment] = None
    """Only requests at or after this moment (a datetime or an ISO 8601 string)."""
    until: Optional[Moment] = None
    """Only requests before this moment (a datetime or an ISO 8601 string)."""
    model: Optional[str] = None
    """Only requests for this model."""
    status: Optional[str] = None
    """Only requests with this outcome."""
    key_id: Optional[str] = None
    """Only requests made with this key."""
    team_id: Optional[str] = None
    """Only requests of this team."""
    member_user_id: Optional[str] = None
    """Only requests of this org member."""
    end_user_id: Optional[str] = None
    """Only requests for this end user (the ``user`` a request sent)."""

    def model_post_init(self, context: Any, /) -> None:
        """Count ``org_id`` as set, so it is always sent (the gateway's schema requires it)."""
        self.model_fields_set.add("org_id")


class UsageSummaryParams(_UsageFilters):
    """The body of ``POST /v1/usage``; ``limit``/``offset`` page the ``by_model`` rows."""

    limit: Optional[int] = Field(default=None, ge=1)
    """The most ``by_model`` rows (at least 1)."""
    offset: Optional[int] = Field(default=None, ge=0)
    """How many ``by_model`` rows to skip (0 or more)."""


class UsageEventListParams(_UsageFilters):
    """The body of ``POST /v1/usage/events``: the filters, and a page of at most 200."""

    limit: Optional[int] = Field(default=None, ge=1, le=200)
    """The most events on one page: 1 to 200."""
    offset: Optional[int] = Field(default=None, ge=0)
    """How many events to skip (0 or more)."""


class UsageExportParams(RequestModel):
    """The query of ``GET /v1/usage/events/export`` (the same filters as the events list;
    inferred)."""

    since: Optional[Moment] = None
    """Only requests at or after this moment (a datetime or an ISO 8601 string)."""
    until: Optional[Moment] = None
    """Only requests before this moment (a datetime or an ISO 8601 string)."""
    model: Optional[str] = None
    """Only requests for this model."""
    status: Optional[str] = None
    """Only requests with this outcome."""
    key_id: Optional[str] = None
    """Only requests made with this key."""
    team_id: Optional[str] = None
    """Only requests of this team."""
    member_user_id: Optional[str] = None
    """Only requests of this org member."""
    end_user_id: Optional[str] = None
    """Only requests for this end user."""


class UsageSummary(ResponseModel):
    """Usage totals over the filtered window (``POST /v1/usage``, and the org's view).

    Money fields are decimal strings; :attr:`total_cost` is ``total_cost_usd`` as a
    ``Decimal``. ``by_model`` is one page of per-model rows (their shape was not captured),
    ``by_model_total`` how many rows there are in all.
    """

    total_requests: Optional[int] = None
    """Requests in the window."""
    successful_requests: Optional[int] = None
    """Of them, those that succeeded."""
    error_requests: Optional[int] = None
    """Of them, those that failed."""
    prompt_tokens: Optional[int] = None
    """Input tokens."""
    completion_tokens: Optional[int] = None
    """Output tokens."""
    total_tokens: Optional[int] = None
    """Both together."""
    total_cost_usd: Optional[str] = None
    """What the requests cost, in USD (a decimal string)."""
    total_platform_fee_usd: Optional[str] = None
    """The gateway's fees, in USD."""
    total_byok_platform_fee_usd: Optional[str] = None
    """The gateway's fees on BYOK traffic (5% of upstream cost), in USD."""
    total_byok_cost_usd: Optional[str] = None
    """What BYOK requests cost upstream, in USD."""
    total_byok_requests: Optional[int] = None
    """Requests served with your own provider keys."""
    total_platform_requests: Optional[int] = None
    """Requests served with the gateway's provider accounts."""
    total_byok_tokens: Optional[int] = None
    """Tokens of BYOK requests."""
    total_platform_tokens: Optional[int] = None
    """Tokens of requests on the gateway's accounts."""
    by_model: Optional[List[Dict[str, Any]]] = None
    """One page of per-model rows (``limit`` and ``offset`` page them)."""
    by_model_total: Optional[int] = None
    """How many per-model rows there are in all."""
    cached_at: Optional[str] = None
    """When a cached (dashboard) summary was computed."""

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
    """The event's id, for ``attempts``."""
    request_id: Optional[str] = None
    """The ``x-request-id`` of the request."""
    model: Optional[str] = None
    """The model that served it."""
    status: Optional[str] = None
    """How the request ended."""
    cost_usd: Optional[str] = None
    """The authoritative cost, in USD (a decimal string)."""
    routing_fallback: Optional[bool] = None
    """Whether a fallback served the request."""
    cache_source: Optional[str] = None
    """On a cache hit: ``gateway`` or ``provider``."""
    prompt_tokens: Optional[int] = None
    """Input tokens."""
    completion_tokens: Optional[int] = None
    """Output tokens."""
    total_tokens: Optional[int] = None
    """Both together."""

    @property
    def cost(self) -> Optional[Decimal]:
        """``cost_usd`` as a ``Decimal``."""
        return to_decimal(self.cost_usd)


class UsageEventPage(ResponseModel):
    """One page of ``POST /v1/usage/events``, newest first."""

    events: List[UsageEvent] = Field(default_factory=list)
    """The events of this page, newest first."""
    total: Optional[int] = None
    """How many events match, over every page."""
    limit: Optional[int] = None
    """The most events a page holds, as the gateway applied it."""
    offset: Optional[int] = None
    """How many events come before this page."""

    def page_items(self) -> List[UsageEvent]:
        """The events of this page."""
        return self.events


class SpendTrendParams(RequestModel):
    """The query of ``GET /v1/usage/spend-trend``."""

    granularity: Optional[str] = None
    """The size of the buckets spend is summed in."""


class SpendTrend(ResponseModel):
    """Spend bucketed by ``granularity``, with a 3-bucket moving average and the window's
    total. The field names were not captured: everything is kept as sent (``model_extra``).
    """


class RateLimitsParams(RequestModel):
    """The query of ``GET /v1/usage/rate-limits`` (``org_id`` is ignored for keys)."""

    org_id: Optional[str] = None
    """The org to report on (ignored for data-plane keys)."""
    team_id: Optional[str] = None
    """The team to report on."""


class RateLimitMetric(ResponseModel):
    """One live counter against its effective limit.

    ``pct`` is 0-100; RPM and TPM count per minute, RPD resets at midnight UTC.
    """

    current: Optional[int] = None
    """The count in the current window."""
    limit: Optional[int] = None
    """The effective limit."""
    pct: Optional[float] = None
    """How much of the limit is used: 0 to 100."""
    resets_in_seconds: Optional[float] = None
    """When the window resets (RPM and TPM each minute, RPD at midnight UTC)."""
    is_default_limit: Optional[bool] = None
    """Whether the limit is the default, not one set explicitly."""


class RateLimitScope(ResponseModel):
    """The counters of one scope (metric names inferred)."""

    rpm: Optional[RateLimitMetric] = None
    """Requests per minute."""
    rpd: Optional[RateLimitMetric] = None
    """Requests per day."""
    tpm: Optional[RateLimitMetric] = None
    """Tokens per minute."""


class RateLimits(ResponseModel):
    """``GET /v1/usage/rate-limits``: live counters, never cached. A data-plane key sees
    only ``key``."""

    as_of: Optional[str] = None
    """When the counters were read."""
    key: Optional[RateLimitScope] = None
    """The key's counters."""
    org: Optional[RateLimitScope] = None
    """The org's counters (dashboard sessions)."""
    team: Optional[RateLimitScope] = None
    """The team's counters (dashboard sessions)."""
    member: Optional[RateLimitScope] = None
    """The member's counters (dashboard sessions)."""
