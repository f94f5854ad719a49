"""Whole-response helpers for transport tests: what the engine does, in a few lines."""

from __future__ import annotations

from typing import Any

from meshapi_core.errors import StreamInterruptedError, body_failure
from meshapi_core.http import Request, Response


def send(transport: Any, request: Request) -> Response:
    """Open ``request`` on a blocking transport and read the whole body (a body that breaks
    off is a connection error after the response started, as in the engine)."""
    stream = transport.open_stream(request)
    try:
        return Response(stream.status, stream.headers, b"".join(stream.iter_bytes()))
    except StreamInterruptedError as error:
        raise body_failure(error) from None
    finally:
        stream.close()


async def asend(transport: Any, request: Request) -> Response:
    """Open ``request`` on an async transport and read the whole body."""
    stream = await transport.open_stream(request)
    try:
        return Response(stream.status, stream.headers, await aread(stream))
    except StreamInterruptedError as error:
        raise body_failure(error) from None
    finally:
        await stream.aclose()


async def aread(stream: Any) -> bytes:
    """The rest of an async stream's body."""
    return b"".join([chunk async for chunk in stream.iter_bytes()])


def read(stream: Any) -> bytes:
    """The rest of a blocking stream's body."""
    return b"".join(stream.iter_bytes())
