"""Inference keys (``docs/gateway/control-plane.md`` §2): managed with an admin key (``mak_``)
or a dashboard session, never with a data-plane key ("a leaked key must not mint more")."""

from __future__ import annotations

from ..endpoint import JSON, MANAGEMENT, CursorPaging, Endpoint
from ..models.keys import (
    Key,
    KeyCreated,
    KeyCreateParams,
    KeyListParams,
    KeyPage,
    KeyUpdateParams,
    ResolvedLimits,
)

__all__ = ["KEYS_CREATE", "KEYS_GET", "KEYS_LIMITS", "KEYS_LIST", "KEYS_SUSPEND", "KEYS_UPDATE"]

KEYS_CREATE: Endpoint[KeyCreateParams, KeyCreated] = Endpoint(
    "POST", "/v1/keys", MANAGEMENT, JSON(KeyCreated), KeyCreateParams
)
"""``POST /v1/keys``, called by ``keys.create``."""
KEYS_LIST: Endpoint[KeyListParams, KeyPage] = Endpoint(
    "GET", "/v1/keys", MANAGEMENT, JSON(KeyPage), KeyListParams, paging=CursorPaging()
)
"""``GET /v1/keys``, called by ``keys.list``."""
KEYS_GET: Endpoint[None, Key] = Endpoint("GET", "/v1/keys/{key_id}", MANAGEMENT, JSON(Key))
"""``GET /v1/keys/{key_id}``, called by ``keys.get``."""
KEYS_UPDATE: Endpoint[KeyUpdateParams, Key] = Endpoint(
    "PATCH", "/v1/keys/{key_id}", MANAGEMENT, JSON(Key), KeyUpdateParams
)
"""``PATCH /v1/keys/{key_id}``, called by ``keys.update``."""
KEYS_SUSPEND: Endpoint[None, Key] = Endpoint("DELETE", "/v1/keys/{key_id}", MANAGEMENT, JSON(Key))
"""The gateway's soft delete: the key's status becomes ``suspended``; its history stays."""
KEYS_LIMITS: Endpoint[None, ResolvedLimits] = Endpoint(
    "GET", "/v1/keys/{key_id}/limits", MANAGEMENT, JSON(ResolvedLimits)
)
"""``GET /v1/keys/{key_id}/limits``, called by ``keys.limits``."""
