"""The page shapes of list endpoints, and what a page must offer to be walked.

Cursor pages are OpenAI's list envelope (``{"object": "list", "data": [...], "has_more",
"first_id", "last_id"}``); offset pages carry ``total``, ``limit`` and ``offset`` next to
their items, whose field name varies by endpoint (``data``, ``files``, ``items``...), which
is why every page names its items through :meth:`Paged.page_items`.
"""

from __future__ import annotations

from typing import Generic, List, Optional, Protocol, Sequence, TypeVar

from pydantic import Field

from .base import ResponseModel

__all__ = ["CursorPage", "OffsetPage", "Paged"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Paged(Protocol[T_co]):
    """A page of a list endpoint: its items, whatever the field that holds them."""

    def page_items(self) -> Sequence[T_co]:
        """The items of this page, in the gateway's order."""
        ...


class CursorPage(ResponseModel, Generic[T]):
    """One page of an OpenAI-style list: ``data``, and ``has_more`` / ``last_id`` to go on."""

    object: str = "list"
    """Always ``list``."""
    data: List[T] = Field(default_factory=list)
    """The items of this page, in the gateway's order."""
    has_more: bool = False
    """Whether another page follows (ask for it with ``after=last_id``)."""
    first_id: Optional[str] = None
    """The id of the first item of this page."""
    last_id: Optional[str] = None
    """The id of the last item of this page: the ``after`` of the next one."""

    def page_items(self) -> List[T]:
        """The items of this page."""
        return self.data


class OffsetPage(ResponseModel, Generic[T]):
    """One page addressed by ``offset`` and ``limit``, with the ``total`` count."""

    object: Optional[str] = None
    """The kind of list, when the gateway names it."""
    data: List[T] = Field(default_factory=list)
    """The items of this page, in the gateway's order."""
    total: Optional[int] = None
    """How many items match, over every page."""
    limit: Optional[int] = None
    """The most items a page holds, as the gateway applied it."""
    offset: Optional[int] = None
    """How many matching items come before this page."""
    has_more: Optional[bool] = None
    """Whether another page follows, when the gateway says so."""

    def page_items(self) -> List[T]:
        """The items of this page."""
        return self.data
