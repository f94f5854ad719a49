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
    """The version, ``YYYY-MM`` (e.g. ``2026-09``): the value of ``X-Mesh-Version``."""
    status: Optional[str] = None
    """Its state, e.g. ``ga`` or ``sunset``."""
    sunset_on: Optional[str] = None
    """The day it stops being served."""
    baseline: Optional[bool] = None
    """Whether it is the version served when neither a header nor a key pins one."""
    latest: Optional[bool] = None
    """Whether it is the newest version."""
    capabilities: Optional[List[Any]] = None
    """What the version adds (e.g. ``video.poll_by_request_id``), as the gateway lists it."""
    notes_url: Optional[str] = None
    """A page of notes about the version."""


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("versions"), list):
        return value["versions"]
    return value


ApiVersionList = Annotated[List[ApiVersion], BeforeValidator(_unwrap)]
"""Every served version, from a bare array or an object's ``versions``."""
