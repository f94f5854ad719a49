"""The audit log (``docs/gateway/control-plane.md`` §4): the append-only trail of governance
actions (keys, admin keys, invitations, roles, ownership), readable with a data-plane key or
a dashboard session.

Known: ``GET /v1/audit-logs.csv`` exports the filtered trail as CSV. Inferred: the JSON list
at ``GET /v1/audit-logs`` and its OpenAI-style page (``limit``, ``after``), the entries'
fields (kept as sent, ``model_extra``) and the filters' names (pass them with
``extra_query``).
"""

from __future__ import annotations

from typing import Optional

from pydantic import Field

from .base import RequestModel, ResponseModel
from .pages import CursorPage

__all__ = ["AuditLogEntry", "AuditLogListParams", "AuditLogPage"]


class AuditLogEntry(ResponseModel):
    """One governance action; ``id`` is inferred, every field is kept as sent."""

    id: Optional[str] = None
    """The entry's id *[inferred]*."""


class AuditLogListParams(RequestModel):
    """The query of ``GET /v1/audit-logs`` (paging inferred)."""

    limit: Optional[int] = Field(default=None, ge=1)
    """The most entries on one page (at least 1)."""
    after: Optional[str] = None
    """The id of the last entry of the previous page: this page starts after it."""


class AuditLogPage(CursorPage[AuditLogEntry]):
    """One page of the audit log, newest first."""
