"""Every endpoint of the gateway, declared once, one module per area of the API.

Each module declares its endpoints as :class:`~meshapi_core.endpoint.Endpoint` constants
(``CHAT_COMPLETIONS``, ``BATCHES_LIST``...). Importing one area does not import the others,
so a client pays only for the areas it uses. :func:`all_endpoints` imports them all, for
tests and documentation.
"""

from __future__ import annotations

import importlib
from typing import Any, Dict, Tuple

from ..endpoint import Endpoint

__all__ = ["all_endpoints", "areas"]


def areas() -> Tuple[str, ...]:
    """The modules of this package, one per area of the API."""
    import pkgutil

    return tuple(sorted(info.name for info in pkgutil.iter_modules(__path__)))


def all_endpoints() -> Dict[str, Endpoint[Any, Any]]:
    """Every declared endpoint, by ``area.NAME``.

    >>> all_endpoints()["chat.CHAT_COMPLETIONS"].path
    '/v1/chat/completions'
    """
    found: Dict[str, Endpoint[Any, Any]] = {}
    for area in areas():
        module = importlib.import_module(f"{__name__}.{area}")
        for name, value in vars(module).items():
            if isinstance(value, Endpoint):
                found[f"{area}.{name}"] = value
            elif isinstance(value, dict):  # one endpoint per variant (provider keys)
                for key, item in value.items():
                    if isinstance(item, Endpoint):
                        found[f"{area}.{name}[{key}]"] = item
    return found
