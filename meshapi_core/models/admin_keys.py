"""Admin keys, ``/v1/admin-keys`` (``docs/gateway/control-plane.md`` §3): ``mak_...`` keys for
scripted key management, minted, rotated and revoked by a signed-in human (a dashboard
session).

Known: the permissions and scopes, the 90-day maximum lifetime, the rotation body
(``grace_hours``, default 24, at most 7 days; ``expires_at``) and the optional revocation
``reason``. Inferred: the field names ``id``, ``name``, ``expires_at``, ``last_used_at`` and
``key`` (the plaintext, named as for inference keys), the list's page shape, and that the
reason travels as a query parameter. Fields not captured (the masked key, the creator) are
kept as sent, in ``model_extra``.
"""

from __future__ import annotations

from datetime import datetime
from typing import List, Literal, Optional, Union

from pydantic import ConfigDict, Field, model_validator

from .base import RequestModel, ResponseModel
from .pages import CursorPage
from .secrets import Secret

__all__ = [
    "AdminKey",
    "AdminKeyCreateParams",
    "AdminKeyCreated",
    "AdminKeyListParams",
    "AdminKeyPage",
    "AdminKeyPermission",
    "AdminKeyRevokeParams",
    "AdminKeyRotateParams",
    "AdminKeyScope",
]

AdminKeyPermission = Literal[
    "keys:read",
    "keys:write",
    "org:read",
    "limits:read",
    "limits:write",
    "alerts:read",
    "alerts:write",
]
"""What an admin key may do; anything not granted is a 403."""
AdminKeyScope = Literal["self", "team", "org"]
"""Whose keys an admin key reaches: its creator's, a team's, or the whole org's."""

_ORG_ONLY = ("org:read", "limits:", "alerts:")


class AdminKey(ResponseModel):
    """An admin key as listed: never with its plaintext."""

    id: Optional[str] = None
    """The admin key's id, for ``get``, ``rotate`` and ``revoke``."""
    name: Optional[str] = None
    """Its label (a rotated successor inherits it)."""
    permissions: Optional[List[str]] = None
    """What it may do: ``keys:read``, ``keys:write``, ``org:read``, ``limits:read``,
    ``limits:write``, ``alerts:read``, ``alerts:write``."""
    scope: Optional[str] = None
    """Whose keys it reaches: ``self`` (its creator's), ``team`` or ``org``."""
    team_id: Optional[str] = None
    """The team it belongs to, for scope ``team``."""
    expires_at: Optional[str] = None
    """When it stops working (at most 90 days after it was minted), as the gateway sends it."""
    last_used_at: Optional[str] = None
    """When it was last used, as the gateway sends it."""


class AdminKeyCreated(AdminKey):
    """A new admin key (minted or rotated) with its plaintext, shown this once.

    ``key`` is a :class:`pydantic.SecretStr`: ``created.key.get_secret_value()`` is the
    ``mak_...`` token; a repr, a log line or a dump shows ``'**********'``.
    """

    model_config = ConfigDict(hide_input_in_errors=True)

    key: Secret
    """The ``mak_...`` token, shown this once (a secret: ``key.get_secret_value()``)."""


class AdminKeyCreateParams(RequestModel):
    """The body of ``POST /v1/admin-keys``.

    ``alerts:*``, ``limits:*`` and ``org:read`` exist only at scope ``org``: asking for them
    at another scope is refused here, as the gateway would (422). The lifetime is at most 90
    days.
    """

    name: Optional[str] = None
    """A label for the key."""
    permissions: List[AdminKeyPermission] = Field(min_length=1)
    """What the key may do, at least one; ``alerts:*``, ``limits:*`` and ``org:read`` only at scope
    ``org``."""
    scope: Optional[AdminKeyScope] = None
    """Whose keys it reaches: ``self`` (yours), ``team`` or ``org``."""
    team_id: Optional[str] = None
    """The team, for scope ``team``."""
    expires_at: Optional[Union[datetime, str]] = None
    """When it expires, at most 90 days away (a datetime or an ISO 8601 string)."""

    @model_validator(mode="after")
    def _org_only_permissions(self) -> AdminKeyCreateParams:
        if self.scope is not None and self.scope != "org":
            wrong = [p for p in self.permissions if p.startswith(_ORG_ONLY)]
            if wrong:
                raise ValueError(
                    f"{', '.join(wrong)} can only be granted at scope 'org', not {self.scope!r}"
                )
        return self


class AdminKeyListParams(RequestModel):
    """The query of ``GET /v1/admin-keys`` (paging inferred)."""

    limit: Optional[int] = Field(default=None, ge=1)
    """The most admin keys on one page (at least 1)."""
    after: Optional[str] = None
    """The id of the last admin key of the previous page: this page starts after it."""


class AdminKeyPage(CursorPage[AdminKey]):
    """One page of admin keys, as far as the caller's scope sees."""


class AdminKeyRotateParams(RequestModel):
    """The body of ``POST /v1/admin-keys/{key_id}/rotate``, both optional: how long the old
    key keeps working (``grace_hours``, the gateway's default 24, at most 168) and when the
    successor expires (by default it inherits the old key's lifetime)."""

    grace_hours: Optional[float] = Field(default=None, ge=0, le=168)
    """How long the old key keeps working, in hours: 0 to 168 (the gateway's default: 24)."""
    expires_at: Optional[Union[datetime, str]] = None
    """When the successor expires (by default it inherits the old key's lifetime)."""


class AdminKeyRevokeParams(RequestModel):
    """The optional, audited ``reason`` of ``DELETE /v1/admin-keys/{key_id}`` (sent as a
    query parameter: inferred)."""

    reason: Optional[str] = None
    """Why the key is revoked, recorded in the audit log."""
