"""``client.audit_logs``: the append-only trail of governance actions, as pages or CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from meshapi_core.endpoints.audit_logs import AUDIT_LOGS_EXPORT, AUDIT_LOGS_LIST
from meshapi_core.models.audit_logs import AuditLogEntry, AuditLogListParams

from ..pages import AsyncPaginator
from ..resource import AsyncResource
from ..streams import AsyncByteStream

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import AuditLogListArgs, AuditLogListParamsDict, RequestOptions

__all__ = ["AsyncAuditLogs"]


class AsyncAuditLogs(AsyncResource):
    """The audit log: who did what to keys, admin keys, members and ownership."""

    def list(
        self,
        params: Union[AuditLogListParams, AuditLogListParamsDict, None] = None,
        /,
        **kwargs: Unpack[AuditLogListArgs],
    ) -> AsyncPaginator[AuditLogEntry]:
        """The trail, newest first, page by page."""
        return self._list(AUDIT_LOGS_LIST, params, kwargs)

    def export(self, **options: Unpack[RequestOptions]) -> AsyncByteStream:
        """The trail as CSV, streamed (filters in ``extra_query``):

        >>> await client.audit_logs.export().write_to("audit.csv")   # doctest: +SKIP
        """
        return self._byte_stream(AUDIT_LOGS_EXPORT, kwargs=options)
