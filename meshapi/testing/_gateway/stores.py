"""State and shared helpers of the emulated control plane (``docs/gateway/control-plane.md``).

Each area keeps its state in a store made on first use (``ctx.state.store(name, Factory)``)
and dropped on :meth:`Gateway.reset`: orgs, usage events, billing, memories, provider keys
and the audit trail. The helpers are what the control-plane routes share: cursor pages,
query numbers and times with FastAPI's 422s, decimal amounts, CSV bodies streamed row by row,
the caller's org scope.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import (
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

from .errors import GatewayError, invalid
from .plan import ResponsePlan, Write
from .router import RouteContext, checked_body
from .state import GatewayState, iso8601
from .validate import Checker, RequestSchema

SEEDED_MODELS = ("openai/gpt-4o-mini", "anthropic/claude-haiku-4.5", "google/gemini-2.5-flash")


# -- shared helpers ----------------------------------------------------------------------


def json_object(
    ctx: RouteContext,
    checks: Union[RequestSchema, Mapping[str, Checker]],
    required: Tuple[str, ...] = (),
) -> Dict[str, Any]:
    """The request's JSON object, checked field by field (every problem in one 422) against
    a :class:`RequestSchema`, or against ``checks`` with the ``required`` fields, for a handler
    that must decide something before it reads its body."""
    schema = checks if isinstance(checks, RequestSchema) else RequestSchema(checks, required)
    return checked_body(ctx, schema)


def money(value: Decimal) -> str:
    """An amount as the gateway writes it: a decimal string with six places."""
    return format(value.quantize(Decimal("0.000001")), "f")


def parse_money(value: Any, loc: Sequence[Any]) -> Decimal:
    """A decimal amount sent as a string (numbers are refused: money travels as strings)."""
    if not isinstance(value, str):
        raise invalid("string_type", tuple(loc), "Input should be a valid string")
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0:
        raise invalid("decimal_parsing", tuple(loc), "Input should be a valid decimal")
    return number


def parse_time(value: Any, loc: Sequence[Any]) -> float:
    """An ISO 8601 timestamp (``Z`` or an offset; a naive one is UTC) as seconds."""
    if isinstance(value, str):
        text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        try:
            stamp = datetime.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=datetime.timezone.utc)
            return stamp.timestamp()
    raise invalid("datetime_from_date_parsing", tuple(loc), "Input should be a valid datetime")


def cursor_page(
    ctx: RouteContext, items: List[Dict[str, Any]], *, unknown_after: str = "400"
) -> Dict[str, Any]:
    """An OpenAI-style page of ``items`` (each with an ``id``), from the query's ``limit``
    (default 20, at most 100) and ``after`` (the id of the item before the page). An
    ``after`` that names no item is a 400, or with ``unknown_after="empty"`` an empty page
    (as the data plane's lists answer it)."""
    limit = ctx.query_int("limit", 20, ge=1, le=100)
    after = ctx.query_value("after")
    start = 0
    if after or (after is not None and unknown_after == "400"):
        ids = [item["id"] for item in items]
        if after in ids:
            start = ids.index(after) + 1
        elif unknown_after == "empty":
            start = len(items)
        else:
            raise GatewayError(400, "bad_request", f"Unknown cursor after={after!r}.")
    data = items[start : start + limit]
    return {
        "object": "list",
        "data": data,
        "has_more": start + limit < len(items),
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def csv_plan(header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> ResponsePlan:
    """A ``text/csv`` attachment streamed with chunked framing, one write per row, so a
    client that buffers the whole body is told apart from one that streams it."""

    def lines() -> Iterator[Write]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in (header, *rows):
            writer.writerow([_cell(cell) for cell in row])
            yield Write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()

    head = (
        ("content-type", "text/csv; charset=utf-8"),
        ("content-disposition", f'attachment; filename="{filename}"'),
    )
    return ResponsePlan(200, head, lines(), streaming=True)


# -- organizations -------------------------------------------------------------------------


@dataclass
class Invitation:
    """An invitation to an org; ``token`` is what the invitee's link carries."""

    id: str
    token: str
    org_id: str
    email: str
    role: str
    team_id: Optional[str]
    created_at: float
    expires_at: float
    invited_by: str
    status: str = "pending"

    def to_json(self, now: float) -> Dict[str, Any]:
        """The invitation object (``status`` ``expired`` once past 72 hours)."""
        status = "expired" if self.status == "pending" and now >= self.expires_at else self.status
        return {
            "id": self.id,
            "org_id": self.org_id,
            "email": self.email,
            "role": self.role,
            "team_id": self.team_id,
            "status": status,
            "created_at": iso8601(self.created_at),
            "expires_at": iso8601(self.expires_at),
        }


@dataclass
class Org:
    """An organization: its members (user -> role, team), teams and invitations."""

    id: str
    name: str
    created_at: float
    members: Dict[str, Dict[str, Optional[str]]] = field(default_factory=dict)
    teams: Dict[str, str] = field(default_factory=dict)
    invitations: Dict[str, Invitation] = field(default_factory=dict)

    @property
    def owner(self) -> str:
        """The user whose role is ``owner``."""
        return next(user for user, member in self.members.items() if member["role"] == "owner")

    def to_json(self) -> Dict[str, Any]:
        """The org object (field names inferred)."""
        return {
            "id": self.id,
            "name": self.name,
            "owner_user_id": self.owner,
            "default_team_id": next(iter(self.teams), None),
            "created_at": iso8601(self.created_at),
        }


class OrgStore:
    """Orgs by id, the org each user belongs to (one at a time), and users' emails."""

    def __init__(self) -> None:
        self.orgs: Dict[str, Org] = {}
        self.membership: Dict[str, str] = {}
        self.emails: Dict[str, str] = {}

    def email_of(self, user: str) -> str:
        """A user's email (``<user id>@example.test`` unless one was registered)."""
        return self.emails.get(user) or f"{user.lower()}@example.test"

    def org_of(self, user: str) -> Optional[Org]:
        """The org ``user`` is in, if any."""
        org_id = self.membership.get(user)
        return self.orgs.get(org_id) if org_id is not None else None


def pool_of(state: GatewayState, owner: str) -> str:
    """Whose balance ``owner`` spends: its org owner's, or its own."""
    org = state.store("orgs", OrgStore).org_of(owner)
    return org.owner if org is not None else owner


def org_owners(state: GatewayState, owner: str) -> Set[str]:
    """The users whose keys ``owner`` sees as a dashboard session: the members of its org,
    or itself alone."""
    org = state.store("orgs", OrgStore).org_of(owner)
    return set(org.members) if org is not None else {owner}


# -- usage -----------------------------------------------------------------------------------


@dataclass
class UsageEvent:
    """One served request, with its attempts (oldest first)."""

    id: str
    request_id: str
    key_id: str
    owner: str
    created_at: float
    model: str
    status: str
    prompt_tokens: int
    completion_tokens: int
    cost: Decimal
    routing_fallback: bool = False
    cache_source: Optional[str] = None
    attempts: List[Dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> Dict[str, Any]:
        """The event object of ``POST /v1/usage/events``."""
        return {
            "id": self.id,
            "request_id": self.request_id,
            "key_id": self.key_id,
            "created_at": iso8601(self.created_at),
            "model": self.model,
            "status": self.status,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "cost_usd": money(self.cost),
            "routing_fallback": self.routing_fallback,
            "cache_source": self.cache_source,
        }


class UsageStore:
    """Usage events, oldest first: one per request the gateway served (or that failed at a
    provider), recorded by :mod:`meshapi.testing._gateway.accounts`; tests that need history seed
    more with :func:`meshapi.testing.control.add_usage_events` (:meth:`seed`)."""

    def __init__(self) -> None:
        self.events: List[UsageEvent] = []

    def record(self, event: UsageEvent) -> UsageEvent:
        """Keep ``event``, with its one attempt (the emulator never retries upstream)."""
        event.attempts = [dict(event.to_json(), id="att_" + event.id[len("evt_") :])]
        self.events.append(event)
        return event

    def seed(
        self, state: GatewayState, key_id: str, owner: str, when: float, index: int
    ) -> UsageEvent:
        """Record one deterministic past event whose shape follows ``index`` (cycling through
        six: one served after a fallback, with two attempts; one gateway cache hit; one
        error)."""
        model = SEEDED_MODELS[index % len(SEEDED_MODELS)]
        prompt, completion = 10 + index * 7, 20 + index * 3
        cost = Decimal(prompt * 15 + completion * 60) / Decimal(1_000_000)
        event = UsageEvent(
            id="evt_" + state.ids.ulid(),
            request_id="req_" + state.ids.ulid(),
            key_id=key_id,
            owner=owner,
            created_at=when,
            model=model,
            status="error" if index % 6 == 5 else "success",
            prompt_tokens=prompt,
            completion_tokens=completion,
            cost=Decimal(0) if index % 6 in (3, 5) else cost,
            routing_fallback=index % 6 == 1,
            cache_source="gateway" if index % 6 == 3 else None,
        )
        if event.routing_fallback:
            failed = dict(event.to_json(), model=SEEDED_MODELS[-1], status="error")
            failed.update(cost_usd=money(Decimal(0)), id="att_" + state.ids.ulid())
            served = dict(event.to_json(), id="att_" + state.ids.ulid())
            event.attempts = [failed, served]
        else:
            event.attempts = [dict(event.to_json(), id="att_" + state.ids.ulid())]
        self.events.append(event)
        return event


# -- billing, memories, provider keys, audit ----------------------------------------------


class BillingStore:
    """Balances and auto-recharge set-ups by owner (an org member draws on the owner's)."""

    def __init__(self) -> None:
        self.balances: Dict[str, Decimal] = {}
        self.reserved: Dict[str, Decimal] = {}
        self.updated: Dict[str, float] = {}
        self.auto_recharge: Dict[str, Dict[str, Any]] = {}

    def balance_of(self, owner: str) -> Decimal:
        """The owner's balance (``25.00`` until set or spent)."""
        return self.balances.get(owner, Decimal("25"))

    def debit(self, owner: str, amount: Decimal, now: float) -> None:
        """Take ``amount`` from ``owner``'s balance (it may go below zero, as the gateway's
        settlement after the response lets it)."""
        if amount:
            self.balances[owner] = self.balance_of(owner) - amount
            self.updated[owner] = now


@dataclass
class Memory:
    """A memory and its items (by id, in insertion order)."""

    slug: str
    name: Optional[str]
    description: Optional[str]
    active: bool
    created_at: float
    updated_at: float
    items: Dict[str, Dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> Dict[str, Any]:
        """The memory object (field names inferred)."""
        return {
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "active": self.active,
            "item_count": len(self.items),
            "created_at": iso8601(self.created_at),
            "updated_at": iso8601(self.updated_at),
        }


class MemoryStore:
    """Memories by owner, then slug."""

    def __init__(self) -> None:
        self.by_owner: Dict[str, Dict[str, Memory]] = {}

    def of(self, owner: str) -> Dict[str, Memory]:
        """The owner's memories."""
        return self.by_owner.setdefault(owner, {})


class ProviderKeyStore:
    """Provider credentials by owner, then provider; secrets stay here, never in a reply."""

    def __init__(self) -> None:
        self.by_owner: Dict[str, Dict[str, Dict[str, Any]]] = {}

    def of(self, owner: str) -> Dict[str, Dict[str, Any]]:
        """The owner's stored credentials."""
        return self.by_owner.setdefault(owner, {})


class AuditStore:
    """The audit trail, oldest first."""

    def __init__(self) -> None:
        self.entries: List[Dict[str, Any]] = []


def audit(ctx: RouteContext, action: str, target_type: str, target_id: str, **details: Any) -> None:
    """Append one governance action by the caller to the trail."""
    principal = ctx.principal
    entry = {
        "id": "aud_" + ctx.state.ids.ulid(),
        "created_at": iso8601(ctx.now),
        "owner": principal.owner,
        "actor": principal.key.id if principal.key is not None else principal.owner,
        "actor_type": "admin_key" if principal.realm == "mak" else "user",
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
    }
    entry.update({k: v for k, v in details.items() if v is not None})
    ctx.state.store("audit", AuditStore).entries.append(entry)


def usage_store(state: GatewayState) -> UsageStore:
    """The gateway's usage events."""
    return state.store("usage", UsageStore)


def summary_of(ctx: RouteContext, events: Sequence[UsageEvent], *, cached: bool) -> Dict[str, Any]:
    """The usage summary of ``events`` (all of ``by_model``; the caller pages it)."""
    by_model = []
    for model in sorted({e.model for e in events}):
        mine = [e for e in events if e.model == model]
        tokens = sum(e.prompt_tokens + e.completion_tokens for e in mine)
        cost_usd = money(sum((e.cost for e in mine), Decimal(0)))
        by_model.append(
            {"model": model, "requests": len(mine), "total_tokens": tokens, "cost_usd": cost_usd}
        )
    prompt = sum(e.prompt_tokens for e in events)
    completion = sum(e.completion_tokens for e in events)
    cost = sum((e.cost for e in events), Decimal(0))
    zero = money(Decimal(0))
    return {
        "total_requests": len(events),
        "successful_requests": sum(1 for e in events if e.status == "success"),
        "error_requests": sum(1 for e in events if e.status != "success"),
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "total_cost_usd": money(cost),
        "total_platform_fee_usd": zero,
        "total_byok_platform_fee_usd": zero,
        "total_byok_cost_usd": zero,
        "total_byok_requests": 0,
        "total_platform_requests": len(events),
        "total_byok_tokens": 0,
        "total_platform_tokens": prompt + completion,
        "by_model": by_model,
        "by_model_total": len(by_model),
        "cached_at": iso8601(ctx.now) if cached else None,
    }
