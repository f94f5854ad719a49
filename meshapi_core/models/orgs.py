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
    """The org's id."""
    name: Optional[str] = None
    """The org's name."""


class OrgCreateParams(RequestModel):
    """The body of ``POST /v1/orgs`` (a default team is created with the org)."""

    name: str = Field(min_length=1)
    """The new org's name."""


class OrgMember(ResponseModel):
    """A member of the current org (field names beyond ``role`` and ``team_id`` inferred)."""

    user_id: Optional[str] = None
    """The member's user id."""
    email: Optional[str] = None
    """The member's email address."""
    role: Optional[str] = None
    """``owner``, ``admin`` or ``member``."""
    team_id: Optional[str] = None
    """The member's team."""


class Invitation(ResponseModel):
    """An invitation to the current org; it expires after 72 hours (field names beyond
    ``role`` and ``team_id`` inferred)."""

    id: Optional[str] = None
    """The invitation's id."""
    email: Optional[str] = None
    """Who is invited."""
    role: Optional[str] = None
    """The role it grants: ``admin`` or ``member``."""
    team_id: Optional[str] = None
    """The team it invites into, if any."""
    status: Optional[str] = None
    """Where the invitation stands, e.g. pending or accepted."""
    expires_at: Optional[str] = None
    """When it expires (72 hours after it was sent), as the gateway sends it."""


class InvitationCreateParams(RequestModel):
    """The body of ``POST /v1/orgs/current/members``, which invites rather than adds.

    ``email`` is inferred: send another identifier through ``extra_body`` if the gateway
    asks for one.
    """

    email: Optional[str] = Field(default=None, min_length=3)
    """Who to invite."""
    role: InvitationRole
    """The role to grant: ``admin`` or ``member`` (``owner`` only comes by transfer)."""
    team_id: Optional[str] = None
    """A team to invite into."""


class TransferOwnershipParams(RequestModel):
    """The body of ``POST /v1/orgs/current/transfer-ownership`` (field name inferred)."""

    user_id: str = Field(min_length=1)
    """The member who becomes the owner."""


class OrgSpend(ResponseModel):
    """``GET /v1/orgs/current/spend``: spend per member over the rolling 30-day window.
    The shape was not captured: every field is kept as sent (``model_extra``)."""


class MemberPage(CursorPage[OrgMember]):
    """The members of the current org (the list's envelope is inferred)."""


class InvitationPage(CursorPage[Invitation]):
    """Invitations: the current org's pending ones, or the caller's own (the list's
    envelope is inferred)."""
