"""``client.usage``: usage totals, per-request events, attempts, spend trend, live rate
limits, and the events as CSV. A data-plane key reads its own usage; a dashboard session
reads the org's (and alone may export)."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Union

from meshapi_core.endpoints.usage import (
    USAGE_EVENT_ATTEMPTS,
    USAGE_EVENTS,
    USAGE_EVENTS_EXPORT,
    USAGE_RATE_LIMITS,
    USAGE_SPEND_TREND,
    USAGE_SUMMARY,
)
from meshapi_core.models.usage import (
    RateLimits,
    RateLimitsParams,
    SpendTrend,
    SpendTrendParams,
    UsageEvent,
    UsageEventListParams,
    UsageExportParams,
    UsageSummary,
    UsageSummaryParams,
)

from ..pages import AsyncPaginator
from ..resource import AsyncResource
from ..streams import AsyncByteStream

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        RateLimitsArgs,
        RateLimitsParamsDict,
        RequestOptions,
        SpendTrendArgs,
        SpendTrendParamsDict,
        UsageEventListArgs,
        UsageEventListParamsDict,
        UsageExportArgs,
        UsageExportParamsDict,
        UsageSummaryArgs,
        UsageSummaryParamsDict,
    )

__all__ = ["AsyncUsage"]


class AsyncUsage(AsyncResource):
    """Usage and spend. Amounts are decimal strings (``Decimal`` properties alongside).

    >>> summary = await client.usage.summary(since="2026-09-01T00:00:00Z")  # doctest: +SKIP
    >>> summary.total_requests, summary.total_cost                         # doctest: +SKIP
    """

    async def summary(
        self,
        params: Union[UsageSummaryParams, UsageSummaryParamsDict, None] = None,
        /,
        **kwargs: Unpack[UsageSummaryArgs],
    ) -> UsageSummary:
        """Totals over the filtered window (``since``, ``until``, ``model``, ``key_id``...),
        with one page of per-model rows."""
        return await self._request(USAGE_SUMMARY, params, kwargs)

    def events(
        self,
        params: Union[UsageEventListParams, UsageEventListParamsDict, None] = None,
        /,
        **kwargs: Unpack[UsageEventListArgs],
    ) -> AsyncPaginator[UsageEvent]:
        """Per-request history, newest first, up to 200 a page; available as soon as a
        request (or stream) ends, with its authoritative ``cost_usd``."""
        return self._list(USAGE_EVENTS, params, kwargs)

    async def attempts(
        self, event_id: str, /, **options: Unpack[RequestOptions]
    ) -> List[UsageEvent]:
        """Every attempt behind one event (retries, fallbacks), oldest first."""
        return await self._request(
            USAGE_EVENT_ATTEMPTS, kwargs=options, path={"event_id": event_id}
        )

    async def spend_trend(
        self,
        params: Union[SpendTrendParams, SpendTrendParamsDict, None] = None,
        /,
        **kwargs: Unpack[SpendTrendArgs],
    ) -> SpendTrend:
        """Spend per ``granularity`` bucket, a 3-bucket moving average and the total (some
        docs list this as dashboard-only)."""
        return await self._request(USAGE_SPEND_TREND, params, kwargs)

    async def rate_limits(
        self,
        params: Union[RateLimitsParams, RateLimitsParamsDict, None] = None,
        /,
        **kwargs: Unpack[RateLimitsArgs],
    ) -> RateLimits:
        """Live RPM/RPD/TPM counters against the effective limits (never cached)."""
        return await self._request(USAGE_RATE_LIMITS, params, kwargs)

    def export_events(
        self,
        params: Union[UsageExportParams, UsageExportParamsDict, None] = None,
        /,
        **kwargs: Unpack[UsageExportArgs],
    ) -> AsyncByteStream:
        """The filtered events as CSV, streamed (dashboard session only); write it to a
        file without holding it in memory:

        >>> await admin.usage.export_events(since="2026-09-01").write_to("usage.csv")
        ... # doctest: +SKIP
        """
        return self._byte_stream(USAGE_EVENTS_EXPORT, params, kwargs)
