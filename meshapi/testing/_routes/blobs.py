"""Media the emulator hands out by URL: ``GET /_files/{blob_id}`` (see
:mod:`meshapi.testing._gateway.blobs`)."""

from __future__ import annotations

from typing import List, Optional

from .._gateway.blobs import Blob, blobs, chunked_bytes_plan, refuse_auth
from .._gateway.errors import GatewayError
from .._gateway.plan import ResponsePlan
from .._gateway.router import Route, RouteContext


def get_blob(ctx: RouteContext) -> ResponsePlan:
    """``GET /_files/{blob_id}``: a stored image or video."""
    refuse_auth(ctx, "A media URL")
    found: Optional[Blob] = blobs(ctx).items.get(ctx.params["blob_id"])
    if found is None:
        raise GatewayError(404, "not_found", "No such file.")
    return chunked_bytes_plan(200, found.data, found.content_type)


ROUTES: List[Route] = [Route("GET", "/_files/{blob_id}", [], get_blob, rate_limited=False)]
