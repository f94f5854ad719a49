"""Media the emulator hands out by URL (``GET /_files/{blob_id}``), standing in for the CDN or
provider storage that serves them in the real service.

Like such a host the route takes no credential and refuses a request carrying
``Authorization`` (400), so a client that leaks the gateway's token to a media URL fails its
tests. URLs are built from the request's ``Host``; bodies go out in 64 KiB writes under one
``Content-Length``, so a cut connection leaves a body a client can tell is short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from .errors import GatewayError
from .plan import ResponsePlan, Write
from .router import RouteContext

WRITE_SIZE = 65_536


@dataclass(frozen=True)
class Blob:
    """One stored body."""

    data: bytes
    content_type: str


@dataclass
class Blobs:
    """Every blob the emulator serves, by id."""

    items: Dict[str, Blob] = field(default_factory=dict)

    def add(self, ctx: RouteContext, data: bytes, content_type: str, suffix: str) -> str:
        """Store ``data`` and return its URL on this emulator."""
        blob_id = f"blob_{ctx.state.ids.ulid().lower()}{suffix}"
        self.items[blob_id] = Blob(data, content_type)
        return f"{base_url(ctx)}/_files/{blob_id}"


def blobs(ctx: RouteContext) -> Blobs:
    """The blob store of this gateway."""
    return ctx.state.store("blobs", Blobs)


def base_url(ctx: RouteContext) -> str:
    """``http://<host>`` (``https://`` over TLS) as the client addressed this emulator."""
    host = ctx.request.header("host") or "127.0.0.1"
    return f"{ctx.request.scheme}://{host.split(',')[0].strip()}"


def refuse_auth(ctx: RouteContext, what: str) -> None:
    """The 400 a storage host answers to a request that carries ``Authorization``."""
    if ctx.request.header_values("authorization"):
        raise GatewayError(
            400,
            "invalid_request",
            f"{what} must not carry an Authorization header: the URL is its own authorization "
            "(and this is not the gateway)",
        )


def chunked_bytes_plan(
    status: int,
    data: bytes,
    content_type: str,
    *,
    headers: Tuple[Tuple[str, str], ...] = (),
    size: int = WRITE_SIZE,
) -> ResponsePlan:
    """A ``Content-Length`` response whose body goes out in ``size``-byte writes."""
    head = (("content-type", content_type), ("content-length", str(len(data))), *headers)
    writes: List[Write] = [Write(data[i : i + size]) for i in range(0, len(data), size)]
    return ResponsePlan(status, head, tuple(writes))
