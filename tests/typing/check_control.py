"""Checked by ``mypy --strict`` in ``scripts/lint``, never run: the control-plane methods are
typed, so a misspelled field, a wrong type or a provider's foreign field is caught."""

from __future__ import annotations

from decimal import Decimal
from typing import List, Optional

from meshapi import (
    AsyncMeshAPIAdmin,
    KeyCreated,
    MeshAPI,
    MeshAPIAdmin,
    ProviderKey,
    UsageEvent,
)


def keys(admin: MeshAPIAdmin) -> KeyCreated:
    created = admin.keys.create(name="ci", rpm_limit=60, spend_cap_usd=Decimal("12.50"))
    admin.keys.update(created.id or "", api_version=None, max_retries=0)
    admin.keys.create(rpm_limt=60)  # type: ignore[call-arg]
    admin.keys.create(rpm_limit="60")  # type: ignore[arg-type]
    return created


def provider_keys(admin: MeshAPIAdmin) -> List[ProviderKey]:
    return [
        admin.provider_keys.add("openai", api_key="sk-1", allow_fallback=False),
        admin.provider_keys.add("aws", access_key_id="A", secret_access_key="s", region="r"),
        admin.provider_keys.add("openai", region="us-east-1"),  # type: ignore[call-overload]
        admin.provider_keys.update("vertex", project_id="p"),
    ]


def account_reads(client: MeshAPI) -> Optional[Decimal]:
    first: UsageEvent = client.usage.events(limit=10).data[0]
    _ = client.keys  # type: ignore[attr-defined]
    return first.cost


async def async_admin(admin: AsyncMeshAPIAdmin) -> str:
    created = await admin.admin_keys.create(permissions=["keys:read"], scope="org")
    await admin.admin_keys.create(permissions=["keys:delete"])  # type: ignore[list-item]
    async for key in admin.keys.list(limit=5):
        print(key.status)
    return created.key.get_secret_value()
