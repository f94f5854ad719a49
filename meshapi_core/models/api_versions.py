"""Contract versions: ``GET /v1/api-versions`` (``docs/gateway/api.md`` §0).

Pin one with the ``X-Mesh-Version`` header (or on the key). The fields of a version are the
ones the docs show (``notes_url`` appears in the vendor's later live tests). Whether the list
comes bare or inside an object is not documented: the vendor's live tests read a bare JSON
array, older emulators an object with ``versions``; both decode to a list of
:class:`ApiVersion`.
"""

from __future__ import annotations

from typing import Annotated, Any, List, Optional

from pydantic import BeforeValidator

from .base import ResponseModel

__all__ = ["ApiVersion", "ApiVersionList"]


class ApiVersion(ResponseModel):
    """One served contract version: its ``label`` (``YYYY-MM``), ``status`` (``ga``,
    ``sunset``...), the day it stops being served (``sunset_on``), and whether it is the
    ``baseline`` (served without a header or pin) or the ``latest``."""

    label: Optional[str] = None
    status: Optional[str] = None
    sunset_on: Optional[str] = None
    baseline: Optional[bool] = None
    latest: Optional[bool] = None
    capabilities: Optional[List[Any]] = None
    notes_url: Optional[str] = None


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("versions"), list):
        return value["versions"]
    return value


ApiVersionList = Annotated[List[ApiVersion], BeforeValidator(_unwrap)]
"""Every served version, from a bare array or an object's ``versions``."""
