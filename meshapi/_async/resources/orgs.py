"""``client.orgs`` and ``client.invitations``: the current org, its members and invitations,
and the invitee's side. Dashboard sessions only; every org call is about the org of the
session token (``/v1/orgs/current``)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.orgs import (
    INVITATIONS_ACCEPT,
    INVITATIONS_GET,
    INVITATIONS_LIST,
    ORGS_CREATE,
    ORGS_CURRENT,
    ORGS_INVITATIONS_CREATE,
    ORGS_INVITATIONS_LIST,
    ORGS_INVITATIONS_REVOKE,
    ORGS_MEMBERS_LIST,
    ORGS_SPEND,
    ORGS_TRANSFER_OWNERSHIP,
    ORGS_USAGE,
)
from meshapi_core.models.orgs import (
    Invitation,
    InvitationCreateParams,
    Org,
    OrgCreateParams,
    OrgMember,
    OrgSpend,
    TransferOwnershipParams,
)
from meshapi_core.models.usage import UsageSummary

from ..pages import AsyncPaginator
from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        InvitationCreateArgs,
        InvitationCreateParamsDict,
        OrgCreateArgs,
        OrgCreateParamsDict,
        RequestOptions,
        TransferOwnershipArgs,
        TransferOwnershipParamsDict,
    )

__all__ = ["AsyncInvitations", "AsyncOrgInvitations", "AsyncOrgMembers", "AsyncOrgs"]


class AsyncOrgMembers(AsyncResource):
    """``client.orgs.members``: who is in the current org."""

    def list(self, **options: Unpack[RequestOptions]) -> AsyncPaginator[OrgMember]:
        """The members of the current org, with their roles."""
        return self._list(ORGS_MEMBERS_LIST, kwargs=options)


class AsyncOrgInvitations(AsyncResource):
    """``client.orgs.invitations``: invitations the current org has sent. (The invitee
    accepts with ``client.invitations.accept(token)``.)"""

    @overload
    async def create(
        self,
        params: Union[InvitationCreateParams, InvitationCreateParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> Invitation: ...
    @overload
    async def create(self, /, **kwargs: Unpack[InvitationCreateArgs]) -> Invitation: ...
    async def create(
        self,
        params: Optional[Union[InvitationCreateParams, InvitationCreateParamsDict]] = None,
        /,
        **kwargs: Any,
    ) -> Invitation:
        """Invite someone as ``admin`` or ``member`` (optionally into a team); the
        invitation expires after 72 hours.

        >>> await admin.orgs.invitations.create(email="ana@example.com", role="member")
        ... # doctest: +SKIP
        """
        return await self._request(ORGS_INVITATIONS_CREATE, params, kwargs)

    def list(self, **options: Unpack[RequestOptions]) -> AsyncPaginator[Invitation]:
        """The current org's pending invitations."""
        return self._list(ORGS_INVITATIONS_LIST, kwargs=options)

    async def revoke(self, invitation_id: str, /, **options: Unpack[RequestOptions]) -> None:
        """Withdraw an invitation before it is accepted."""
        return await self._request(
            ORGS_INVITATIONS_REVOKE, kwargs=options, path={"invitation_id": invitation_id}
        )


class AsyncOrgs(AsyncResource):
    """``client.orgs``: create an org, read the current one, its members, invitations,
    ownership, spend and usage."""

    @cached_property
    def members(self) -> AsyncOrgMembers:
        """The current org's members."""
        return AsyncOrgMembers(self._engine)

    @cached_property
    def invitations(self) -> AsyncOrgInvitations:
        """The current org's invitations: send, list, revoke."""
        return AsyncOrgInvitations(self._engine)

    @overload
    async def create(
        self,
        params: Union[OrgCreateParams, OrgCreateParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> Org: ...
    @overload
    async def create(self, /, **kwargs: Unpack[OrgCreateArgs]) -> Org: ...
    async def create(
        self, params: Optional[Union[OrgCreateParams, OrgCreateParamsDict]] = None, /, **kwargs: Any
    ) -> Org:
        """Create an org (with a default team); the caller becomes its owner."""
        return await self._request(ORGS_CREATE, params, kwargs)

    async def current(self, **options: Unpack[RequestOptions]) -> Org:
        """The org of this session token (after switching orgs, use a fresh token)."""
        return await self._request(ORGS_CURRENT, kwargs=options)

    @overload
    async def transfer_ownership(
        self,
        params: Union[TransferOwnershipParams, TransferOwnershipParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> None: ...
    @overload
    async def transfer_ownership(self, /, **kwargs: Unpack[TransferOwnershipArgs]) -> None: ...
    async def transfer_ownership(
        self,
        params: Optional[Union[TransferOwnershipParams, TransferOwnershipParamsDict]] = None,
        /,
        **kwargs: Any,
    ) -> None:
        """Make a member the owner (the only way to make an owner)."""
        return await self._request(ORGS_TRANSFER_OWNERSHIP, params, kwargs)

    async def spend(self, **options: Unpack[RequestOptions]) -> OrgSpend:
        """Spend per member over the rolling 30-day window."""
        return await self._request(ORGS_SPEND, kwargs=options)

    async def usage(self, **options: Unpack[RequestOptions]) -> UsageSummary:
        """The org's usage totals."""
        return await self._request(ORGS_USAGE, kwargs=options)


class AsyncInvitations(AsyncResource):
    """``client.invitations``: the invitee's side, with the invitee's own session."""

    def list(self, **options: Unpack[RequestOptions]) -> AsyncPaginator[Invitation]:
        """Invitations addressed to the caller."""
        return self._list(INVITATIONS_LIST, kwargs=options)

    async def get(self, token: str, /, **options: Unpack[RequestOptions]) -> Invitation:
        """Check an invitation token (from the invitation link) and see what it offers."""
        return await self._request(INVITATIONS_GET, kwargs=options, path={"token": token})

    async def accept(self, token: str, /, **options: Unpack[RequestOptions]) -> None:
        """Accept an invitation: the caller joins that org (a user is in one org at a
        time)."""
        return await self._request(INVITATIONS_ACCEPT, kwargs=options, path={"token": token})
