"""The base of every resource: a handle on the engine, and the four kinds of call.

A resource method is a typed signature, a docstring and one line that names its endpoint::

    async def get(self, batch_id: str, /, **options: Unpack[RequestOptions]) -> Batch:
        \"\"\"One batch by id.\"\"\"
        return await self._request(BATCHES_GET, path={"batch_id": batch_id}, kwargs=options)

Everything else (binding and checking the params, encoding, retries, decoding, streams and
pages) happens below it, once. This module is the source of ``meshapi/_sync/resource.py``.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, TypeVar

from meshapi_core.endpoint import Endpoint
from meshapi_core.models.pages import Paged

from .engine import AsyncEngine
from .pages import AsyncPaginator, PageRequest
from .streams import AsyncByteStream, AsyncStream

__all__ = ["AsyncResource"]

R = TypeVar("R")
C = TypeVar("C")
T = TypeVar("T")


class AsyncResource:
    """A group of methods of the API (``client.batches``, ``client.chat.completions``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def _request(
        self,
        endpoint: Endpoint[Any, R],
        params: Any = None,
        kwargs: Optional[Mapping[str, Any]] = None,
        path: Optional[Mapping[str, Any]] = None,
        files: Optional[Mapping[str, Any]] = None,
    ) -> R:
        """Call ``endpoint`` and return its decoded reply (``files``: a form's files by field
        name)."""
        call = self._engine.prepare(endpoint, params, kwargs, path, files)
        return await self._engine.run(call)

    def _stream(
        self,
        endpoint: Endpoint[Any, C],
        params: Any = None,
        kwargs: Optional[Mapping[str, Any]] = None,
        path: Optional[Mapping[str, Any]] = None,
    ) -> AsyncStream[C]:
        """A stream of ``endpoint``'s events, opened on first use."""
        call = self._engine.prepare(endpoint, params, kwargs, path)
        return AsyncStream(self._engine, endpoint, call)

    def _byte_stream(
        self,
        endpoint: Endpoint[Any, Any],
        params: Any = None,
        kwargs: Optional[Mapping[str, Any]] = None,
        path: Optional[Mapping[str, Any]] = None,
    ) -> AsyncByteStream:
        """``endpoint``'s body as a stream of bytes, opened on first use."""
        call = self._engine.prepare(endpoint, params, kwargs, path)
        return AsyncByteStream(self._engine, endpoint, call)

    def _list(
        self,
        endpoint: Endpoint[Any, Paged[T]],
        params: Any = None,
        kwargs: Optional[Mapping[str, Any]] = None,
        path: Optional[Mapping[str, Any]] = None,
    ) -> AsyncPaginator[T]:
        """The pages of ``endpoint``: lazily (async), or the first page fetched (sync)."""
        request = PageRequest.of(endpoint, params, kwargs or {}, path)
        # sync: return Page.fetch(self._engine, request)
        return AsyncPaginator(self._engine, request)
