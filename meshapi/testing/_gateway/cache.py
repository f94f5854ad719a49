"""The gateway's response cache, for chat completions: a repeated request answered from it with
``X-Cache: HIT`` at no cost (``docs/gateway/api.md`` §0.2 and §1, ``errors.md`` §4,
``control-plane.md`` §5-6).

Not cacheable: streams, ``tools``, ``"cache": false`` or ``X-Mesh-Cache: no-store``, memories
(``x-mem-id``), and (the emulator's own rule, so a test's script always wins) a request a
scripted reply answers. Identical means the same caller, API version and body, ``user``
aside. Entries live :data:`CACHE_TTL` seconds on the gateway's clock, at most
:data:`CACHE_ENTRIES` of them (least recently used out first).
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from typing import Any, Dict, Mapping, Optional, Tuple

from .router import RouteContext

CACHE_TTL = 3600.0
"""Seconds a kept reply answers identical requests (the gateway does not document its own)."""
CACHE_ENTRIES = 1_000
"""The most replies the emulator's cache keeps."""


class ResponseCache:
    """Kept replies by request key, with their time of keeping; bounded, least recently used
    evicted first."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, Tuple[float, Dict[str, Any]]] = OrderedDict()

    def get(self, key: str, now: float) -> Optional[Dict[str, Any]]:
        """A copy of the reply kept for ``key``, if it is still fresh."""
        found = self._entries.get(key)
        if found is None:
            return None
        kept_at, payload = found
        if now - kept_at > CACHE_TTL:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return copy.deepcopy(payload)

    def put(self, key: str, now: float, payload: Mapping[str, Any]) -> None:
        """Keep a copy of ``payload`` for ``key``."""
        self._entries[key] = (now, copy.deepcopy(dict(payload)))
        self._entries.move_to_end(key)
        while len(self._entries) > CACHE_ENTRIES:
            self._entries.popitem(last=False)


def response_cache(ctx: RouteContext) -> ResponseCache:
    """The cache of the gateway ``ctx`` belongs to (dropped on reset)."""
    return ctx.state.store("response_cache", ResponseCache)


def cache_key(ctx: RouteContext, body: Mapping[str, Any]) -> Optional[str]:
    """The key of a cacheable chat completion request, or ``None`` when the gateway would
    neither answer it from its cache nor keep its reply (see the module docs)."""
    if body.get("stream") or body.get("tools") or body.get("cache") is False:
        return None
    no_store = (ctx.request.header("x-mesh-cache") or "").strip().lower() == "no-store"
    if no_store or ctx.request.header("x-mem-id"):
        return None
    keyed = {name: value for name, value in body.items() if name != "user"}
    caller = ctx.principal.key.id if ctx.principal.key is not None else ctx.principal.owner
    return json.dumps([caller, ctx.version, keyed], sort_keys=True, default=str)
