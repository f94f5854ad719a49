"""Admin keys (``docs/gateway/control-plane.md`` §3): minting, rotating and revoking are a
signed-in human's acts (a dashboard session); reading them is open to admin keys too."""

from __future__ import annotations

from ..endpoint import DASHBOARD, EMPTY, JSON, MANAGEMENT, CursorPaging, Endpoint
from ..models.admin_keys import (
    AdminKey,
    AdminKeyCreated,
    AdminKeyCreateParams,
    AdminKeyListParams,
    AdminKeyPage,
    AdminKeyRevokeParams,
    AdminKeyRotateParams,
)

__all__ = [
    "ADMIN_KEYS_CREATE",
    "ADMIN_KEYS_GET",
    "ADMIN_KEYS_LIST",
    "ADMIN_KEYS_REVOKE",
    "ADMIN_KEYS_ROTATE",
]

ADMIN_KEYS_CREATE: Endpoint[AdminKeyCreateParams, AdminKeyCreated] = Endpoint(
    "POST", "/v1/admin-keys", DASHBOARD, JSON(AdminKeyCreated), AdminKeyCreateParams
)
"""``POST /v1/admin-keys``, called by ``admin_keys.create``."""
ADMIN_KEYS_LIST: Endpoint[AdminKeyListParams, AdminKeyPage] = Endpoint(
    "GET",
    "/v1/admin-keys",
    MANAGEMENT,
    JSON(AdminKeyPage),
    AdminKeyListParams,
    paging=CursorPaging(),
)
"""``GET /v1/admin-keys``, called by ``admin_keys.list``."""
ADMIN_KEYS_GET: Endpoint[None, AdminKey] = Endpoint(
    "GET", "/v1/admin-keys/{key_id}", MANAGEMENT, JSON(AdminKey)
)
"""``GET /v1/admin-keys/{key_id}``, called by ``admin_keys.get``."""
ADMIN_KEYS_ROTATE: Endpoint[AdminKeyRotateParams, AdminKeyCreated] = Endpoint(
    "POST",
    "/v1/admin-keys/{key_id}/rotate",
    DASHBOARD,
    JSON(AdminKeyCreated),
    AdminKeyRotateParams,
)
"""``POST /v1/admin-keys/{key_id}/rotate``, called by ``admin_keys.rotate``."""
ADMIN_KEYS_REVOKE: Endpoint[AdminKeyRevokeParams, None] = Endpoint(
    "DELETE", "/v1/admin-keys/{key_id}", DASHBOARD, EMPTY, AdminKeyRevokeParams
)
"""``DELETE /v1/admin-keys/{key_id}``, called by ``admin_keys.revoke``."""
