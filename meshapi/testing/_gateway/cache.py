"""The gateway's response cache, for chat completions: a repeated request answered from it.

The gateway keeps the replies of cacheable requests and answers a later identical request
with the kept reply and ``X-Cache: HIT`` (``docs/gateway/errors.md`` §4); such a reply costs
nothing (``control-plane.md`` §5). It sends nothing on a miss. A request is cacheable unless
(``docs/gateway/api.md`` §0.2 and §1, ``control-plane.md`` §6):

- it streams, or carries ``tools``;
- its body says ``"cache": false``, or it sends ``X-Mesh-Cache: no-store`` (neither read
  nor kept);
- it attaches memories (``x-mem-id``).

Identical means: the same caller, API version and body, ``user`` aside (it is not part of
the gateway's cache key). The emulator adds one rule of its own: a request that a scripted
reply answers (:meth:`Gateway.script_reply <meshapi.testing.Gateway.script_reply>`) is never
answered from the cache nor kept in it, so a test's script always wins. Entries live
:data:`CACHE_TTL` seconds on the gateway's clock, and at most :data:`CACHE_ENTRIES` are kept
(the least recently used goes first).
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
