"""Pages of list endpoints, walked lazily.

A page (:class:`AsyncPage`) exposes the fields users read (``data``, ``has_more``,
``first_id``, ``last_id``, ``total``), every other field of the gateway's page through the
page model (``page.model``, or plain attribute access), and :meth:`AsyncPage.next_page` to
step by hand. Iterating a page walks every item from it on, each next page fetched only when
the one before it is used up. Which page comes next is the core's decision
(:class:`~meshapi_core.paging.CursorPaging`, :class:`~meshapi_core.paging.OffsetPaging`), and
so is the end of a walk the gateway would send round in circles: a page that does not move
the walk forward raises :class:`~meshapi_core.errors.ResponseDecodeError` when the page after
it is asked for (see :mod:`meshapi_core.paging`).

>>> async for batch in client.batches.list(limit=20):   # doctest: +SKIP
...     print(batch.id, batch.status)

This module is the source of ``meshapi/_sync/pages.py``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Dict, Generator, Generic, List, Mapping, Optional, TypeVar

from meshapi_core.config import split_options
from meshapi_core.endpoint import Endpoint
from meshapi_core.errors import ResponseDecodeError
from meshapi_core.meta import EMPTY_META, ResponseMeta
from meshapi_core.paging import PageWalk
from meshapi_core.params import params_dict
from meshapi_core.prepare import bind_params

from .engine import AsyncEngine

# sync: __all__ = ["Page", "PageRequest"]
__all__ = ["AsyncPage", "AsyncPaginator", "PageRequest"]

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """How to ask for one page: the endpoint, its bound params, path and call keywords, and
    the walk that led to it (the cursors sent before, as the core remembers them)."""

    endpoint: Endpoint[Any, Any]
    params: Any
    path: Optional[Mapping[str, Any]] = None
    options: Dict[str, Any] = field(default_factory=dict)
    walk: PageWalk = field(default_factory=PageWalk)

    @classmethod
    def of(
        cls,
        endpoint: Endpoint[Any, Any],
        params: Any,
        kwargs: Mapping[str, Any],
        path: Optional[Mapping[str, Any]] = None,
    ) -> PageRequest:
        """The request of a first page, from a list method's arguments (checked now)."""
        fields, _ = split_options(kwargs)
        options = {k: v for k, v in kwargs.items() if k not in fields}
        bound = bind_params(endpoint, params, fields)
        if bound is None and endpoint.params is not None:
            bound = endpoint.params()
        return cls(endpoint, bound, path, options)

    def after(self, page: Any) -> Optional[PageRequest]:
        """The request of the page after ``page``, or ``None`` if ``page`` is the last; a
        :class:`~meshapi_core.errors.ResponseDecodeError` if ``page`` says there is more but
        does not move the walk forward."""
        paging = self.endpoint.paging
        if paging is None or self.params is None:
            return None
        step = paging.next_page(params_dict(self.params), page, self.walk)
        if step is None:
            return None
        changes, walk = step
        return PageRequest(
            self.endpoint, self.params.model_copy(update=changes), self.path, self.options, walk
        )


class AsyncPage(Generic[T]):
    """One page of a list, and the way to the next; ``async for item in page`` walks every
    item from this page on."""

    def __init__(self, engine: AsyncEngine, request: PageRequest, model: Any) -> None:
        self._engine = engine
        self._request = request
        self.model = model
        """The page as the gateway sent it (every field, known or not)."""

    @classmethod
    async def fetch(cls, engine: AsyncEngine, request: PageRequest) -> AsyncPage[T]:
        """Fetch the page ``request`` asks for."""
        call = engine.prepare(request.endpoint, request.params, request.options, request.path)
        return await engine.run(call, functools.partial(cls, engine, request))

    @property
    def data(self) -> List[T]:
        """The items of this page."""
        items: List[T] = list(self.model.page_items())
        return items

    @property
    def has_more(self) -> bool:
        """Whether the gateway has more items after this page (also when it names no way
        to them: then :meth:`next_page` raises)."""
        try:
            return self._request.after(self.model) is not None
        except ResponseDecodeError:
            return True

    @property
    def first_id(self) -> Optional[str]:
        """The id of this page's first item, where the gateway says (cursor pages)."""
        return getattr(self.model, "first_id", None)

    @property
    def last_id(self) -> Optional[str]:
        """The id of this page's last item, where the gateway says (cursor pages)."""
        return getattr(self.model, "last_id", None)

    @property
    def meta(self) -> ResponseMeta:
        """What the gateway said about this page's response in its headers
        (:class:`~meshapi_core.meta.ResponseMeta`)."""
        meta = getattr(self.model, "meta", None)
        return meta if isinstance(meta, ResponseMeta) else EMPTY_META

    @property
    def total(self) -> Optional[int]:
        """How many items the whole list holds, where the gateway says (offset pages)."""
        return getattr(self.model, "total", None)

    def has_next_page(self) -> bool:
        """Whether :meth:`next_page` would fetch a page."""
        return self.has_more

    async def next_page(self) -> Optional[AsyncPage[T]]:
        """The next page, fetched now, or ``None`` after the last; a
        :class:`~meshapi_core.errors.ResponseDecodeError`, with nothing fetched, when this
        page does not move the walk forward (no ``last_id`` to go on with, a cursor already
        sent, an offset that does not grow)."""
        request = self._request.after(self.model)
        if request is None:
            return None
        return await type(self).fetch(self._engine, request)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """This page and every page after it."""
        page: Optional[AsyncPage[T]] = self
        while page is not None:
            yield page
            page = await page.next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.model, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self.data)} items, has_more={self.has_more}>"


# async-only: begin
class AsyncPaginator(Generic[T]):
    """What a list method of the async client returns: ``await`` it for the first page, or
    ``async for`` over it for every item of every page. (A list method of the blocking
    client returns the first page itself, already fetched.)"""

    def __init__(self, engine: AsyncEngine, request: PageRequest) -> None:
        self._engine = engine
        self._request = request

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return AsyncPage.fetch(self._engine, self._request).__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page: AsyncPage[T] = await AsyncPage.fetch(self._engine, self._request)
        async for item in page:
            yield item


# async-only: end
