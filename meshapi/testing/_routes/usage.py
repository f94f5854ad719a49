"""Usage, balance, auto-recharge and the audit log (``docs/gateway/control-plane.md`` §4-6).

A data-plane key reads only its own usage; a dashboard session every key of its org. The
events are the requests the gateway served (:mod:`~meshapi.testing._gateway.accounts`), so
usage, spend, the balance (``25.00`` to start) and the rate-limit counters add up; tests seed
history with :func:`meshapi.testing.control.add_usage_events`. Amounts are decimal strings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Optional

from .._gateway.errors import GatewayError, invalid
from .._gateway.plan import ResponsePlan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.state import iso8601
from .._gateway.stores import (
    AuditStore,
    BillingStore,
    UsageEvent,
    audit,
    csv_plan,
    cursor_page,
    money,
    org_owners,
    parse_money,
    parse_time,
    pool_of,
    summary_of,
    usage_store,
)
from .._gateway.validate import Checker, RequestSchema, integer, nullable, string

_FILTERS = ("since", "until", "model", "status", "key_id", "team_id", "member_user_id")
_FILTER_CHECKS: Dict[str, Checker] = {
    "org_id": string(),
    "since": nullable(string()),
    "until": nullable(string()),
    "model": nullable(string()),
    "status": nullable(string()),
    "key_id": nullable(string()),
    "team_id": nullable(string()),
    "member_user_id": nullable(string()),
    "end_user_id": nullable(string()),
    "offset": nullable(integer(ge=0)),
}
_SUMMARY_REQUEST = RequestSchema(
    {**_FILTER_CHECKS, "limit": nullable(integer(ge=1))}, required=("org_id",)
)
_EVENTS_REQUEST = RequestSchema(
    {**_FILTER_CHECKS, "limit": nullable(integer(ge=1, le=200))}, required=("org_id",)
)
_RECHARGE_REQUEST = RequestSchema(
    {"amount_usd": string(), "threshold_usd": nullable(string())}, required=("amount_usd",)
)
_SAME = {"model": "model", "status": "status", "key_id": "key_id", "member_user_id": "owner"}
"""The filters that keep the events whose attribute (the value) equals the filter's value."""
_GRANULARITY = {"hour": 3600, "day": 86_400, "week": 7 * 86_400}
_CSV_COLUMNS = (
    "id", "request_id", "created_at", "key_id", "model", "status", "prompt_tokens",
    "completion_tokens", "total_tokens", "cost_usd", "routing_fallback", "cache_source",
)  # fmt: skip


def _visible(ctx: RouteContext) -> List[UsageEvent]:
    """The caller's events, newest first: its own key's, or its org's."""
    events = usage_store(ctx.state).events
    principal = ctx.principal
    if principal.realm == "dp" and principal.key is not None:
        mine = [e for e in events if e.key_id == principal.key.id]
    else:
        owners = org_owners(ctx.state, principal.owner)
        mine = [e for e in events if e.owner in owners]
    return list(reversed(sorted(mine, key=lambda e: e.created_at)))  # ties: the latest first


def _filtered(ctx: RouteContext, filters: Dict[str, Any], where: str) -> List[UsageEvent]:
    events = _visible(ctx)
    since, until = filters.get("since"), filters.get("until")
    if since is not None:
        start = parse_time(since, (where, "since"))
        events = [e for e in events if e.created_at >= start]
    if until is not None:
        end = parse_time(until, (where, "until"))
        events = [e for e in events if e.created_at < end]
    for name, attribute in _SAME.items():
        wanted = filters.get(name)
        if wanted is not None:
            events = [e for e in events if getattr(e, attribute) == wanted]
    if filters.get("end_user_id") is not None:
        events = []  # the emulator records no end users
    return events


