"""Usage, spend and live rate limits (``docs/gateway/control-plane.md`` §5): read with a
data-plane key (its own usage) or a dashboard session (the org's); the CSV export is for
dashboard sessions only. Newer than the rest of the API: a 404 means not deployed.

A dashboard session's reads are cached about 60 s by the gateway; the reads declared with
``REFRESH`` take ``refresh=True`` (``?refresh=true``) to bypass that cache
(``docs/gateway/control-plane.md`` §5)."""

from __future__ import annotations

from typing import List

from ..endpoint import (
    DASHBOARD,
    DATA_OR_DASHBOARD,
    JSON,
    REFRESH,
    ByteStream,
    Endpoint,
    OffsetPaging,
)
from ..models.usage import (
    RateLimits,
    RateLimitsParams,
    SpendTrend,
    SpendTrendParams,
    UsageEvent,
    UsageEventListParams,
    UsageEventPage,
    UsageExportParams,
    UsageSummary,
    UsageSummaryParams,
)

__all__ = [
    "USAGE_EVENTS",
    "USAGE_EVENTS_EXPORT",
    "USAGE_EVENT_ATTEMPTS",
    "USAGE_RATE_LIMITS",
    "USAGE_SPEND_TREND",
    "USAGE_SUMMARY",
]

USAGE_SUMMARY: Endpoint[UsageSummaryParams, UsageSummary] = Endpoint(
    "POST",
    "/v1/usage",
    DATA_OR_DASHBOARD,
    JSON(UsageSummary),
    UsageSummaryParams,
    options=REFRESH,
)
"""``POST /v1/usage``, called by ``usage.summary``."""
USAGE_EVENTS: Endpoint[UsageEventListParams, UsageEventPage] = Endpoint(
    "POST",
    "/v1/usage/events",
    DATA_OR_DASHBOARD,
    JSON(UsageEventPage),
    UsageEventListParams,
    paging=OffsetPaging(),
    options=REFRESH,
)
"""``POST /v1/usage/events``, called by ``usage.events``."""
USAGE_EVENT_ATTEMPTS: Endpoint[None, List[UsageEvent]] = Endpoint(
    "GET",
    "/v1/usage/events/{event_id}/attempts",
    DATA_OR_DASHBOARD,
    JSON(List[UsageEvent]),
    options=REFRESH,
)
"""``GET /v1/usage/events/{event_id}/attempts``, called by ``usage.attempts``."""
USAGE_SPEND_TREND: Endpoint[SpendTrendParams, SpendTrend] = Endpoint(
    "GET",
    "/v1/usage/spend-trend",
    DATA_OR_DASHBOARD,
    JSON(SpendTrend),
    SpendTrendParams,
    options=REFRESH,
)
"""``GET /v1/usage/spend-trend``, called by ``usage.spend_trend``."""
USAGE_RATE_LIMITS: Endpoint[RateLimitsParams, RateLimits] = Endpoint(
    "GET", "/v1/usage/rate-limits", DATA_OR_DASHBOARD, JSON(RateLimits), RateLimitsParams
)
"""``GET /v1/usage/rate-limits``, called by ``usage.rate_limits``."""
USAGE_EVENTS_EXPORT: Endpoint[UsageExportParams, bytes] = Endpoint(
    "GET",
    "/v1/usage/events/export",
    DASHBOARD,
    params=UsageExportParams,
    stream=ByteStream(accept="text/csv"),
)
"""``GET /v1/usage/events/export`` as a stream, called by ``usage.export_events``."""
