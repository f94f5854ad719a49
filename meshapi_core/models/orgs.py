"""Organizations, members and invitations (``docs/gateway/control-plane.md`` §4): dashboard
sessions only, always about ``/current``, the org of the session token.

Known: org roles ``owner``/``admin``/``member`` (invitations grant ``admin`` or ``member``,
optionally into a team), invitations expire after 72 hours, ownership moves only by transfer,
spend and usage per org. Inferred (the schemas were not captured): every field name below
beyond ``role``, ``team_id`` and ``org_id``; the invitee's ``email``; the transfer body's
``user_id``; the invitee's endpoints (``/v1/invitations``, ``/{token}``, ``/{token}/accept``)
and revoking by ``DELETE /v1/orgs/current/invitations/{invitation_id}``. Replies keep every
field they carry (``model_extra``); the spend report's shape is wholly unknown and is kept as
sent.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from .base import RequestModel, ResponseModel
from .pages import CursorPage

__all__ = [
    "Invitation",
    "InvitationCreateParams",
    "InvitationPage",
    "InvitationRole",
    "MemberPage",
    "Org",
    "OrgCreateParams",
    "OrgMember",
    "OrgRole",
    "OrgSpend",
    "TransferOwnershipParams",
]

OrgRole = Literal["owner", "admin", "member"]
"""A member's role in the org; owners and admins administer every team."""
InvitationRole = Literal["admin", "member"]
"""The roles an invitation can grant (``owner`` only comes by transfer)."""


class Org(ResponseModel):
    """An organization (field names inferred)."""

    id: Optional[str] = None
    name: Optional[str] = None


class OrgCreateParams(RequestModel):
    """The body of ``POST /v1/orgs`` (a default team is created with the org)."""

    name: str = Field(min_length=1)


class OrgMember(ResponseModel):
    """A member of the current org (field names beyond ``role`` and ``team_id`` inferred)."""

    user_id: Optional[str] = None
    email: Optional[str] = None
    role: Optional[str] = None
    team_id: Optional[str] = None


class Invitation(ResponseModel):
    """An invitation to the current org; it expires after 72 hours (field names beyond
    ``role`` and ``team_id`` inferred)."""

    id: Optional[str] = None
    email: Optional[str] = None
    role: Optional[str] = None
    team_id: Optional[str] = None
    status: Optional[str] = None
    expires_at: Optional[str] = None


class InvitationCreateParams(RequestModel):
    """The body of ``POST /v1/orgs/current/members``, which invites rather than adds.

    ``email`` is inferred: send another identifier through ``extra_body`` if the gateway
    asks for one.
    """

    email: Optional[str] = Field(default=None, min_length=3)
    role: InvitationRole
    team_id: Optional[str] = None


class TransferOwnershipParams(RequestModel):
    """The body of ``POST /v1/orgs/current/transfer-ownership`` (field name inferred)."""

    user_id: str = Field(min_length=1)


class OrgSpend(ResponseModel):
    """``GET /v1/orgs/current/spend``: spend per member over the rolling 30-day window.
    The shape was not captured: every field is kept as sent (``model_extra``)."""


class MemberPage(CursorPage[OrgMember]):
    """The members of the current org (the list's envelope is inferred)."""


class InvitationPage(CursorPage[Invitation]):
    """Invitations: the current org's pending ones, or the caller's own (the list's
    envelope is inferred)."""