def usage_summary(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    summary = summary_of(ctx, _filtered(ctx, body, "body"), cached=ctx.principal.realm == "jwt")
    offset, limit = body.get("offset") or 0, body.get("limit") or 50
    summary["by_model"] = summary["by_model"][offset : offset + limit]
    return json_plan(200, summary)


def usage_events(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    events = _filtered(ctx, body, "body")
    offset, limit = body.get("offset") or 0, body.get("limit") or 50
    page = [e.to_json() for e in events[offset : offset + limit]]
    return json_plan(200, {"events": page, "total": len(events), "limit": limit, "offset": offset})


def event_attempts(ctx: RouteContext) -> ResponsePlan:
    for event in _visible(ctx):
        if event.id == ctx.params["event_id"]:
            return json_plan(200, list(event.attempts))
    raise GatewayError(404, "not_found", "Usage event not found.")


def spend_trend(ctx: RouteContext) -> ResponsePlan:
    granularity = ctx.query_value("granularity") or "day"
    width = _GRANULARITY.get(granularity)
    if width is None:
        message = "Input should be 'hour', 'day' or 'week'"
        raise invalid("literal_error", ("query", "granularity"), message)
    last = int(ctx.now // width)
    events = _visible(ctx)
    spends = [
        (slot, sum((e.cost for e in events if int(e.created_at // width) == slot), Decimal(0)))
        for slot in range(last - 6, last + 1)
    ]
    buckets = []
    for index, (slot, spent) in enumerate(spends):
        window = [s for _, s in spends[max(0, index - 2) : index + 1]]
        buckets.append(
            {
                "start": iso8601(slot * width),
                "spend_usd": money(spent),
                "moving_average_usd": money(sum(window, Decimal(0)) / len(window)),
            }
        )
    total = sum((s for _, s in spends), Decimal(0))
    return json_plan(
        200, {"granularity": granularity, "buckets": buckets, "total_usd": money(total)}
    )


_SHOWN_DEFAULTS = {"RPM": 100, "RPD": 10_000, "TPM": None}
"""The limits the gateway shows for a key without its own (``docs/gateway/control-plane.md``
§2.2); shown only: the emulator enforces a limit only when one is set."""


def _metric(current: int, limit: Optional[int], default: bool, reset: float) -> Dict[str, Any]:
    pct = round(100 * current / limit, 2) if limit else 0.0
    return {
        "current": current,
        "limit": limit,
        "pct": min(pct, 100.0),
        "resets_in_seconds": round(reset, 3),
        "is_default_limit": default,
    }


def rate_limits(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/usage/rate-limits``: live counters, never cached.

    A key sees its own: ``current`` is what it used in the window now running (requests, or
    tokens for TPM), ``limit`` its effective limit (its own, the server's default, or the
    gateway's shown default), ``resets_in_seconds`` the time to the window's end in the
    client's seconds (the clock's seconds divided by its ``speed``)."""
    now, speed = ctx.now, ctx.state.clock_speed
    scopes = dict.fromkeys(("key", "org", "team", "member"))
    report: Dict[str, Any] = {"as_of": iso8601(now), **scopes}
    key = ctx.principal.key
    limiter = ctx.state.limiter
    if ctx.principal.realm == "dp" and key is not None:
        metrics: Dict[str, Any] = {}
        for kind in ("RPM", "RPD", "TPM"):
            limit, default = limiter.limit(key, kind)
            metrics[kind.lower()] = _metric(
                limiter.current(key.id, kind, now),
                limit if limit is not None else _SHOWN_DEFAULTS[kind],
                default,
                limiter.resets_in(kind, now) / speed,
            )
        report["key"] = metrics
    else:
        unlimited = {
            kind.lower(): _metric(0, None, True, limiter.resets_in(kind, now) / speed)
            for kind in ("RPM", "RPD", "TPM")
        }
        report.update(org=unlimited, team=unlimited, member=unlimited)
    return json_plan(200, report)


def export_events(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/usage/events/export``: CSV, one row per event, streamed."""
    filters = {name: ctx.query_value(name) for name in (*_FILTERS, "end_user_id")}
    events = _filtered(ctx, filters, "query")
    rows = ([e.to_json()[column] for column in _CSV_COLUMNS] for e in events)
    return csv_plan(_CSV_COLUMNS, rows, "usage-events.csv")


# -- billing ---------------------------------------------------------------------------------


def _pool(ctx: RouteContext) -> str:
    """Whose balance the caller spends: its org owner's, or its own."""
    return pool_of(ctx.state, ctx.principal.owner)


def balance(ctx: RouteContext) -> ResponsePlan:
    store = ctx.state.store("billing", BillingStore)
    pool = _pool(ctx)
    total, reserved = store.balance_of(pool), store.reserved.get(pool, Decimal(0))
    return json_plan(
        200,
        {
            "balance_usd": money(total),
            "available_usd": money(max(Decimal(0), total - reserved)),
            "reserved_usd": money(reserved),
            "reserved_breakdown": {
                "realtime_sessions": money(reserved),
                "background_jobs": money(Decimal(0)),
                "video": money(Decimal(0)),
            },
            "updated_at": iso8601(store.updated.get(pool, ctx.now)),
        },
    )


def get_auto_recharge(ctx: RouteContext) -> ResponsePlan:
    store = ctx.state.store("billing", BillingStore)
    found = store.auto_recharge.get(_pool(ctx))
    return json_plan(200, found or {"enabled": False, "amount_usd": None, "threshold_usd": None})


def setup_auto_recharge(ctx: RouteContext) -> ResponsePlan:
    """``POST /v1/auto-recharge/setup``: one set-up per account (a new one replaces it)."""
    body = ctx.body
    amount = parse_money(body["amount_usd"], ("body", "amount_usd"))
    if not Decimal(5) <= amount <= Decimal(100):
        raise invalid("value_error", ("body", "amount_usd"), "Recharge between $5 and $100")
    threshold = body.get("threshold_usd")
    record = {
        "enabled": True,
        "status": "active",
        "amount_usd": money(amount),
        "threshold_usd": money(parse_money(threshold, ("body", "threshold_usd")))
        if threshold is not None
        else None,
        "updated_at": iso8601(ctx.now),
    }
    ctx.state.store("billing", BillingStore).auto_recharge[_pool(ctx)] = record
    audit(ctx, "billing.auto_recharge_setup", "account", _pool(ctx))
    return json_plan(200, record)


# -- audit log -------------------------------------------------------------------------------


def _trail(ctx: RouteContext) -> List[Dict[str, Any]]:
    owners = org_owners(ctx.state, ctx.principal.owner)
    entries = ctx.state.store("audit", AuditStore).entries
    return [dict(e) for e in reversed(entries) if e["owner"] in owners]


def list_audit_logs(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/audit-logs``: newest first, in cursor pages."""
    return json_plan(200, cursor_page(ctx, _trail(ctx)))


def export_audit_logs(ctx: RouteContext) -> ResponsePlan:
    columns = ("id", "created_at", "actor", "actor_type", "action", "target_type", "target_id")
    rows = ([entry.get(c) for c in columns] for entry in _trail(ctx))
    return csv_plan(columns, rows, "audit-logs.csv")


_READ = ["dp", "jwt"]
_JWT = ["jwt"]

ROUTES: List[Route] = [
    Route("POST", "/v1/usage", _READ, usage_summary, request=_SUMMARY_REQUEST),
    Route("POST", "/v1/usage/events", _READ, usage_events, request=_EVENTS_REQUEST),
    Route("GET", "/v1/usage/events/export", _JWT, export_events),
    Route("GET", "/v1/usage/events/{event_id}/attempts", _READ, event_attempts),
    Route("GET", "/v1/usage/spend-trend", _READ, spend_trend),
    Route("GET", "/v1/usage/rate-limits", _READ, rate_limits),
    Route("GET", "/v1/balance", _READ, balance),
    Route("GET", "/v1/auto-recharge", _JWT, get_auto_recharge),
    Route("POST", "/v1/auto-recharge/setup", _JWT, setup_auto_recharge, request=_RECHARGE_REQUEST),
    Route("GET", "/v1/audit-logs", _READ, list_audit_logs),
    Route("GET", "/v1/audit-logs.csv", _READ, export_audit_logs),
]
