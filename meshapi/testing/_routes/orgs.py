"""Organizations, members and invitations (``docs/gateway/control-plane.md`` §4): dashboard
sessions only, every org path about ``/current`` (the caller's org).

One org per user (409 otherwise); invitations expire after 72 hours and their reply carries
the ``token`` so that a test can play the invitee (the real gateway emails it). Users' emails
are ``<user id>@example.test`` unless registered with
:func:`meshapi.testing.control.add_user`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List

from .._gateway.errors import GatewayError, detail, invalid, validation_error
from .._gateway.plan import ResponsePlan, empty_plan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.stores import (
    Invitation,
    Org,
    OrgStore,
    audit,
    json_object,
    money,
    org_owners,
    summary_of,
    usage_store,
)
from .._gateway.validate import RequestSchema, literal, nullable, string

_INVITATION_LIFETIME = 72 * 3600
_CREATE_REQUEST = RequestSchema({"name": string(min_length=1, max_length=200)}, required=("name",))
_INVITE_REQUEST = RequestSchema(
    {
        "email": string(min_length=3, max_length=320),
        "role": string(),
        "team_id": nullable(string()),
    },
    required=("email", "role"),
)
_TRANSFER_REQUEST = RequestSchema({"user_id": string(min_length=1)}, required=("user_id",))


def _orgs(ctx: RouteContext) -> OrgStore:
    return ctx.state.store("orgs", OrgStore)


def _current(ctx: RouteContext) -> Org:
    org = _orgs(ctx).org_of(ctx.principal.owner)
    if org is None:
        raise GatewayError(404, "not_found", "You are not a member of any organization.")
    return org


def _role(org: Org, user: str) -> str:
    return org.members[user]["role"] or "member"


def _administer(ctx: RouteContext, org: Org) -> None:
    if _role(org, ctx.principal.owner) not in ("owner", "admin"):
        raise GatewayError(403, "forbidden", "Only org owners and admins can do this.")


def create_org(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    store = _orgs(ctx)
    user = ctx.principal.owner
    if store.org_of(user) is not None:
        raise GatewayError(409, "conflict", "You already belong to an organization.")
    org = Org(id="org_" + ctx.state.ids.ulid(), name=body["name"], created_at=ctx.now)
    team = "team_" + ctx.state.ids.ulid()
    org.teams[team] = "Default"
    org.members[user] = {"role": "owner", "team_id": team}
    store.orgs[org.id] = org
    store.membership[user] = org.id
    audit(ctx, "org.created", "org", org.id)
    return json_plan(201, org.to_json())


def current_org(ctx: RouteContext) -> ResponsePlan:
    return json_plan(200, _current(ctx).to_json())


def list_members(ctx: RouteContext) -> ResponsePlan:
    org = _current(ctx)
    store = _orgs(ctx)
    members = [
        {"user_id": user, "email": store.email_of(user), **member}
        for user, member in org.members.items()
    ]
    return json_plan(200, {"object": "list", "data": members, "has_more": False})


def invite(ctx: RouteContext) -> ResponsePlan:
    """``POST /v1/orgs/current/members``: an invitation, not a member yet."""
    org = _current(ctx)
    _administer(ctx, org)
    body = json_object(ctx, _INVITE_REQUEST)
    if body["role"] == "owner":
        raise invalid(
            "value_error",
            ("body", "role"),
            "An owner cannot be invited; transfer ownership instead",
        )
    problems: List[Dict[str, Any]] = []
    literal("admin", "member")(body["role"], ("body", "role"), problems)
    team = body.get("team_id")
    if team is not None and team not in org.teams:
        problems.append(detail("value_error", ("body", "team_id"), "Unknown team"))
    if problems:
        raise validation_error(problems)
    invitation = Invitation(
        id="inv_" + ctx.state.ids.ulid(),
        token="mit_" + ctx.state.ids.alnum(32),
        org_id=org.id,
        email=body["email"],
        role=body["role"],
        team_id=team,
        created_at=ctx.now,
        expires_at=ctx.now + _INVITATION_LIFETIME,
        invited_by=ctx.principal.owner,
    )
    org.invitations[invitation.id] = invitation
    audit(ctx, "invitation.created", "invitation", invitation.id, role=invitation.role)
    return json_plan(201, {**invitation.to_json(ctx.now), "token": invitation.token})


def list_org_invitations(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/orgs/current/invitations``: pending, unexpired ones."""
    org = _current(ctx)
    pending = [
        i.to_json(ctx.now)
        for i in org.invitations.values()
        if i.status == "pending" and ctx.now < i.expires_at
    ]
    return json_plan(200, {"object": "list", "data": pending, "has_more": False})


