"""The emulator's routes: one module per area of the gateway, each a ``ROUTES`` list of
:class:`~meshapi.testing._gateway.router.Route` declarations, gathered in :data:`ROUTES`.

A route module imports the gateway layer (:mod:`meshapi.testing._gateway`) and never another
route module: what two areas share lives in the gateway layer.
"""

from __future__ import annotations

from typing import Tuple

from .._gateway.router import Route
from . import (
    audio,
    batches,
    blobs,
    chat,
    compare,
    embeddings,
    images,
    keys,
    memories,
    messages,
    meta,
    models,
    moderations,
    orgs,
    provider_keys,
    rag,
    responses,
    router,
    templates,
    usage,
    videos,
    web,
    websockets,
)

ROUTES: Tuple[Route, ...] = (
    *websockets.ROUTES,
    *audio.ROUTES,
    *batches.ROUTES,
    *blobs.ROUTES,
    *chat.ROUTES,
    *compare.ROUTES,
    *embeddings.ROUTES,
    *images.ROUTES,
    *keys.ROUTES,
    *memories.ROUTES,
    *messages.ROUTES,
    *meta.ROUTES,
    *models.ROUTES,
    *moderations.ROUTES,
    *orgs.ROUTES,
    *provider_keys.ROUTES,
    *rag.ROUTES,
    *responses.ROUTES,
    *router.ROUTES,
    *templates.ROUTES,
    *usage.ROUTES,
    *videos.ROUTES,
    *web.ROUTES,
)
"""Every route, in the order the dispatcher tries them: the first whose pattern and method
match a request answers it, and a path that some route matches with another method is a 405.
The order matters where two patterns match one path: the WebSocket routes come first, so that
``/v1/audio/transcriptions/realtime`` is not read as the audio area's
``/v1/audio/transcriptions/{transcription_id}``; within an area, a module lists specific paths
(``/v1/models/search``) before its ``{x:path}`` catch-alls (``/v1/models/{model_id:path}``).
The other areas share no path, so they follow in alphabetical order
(``tests/testing/routes/test_routes_match_endpoints.py`` checks that every endpoint reaches
its own route)."""
