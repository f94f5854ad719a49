"""Organizations, members and invitations (``docs/gateway/control-plane.md`` §4): dashboard
sessions only. Every org path is ``/current``, the org of the session token; the invitee's
side lives under ``/v1/invitations`` (its sub-paths are inferred)."""

from __future__ import annotations

from ..endpoint import DASHBOARD, EMPTY, JSON, REFRESH, Endpoint
from ..models.orgs import (
    Invitation,
    InvitationCreateParams,
    InvitationPage,
    MemberPage,
    Org,
    OrgCreateParams,
    OrgSpend,
    TransferOwnershipParams,
)
from ..models.usage import UsageSummary

__all__ = [
    "INVITATIONS_ACCEPT",
    "INVITATIONS_GET",
    "INVITATIONS_LIST",
    "ORGS_CREATE",
    "ORGS_CURRENT",
    "ORGS_INVITATIONS_CREATE",
    "ORGS_INVITATIONS_LIST",
    "ORGS_INVITATIONS_REVOKE",
    "ORGS_MEMBERS_LIST",
    "ORGS_SPEND",
    "ORGS_TRANSFER_OWNERSHIP",
    "ORGS_USAGE",
]

ORGS_CREATE: Endpoint[OrgCreateParams, Org] = Endpoint(
    "POST", "/v1/orgs", DASHBOARD, JSON(Org), OrgCreateParams
)
"""``POST /v1/orgs``, called by ``orgs.create``."""
ORGS_CURRENT: Endpoint[None, Org] = Endpoint("GET", "/v1/orgs/current", DASHBOARD, JSON(Org))
"""``GET /v1/orgs/current``, called by ``orgs.current``."""
ORGS_MEMBERS_LIST: Endpoint[None, MemberPage] = Endpoint(
    "GET", "/v1/orgs/current/members", DASHBOARD, JSON(MemberPage)
)
"""``GET /v1/orgs/current/members``, called by ``orgs.members.list``."""
ORGS_INVITATIONS_CREATE: Endpoint[InvitationCreateParams, Invitation] = Endpoint(
    "POST", "/v1/orgs/current/members", DASHBOARD, JSON(Invitation), InvitationCreateParams
)
"""Adding a member sends an invitation; the invitee accepts it."""
ORGS_INVITATIONS_LIST: Endpoint[None, InvitationPage] = Endpoint(
    "GET", "/v1/orgs/current/invitations", DASHBOARD, JSON(InvitationPage)
)
"""``GET /v1/orgs/current/invitations``, called by ``orgs.invitations.list``."""
ORGS_INVITATIONS_REVOKE: Endpoint[None, None] = Endpoint(
    "DELETE", "/v1/orgs/current/invitations/{invitation_id}", DASHBOARD, EMPTY
)
"""``DELETE /v1/orgs/current/invitations/{invitation_id}``, called by
``orgs.invitations.revoke``."""
ORGS_TRANSFER_OWNERSHIP: Endpoint[TransferOwnershipParams, None] = Endpoint(
    "POST", "/v1/orgs/current/transfer-ownership", DASHBOARD, EMPTY, TransferOwnershipParams
)
"""``POST /v1/orgs/current/transfer-ownership``, called by ``orgs.transfer_ownership``."""
ORGS_SPEND: Endpoint[None, OrgSpend] = Endpoint(
    "GET", "/v1/orgs/current/spend", DASHBOARD, JSON(OrgSpend), options=REFRESH
)
"""``GET /v1/orgs/current/spend``, called by ``orgs.spend``."""
ORGS_USAGE: Endpoint[None, UsageSummary] = Endpoint(
    "GET", "/v1/orgs/current/usage", DASHBOARD, JSON(UsageSummary), options=REFRESH
)
"""``GET /v1/orgs/current/usage``, called by ``orgs.usage``."""
INVITATIONS_LIST: Endpoint[None, InvitationPage] = Endpoint(
    "GET", "/v1/invitations", DASHBOARD, JSON(InvitationPage)
)
"""``GET /v1/invitations``, called by ``invitations.list``."""
INVITATIONS_GET: Endpoint[None, Invitation] = Endpoint(
    "GET", "/v1/invitations/{token}", DASHBOARD, JSON(Invitation)
)
"""``GET /v1/invitations/{token}``, called by ``invitations.get``."""
INVITATIONS_ACCEPT: Endpoint[None, None] = Endpoint(
    "POST", "/v1/invitations/{token}/accept", DASHBOARD, EMPTY
)
"""``POST /v1/invitations/{token}/accept``, called by ``invitations.accept``."""
