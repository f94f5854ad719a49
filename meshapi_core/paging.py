"""Page styles of list endpoints, and walks through their pages that always end.

A list endpoint declares how its pages follow one another (:class:`CursorPaging`: the next
page is asked for ``after`` the last id of this one; :class:`OffsetPaging`: at the offset past
this page's items), and the facade walks the pages by asking the style what comes next. The
rules here make every walk end, whatever the gateway answers:

- a page that says there is more must say where it is: a cursor page with ``has_more`` and no
  ``last_id`` is a :class:`~meshapi_core.errors.ResponseDecodeError`, not a silent end after
  the first page;
- a page must move the walk forward: an offset page whose next offset is not past the offset
  it was asked for (the body says ``"offset": 0`` again and again), and a cursor the walk
  has already sent, each end it with a ``ResponseDecodeError`` (``parse_error``) instead of
  asking for the same pages forever.

Offsets are numbers: each must grow, so no walk can come back to one. Cursors are opaque, so
noticing one "seen before" needs memory, and remembering every cursor of a million-page walk
would itself be unbounded. A :class:`PageWalk` keeps a constant amount instead (see there):
the digests of the last :data:`RECENT_CURSORS` cursors, which end any cycle of up to that many
pages before a single page is asked for twice, and Brent's cycle detection over the sequence
of cursors, which ends a longer cycle within at most about three times the pages walked before
the first repeat. A walk that never repeats a cursor is never cut short: there is no maximum
page count.

>>> class Page: has_more, last_id, data = True, "b_2", [1, 2]
>>> changes, walk = CursorPaging().next_page({"limit": 2}, Page(), PageWalk())
>>> changes
{'after': 'b_2'}
>>> CursorPaging().next_page({"limit": 2, "after": "b_2"}, Page(), walk)
Traceback (most recent call last):
...
meshapi_core.errors.ResponseDecodeError: The gateway's page cursor did not move \
(after='b_2' again): stopping instead of fetching the same page forever (code parse_error)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from .errors import ResponseDecodeError, shorten

__all__ = ["RECENT_CURSORS", "CursorPaging", "OffsetPaging", "PageWalk", "Paging"]

RECENT_CURSORS = 32
"""How many of a walk's latest cursors a new cursor is compared with, besides Brent's mark."""

_SHOWN = 80  # characters of a cursor shown in a message


def _stuck(what: str) -> ResponseDecodeError:
    return ResponseDecodeError(
        f"The gateway's {what}: stopping instead of fetching the same page forever",
        error_code="parse_error",
    )


def _digest(cursor: str) -> bytes:
    # A fixed 16 bytes per cursor remembered, however long the gateway makes its cursors.
    return hashlib.blake2b(cursor.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True)
class PageWalk:
    """Where a walk through cursor pages has been, in constant memory: the cursors it sent,
    as much of them as it takes to tell a new cursor from one seen before.

    Two checks, each over digests of the cursors (16 bytes each):

    - ``recent``: the digests of the last :data:`RECENT_CURSORS` cursors sent. A cycle of up
      to that many pages (``A -> B -> A``) ends when the page that closes it arrives, before
      any page is asked for twice.
    - Brent's algorithm for a longer cycle: ``mark`` is one cursor's digest, saved again each
      time the walk has gone ``power`` more pages since the last save, ``power`` doubling
      every time. Once ``power`` is at least the cycle's length and the mark lies on the
      cycle, the walk meets the mark again within one lap. A cycle that starts after ``m``
      pages and is ``n`` pages long is noticed within about ``2 * max(m, n) + n`` pages: at
      most three times what a walk remembering every cursor would have fetched.

    A walk is a value: each page's request holds the walk as it stood when that page was
    asked for, so stepping back to an earlier page and on again never sees a false cycle.

    >>> walk = PageWalk().after(None, "A").after("A", "B")
    >>> walk.after("B", "A")
    Traceback (most recent call last):
    ...
    meshapi_core.errors.ResponseDecodeError: The gateway's page cursors went round in a \
cycle (after='A' was already sent): stopping instead of fetching the same page forever \
(code parse_error)
    """

    recent: Tuple[bytes, ...] = ()
    mark: Optional[bytes] = None
    power: int = 1
    since_mark: int = 0

    def after(self, sent: Optional[str], cursor: str) -> PageWalk:
        """The walk once a page asked for with cursor ``sent`` (``None``: no cursor) names
        ``cursor`` as the next; a :class:`~meshapi_core.errors.ResponseDecodeError` if the
        walk has sent ``cursor`` before (as far as it remembers, see the class docs)."""
        walk = self if sent is None else self._record(_digest(sent))
        digest = _digest(cursor)
        if digest in walk.recent or digest == walk.mark:
            raise _stuck(
                f"page cursors went round in a cycle (after={shorten(cursor, _SHOWN)!r} was "
                "already sent)"
            )
        return walk

    def _record(self, digest: bytes) -> PageWalk:
        recent = (*self.recent[1 - RECENT_CURSORS :], digest)
        if self.since_mark + 1 >= self.power:  # Brent: move the mark, double the stride
            return PageWalk(recent, digest, self.power * 2, 0)
        return PageWalk(recent, self.mark, self.power, self.since_mark + 1)


@dataclass(frozen=True)
class CursorPaging:
    """OpenAI-style pages: ``has_more`` and ``last_id`` in the page; the next page is asked
    for with ``after=<last_id>``."""

    cursor_param: str = "after"
    limit_param: str = "limit"

    def next_params(self, sent: Mapping[str, Any], page: Any) -> Optional[Dict[str, Any]]:
        """What changes in the params for the page after ``page`` (fetched with ``sent``),
        or ``None`` after the last page. A page that says there is more but names no
        ``last_id``, or names the cursor it was fetched with, is a
        :class:`~meshapi_core.errors.ResponseDecodeError`.

        >>> class Page: has_more, last_id, data = True, "b_2", [1, 2]
        >>> CursorPaging().next_params({"limit": 2}, Page())
        {'after': 'b_2'}
        """
        if not getattr(page, "has_more", False):
            return None
        last_id = getattr(page, "last_id", None)
        if not isinstance(last_id, str) or not last_id:
            raise ResponseDecodeError(
                "The gateway's page says it has more (has_more=true) but names no last_id to "
                "ask for the next page with",
                error_code="parse_error",
            )
        if sent.get(self.cursor_param) == last_id:
            raise _stuck(f"page cursor did not move (after={shorten(last_id, _SHOWN)!r} again)")
        return {self.cursor_param: last_id}

    def next_page(
        self, sent: Mapping[str, Any], page: Any, walk: PageWalk
    ) -> Optional[Tuple[Dict[str, Any], PageWalk]]:
        """:meth:`next_params`, and the walk with this page's cursor remembered; a cursor
        the walk has sent before ends it (see :class:`PageWalk`)."""
        changes = self.next_params(sent, page)
        if changes is None:
            return None
        previous = sent.get(self.cursor_param)
        sent_cursor = previous if isinstance(previous, str) else None
        return changes, walk.after(sent_cursor, changes[self.cursor_param])


@dataclass(frozen=True)
class OffsetPaging:
    """Pages addressed by ``offset`` and ``limit``, with a ``total`` count in the page."""

    offset_param: str = "offset"
    limit_param: str = "limit"

    def next_params(self, sent: Mapping[str, Any], page: Any) -> Optional[Dict[str, Any]]:
        """What changes in the params for the page after ``page`` (fetched with ``sent``),
        or ``None`` after the last page. The next offset is the page's own ``offset`` (else
        the one sent) plus its item count; one that is not past the offset sent is a
        :class:`~meshapi_core.errors.ResponseDecodeError`.

        >>> class Page: total, offset, data = 5, 2, [1, 2]
        >>> OffsetPaging().next_params({"limit": 2, "offset": 2}, Page())
        {'offset': 4}
        """
        items = page.page_items() if hasattr(page, "page_items") else getattr(page, "data", [])
        if not items:
            return None
        sent_offset = sent.get(self.offset_param) or 0
        offset = getattr(page, "offset", None)
        if isinstance(offset, bool) or not isinstance(offset, int):
            offset = sent_offset
        after = offset + len(items)
        total = getattr(page, "total", None)
        has_more = getattr(page, "has_more", None)
        if isinstance(total, int) and not isinstance(total, bool):
            if after >= total:
                return None
        elif not has_more:
            return None
        if after <= sent_offset:
            raise _stuck(
                f"pages do not move forward (the page asked for at offset {sent_offset} says "
                f"it is at offset {offset}, so the next would be at {after} again)"
            )
        return {self.offset_param: after}

    def next_page(
        self, sent: Mapping[str, Any], page: Any, walk: PageWalk
    ) -> Optional[Tuple[Dict[str, Any], PageWalk]]:
        """:meth:`next_params`, and ``walk`` as it was: offsets only grow, so no walk can
        come back to one and there is nothing to remember."""
        changes = self.next_params(sent, page)
        return None if changes is None else (changes, walk)


Paging = Union[CursorPaging, OffsetPaging]
"""A list endpoint's page style."""