def revoke_invitation(ctx: RouteContext) -> ResponsePlan:
    org = _current(ctx)
    _administer(ctx, org)
    invitation = org.invitations.get(ctx.params["invitation_id"])
    if invitation is None or invitation.status != "pending":
        raise GatewayError(404, "not_found", "Invitation not found.")
    invitation.status = "revoked"
    audit(ctx, "invitation.revoked", "invitation", invitation.id)
    return empty_plan(204)


def transfer_ownership(ctx: RouteContext) -> ResponsePlan:
    org = _current(ctx)
    if _role(org, ctx.principal.owner) != "owner":
        raise GatewayError(403, "forbidden", "Only the owner can transfer ownership.")
    body = json_object(ctx, _TRANSFER_REQUEST)
    target = body["user_id"]
    if target not in org.members:
        raise invalid("value_error", ("body", "user_id"), "The new owner must be a member")
    org.members[ctx.principal.owner]["role"] = "admin"
    org.members[target]["role"] = "owner"
    audit(ctx, "org.ownership_transferred", "org", org.id, new_owner=target)
    return empty_plan(204)


def org_spend(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/orgs/current/spend``: spend per member, rolling 30 days."""
    org = _current(ctx)
    store = _orgs(ctx)
    since = ctx.now - 30 * 86_400
    events = [e for e in usage_store(ctx.state).events if e.created_at >= since]
    members = []
    total = Decimal(0)
    for user in org.members:
        spent = sum((e.cost for e in events if e.owner == user), Decimal(0))
        total += spent
        members.append({"user_id": user, "email": store.email_of(user), "spend_usd": money(spent)})
    return json_plan(200, {"window_days": 30, "members": members, "total_spend_usd": money(total)})


def org_usage(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/orgs/current/usage``: the org's totals (the summary's shape)."""
    _current(ctx)
    owners = org_owners(ctx.state, ctx.principal.owner)
    events = [e for e in usage_store(ctx.state).events if e.owner in owners]
    return json_plan(200, summary_of(ctx, events, cached=True))


def my_invitations(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/invitations``: pending invitations to the caller's email."""
    store = _orgs(ctx)
    email = store.email_of(ctx.principal.owner)
    mine = [
        i.to_json(ctx.now)
        for org in store.orgs.values()
        for i in org.invitations.values()
        if i.email == email and i.status == "pending" and ctx.now < i.expires_at
    ]
    return json_plan(200, {"object": "list", "data": mine, "has_more": False})


def _by_token(ctx: RouteContext) -> Invitation:
    token = ctx.params["token"]
    for org in _orgs(ctx).orgs.values():
        for invitation in org.invitations.values():
            if invitation.token == token:
                return invitation
    raise GatewayError(404, "not_found", "Invitation not found.")


def check_invitation(ctx: RouteContext) -> ResponsePlan:
    invitation = _by_token(ctx)
    org = _orgs(ctx).orgs[invitation.org_id]
    return json_plan(200, {**invitation.to_json(ctx.now), "org_name": org.name})


def accept_invitation(ctx: RouteContext) -> ResponsePlan:
    invitation = _by_token(ctx)
    store = _orgs(ctx)
    user = ctx.principal.owner
    if invitation.email != store.email_of(user):
        raise GatewayError(403, "forbidden", "This invitation is for someone else.")
    if invitation.status != "pending" or ctx.now >= invitation.expires_at:
        raise invalid("value_error", ("path", "token"), "This invitation is no longer valid")
    if store.org_of(user) is not None:
        raise GatewayError(409, "conflict", "You already belong to an organization.")
    org = store.orgs[invitation.org_id]
    org.members[user] = {"role": invitation.role, "team_id": invitation.team_id}
    store.membership[user] = org.id
    invitation.status = "accepted"
    audit(ctx, "invitation.accepted", "invitation", invitation.id)
    return empty_plan(204)


_JWT = ["jwt"]

ROUTES: List[Route] = [
    Route("POST", "/v1/orgs", _JWT, create_org, request=_CREATE_REQUEST),
    Route("GET", "/v1/orgs/current", _JWT, current_org),
    Route("GET", "/v1/orgs/current/members", _JWT, list_members),
    Route("POST", "/v1/orgs/current/members", _JWT, invite),
    Route("GET", "/v1/orgs/current/invitations", _JWT, list_org_invitations),
    Route("DELETE", "/v1/orgs/current/invitations/{invitation_id}", _JWT, revoke_invitation),
    Route("POST", "/v1/orgs/current/transfer-ownership", _JWT, transfer_ownership),
    Route("GET", "/v1/orgs/current/spend", _JWT, org_spend),
    Route("GET", "/v1/orgs/current/usage", _JWT, org_usage),
    Route("GET", "/v1/invitations", _JWT, my_invitations),
    Route("GET", "/v1/invitations/{token}", _JWT, check_invitation),
    Route("POST", "/v1/invitations/{token}/accept", _JWT, accept_invitation),
]
