"""Moderations (``docs/gateway/api.md`` §8)."""

from __future__ import annotations

from ..endpoint import DATA, JSON, Endpoint
from ..models.moderations import ModerationParams, ModerationResponse

__all__ = ["MODERATIONS_CREATE"]

MODERATIONS_CREATE: Endpoint[ModerationParams, ModerationResponse] = Endpoint(
    "POST", "/v1/moderations", DATA, JSON(ModerationResponse), ModerationParams
)
"""``POST /v1/moderations``, called by ``moderations.create``."""
