"""The audit log (``docs/gateway/control-plane.md`` §4): a data-plane key or a dashboard session
reads it; the JSON list's path is inferred, the CSV export's documented."""

from __future__ import annotations

from ..endpoint import DATA_OR_DASHBOARD, JSON, ByteStream, CursorPaging, Endpoint
from ..models.audit_logs import AuditLogListParams, AuditLogPage

__all__ = ["AUDIT_LOGS_EXPORT", "AUDIT_LOGS_LIST"]

AUDIT_LOGS_LIST: Endpoint[AuditLogListParams, AuditLogPage] = Endpoint(
    "GET",
    "/v1/audit-logs",
    DATA_OR_DASHBOARD,
    JSON(AuditLogPage),
    AuditLogListParams,
    paging=CursorPaging(),
)
"""``GET /v1/audit-logs``, called by ``audit_logs.list``."""
AUDIT_LOGS_EXPORT: Endpoint[None, bytes] = Endpoint(
    "GET", "/v1/audit-logs.csv", DATA_OR_DASHBOARD, stream=ByteStream(accept="text/csv")
)
"""The filtered trail as CSV; filters go in ``extra_query`` (their names were not captured)."""
