"""Provider keys, BYOK (``docs/gateway/control-plane.md`` §7): an admin key or a dashboard
session (the docs leave it unclear which; both are let through to the gateway).

Each provider has its own endpoints, because each has its own credential fields, checked
before anything is sent: :func:`for_provider` picks them, and refuses a provider the gateway
does not know. Removal by ``DELETE`` and the list are inferred.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, TypeVar

from ..endpoint import EMPTY, JSON, MANAGEMENT, Endpoint
from ..errors import InvalidArgumentError
from ..models.provider_keys import (
    PROVIDERS,
    ProviderKey,
    ProviderKeyPage,
    ProviderKeyTestResult,
)

__all__ = [
    "PROVIDER_KEYS_ADD",
    "PROVIDER_KEYS_LIST",
    "PROVIDER_KEYS_REMOVE",
    "PROVIDER_KEYS_TEST",
    "PROVIDER_KEYS_UPDATE",
    "for_provider",
]

E = TypeVar("E", bound=Endpoint[Any, Any])

PROVIDER_KEYS_LIST: Endpoint[None, ProviderKeyPage] = Endpoint(
    "GET", "/v1/provider-keys", MANAGEMENT, JSON(ProviderKeyPage)
)
"""``GET /v1/provider-keys``, called by ``provider_keys.list``."""
PROVIDER_KEYS_ADD: Dict[str, Endpoint[Any, ProviderKey]] = {
    name: Endpoint("POST", f"/v1/provider-keys/{name}", MANAGEMENT, JSON(ProviderKey), add)
    for name, (add, _) in PROVIDERS.items()
}
"""``POST /v1/provider-keys/{provider}``, one per provider, called by
``provider_keys.add``."""
PROVIDER_KEYS_UPDATE: Dict[str, Endpoint[Any, ProviderKey]] = {
    name: Endpoint("PATCH", f"/v1/provider-keys/{name}", MANAGEMENT, JSON(ProviderKey), update)
    for name, (_, update) in PROVIDERS.items()
}
"""``PATCH /v1/provider-keys/{provider}``, one per provider, called
by ``provider_keys.update``."""
PROVIDER_KEYS_TEST: Dict[str, Endpoint[None, ProviderKeyTestResult]] = {
    name: Endpoint(
        "POST", f"/v1/provider-keys/{name}/test", MANAGEMENT, JSON(ProviderKeyTestResult)
    )
    for name in PROVIDERS
}
"""``POST /v1/provider-keys/{provider}/test``, one per provider, called
by ``provider_keys.test``."""
PROVIDER_KEYS_REMOVE: Dict[str, Endpoint[None, None]] = {
    name: Endpoint("DELETE", f"/v1/provider-keys/{name}", MANAGEMENT, EMPTY) for name in PROVIDERS
}
"""``DELETE /v1/provider-keys/{provider}``, one per provider, called
by ``provider_keys.remove``."""


def for_provider(table: Mapping[str, E], provider: str) -> E:
    """The endpoint of ``table`` for ``provider``, or an
    :class:`~meshapi_core.errors.InvalidArgumentError` naming the providers there are.

    >>> for_provider(PROVIDER_KEYS_TEST, "openai").path
    '/v1/provider-keys/openai/test'
    >>> for_provider(PROVIDER_KEYS_TEST, "acme")
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: provider must be one of 'aws', 'azure', \
'azure-foundry', 'openai', 'vertex'; not 'acme'
    """
    found = table.get(provider) if isinstance(provider, str) else None
    if found is None:
        names = ", ".join(repr(name) for name in table)
        raise InvalidArgumentError(
            f"provider must be one of {names}; not {provider!r}", param="provider"
        )
    return found
