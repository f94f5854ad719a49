"""Page styles: every walk ends. A page that does not move the walk forward (a cursor sent
before, an offset that does not grow, ``has_more`` with no ``last_id``) is a typed error, in
constant memory, and a walk that never repeats itself is never cut short."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, List, Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meshapi_core.endpoint import CursorPaging as ReExported
from meshapi_core.errors import ResponseDecodeError
from meshapi_core.paging import RECENT_CURSORS, CursorPaging, OffsetPaging, PageWalk


@dataclass
class CursorPage:
    last_id: Optional[str]
    has_more: bool = True
    data: List[Any] = field(default_factory=lambda: [1])


@dataclass
class OffsetPage:
    offset: Optional[int]
    total: Optional[int] = None
    has_more: Optional[bool] = None
    data: List[Any] = field(default_factory=lambda: [1])


def walk_cursors(cursors: List[str], limit: int) -> int:
    """Walk pages whose last ids are ``cursors`` in turn (the last repeating); how many
    pages were fetched when the walk was stopped, or ``limit`` if it never was."""
    paging, walk = CursorPaging(), PageWalk()
    sent: dict = {}
    for fetched in range(1, limit + 1):
        page = CursorPage(cursors[min(fetched - 1, len(cursors) - 1)])
        try:
            step = paging.next_page(sent, page, walk)
        except ResponseDecodeError:
            return fetched
        assert step is not None
        sent, walk = step
    return limit


def cycle(start: int, length: int, total: int) -> List[str]:
    """``start`` distinct cursors, then a cycle of ``length`` others, ``total`` in all."""
    head = [f"h{n}" for n in range(start)]
    loop = [f"c{n}" for n in range(length)]
    return head + [loop[n % length] for n in range(total - start)]


def test_the_core_declares_the_page_styles_the_endpoints_import() -> None:
    assert ReExported is CursorPaging


def test_a_cursor_that_comes_back_ends_the_walk_before_a_page_is_fetched_twice() -> None:
    # A -> B -> A: the third page names A, which was sent for the second page
    assert walk_cursors(["A", "B", "A", "B"], 100) == 3


@given(start=st.integers(0, 50), length=st.integers(1, RECENT_CURSORS))
def test_a_short_cycle_ends_at_its_first_repeat(start: int, length: int) -> None:
    # the page that closes the cycle is the last fetched: nothing is asked for twice
    assert walk_cursors(cycle(start, length, 500), 500) == start + length + 1


@given(start=st.integers(0, 400), length=st.integers(1, 400))
def test_any_cycle_ends_within_three_times_the_walk_to_its_first_repeat(
    start: int, length: int
) -> None:
    total = 4 * (start + length) + 10
    fetched = walk_cursors(cycle(start, length, total), total)
    assert start + length + 1 <= fetched <= 2 * max(start, length) + length + 2


def test_a_walk_that_never_repeats_is_never_cut_short() -> None:
    cursors = [f"b_{n}" for n in range(20_000)]
    assert walk_cursors(cursors, 20_000) == 20_000


def test_a_walk_keeps_constant_memory() -> None:
    paging, walk, sent = CursorPaging(), PageWalk(), {}
    sizes = []
    for n in range(5000):
        step = paging.next_page(sent, CursorPage("x" * 1000 + str(n)), walk)
        assert step is not None
        sent, walk = step
        if n in (100, 4999):
            sizes.append(sys.getsizeof(walk.recent) + sum(sys.getsizeof(d) for d in walk.recent))
    assert len(walk.recent) == RECENT_CURSORS and sizes[0] == sizes[1]  # digests, not cursors


def test_stepping_back_to_an_earlier_page_sees_no_false_cycle() -> None:
    paging = CursorPaging()
    first = paging.next_page({}, CursorPage("A"), PageWalk())
    assert first is not None
    sent, walk = first
    again = [paging.next_page(sent, CursorPage("B"), walk) for _ in range(3)]
    assert all(step is not None and step[0] == {"after": "B"} for step in again)


def test_has_more_without_a_last_id_is_an_error_not_the_end() -> None:
    for last_id in (None, ""):
        with pytest.raises(ResponseDecodeError, match="names no last_id"):
            CursorPaging().next_page({}, CursorPage(last_id), PageWalk())
    assert CursorPaging().next_page({}, CursorPage(None, has_more=False), PageWalk()) is None


def test_a_starting_cursor_counts_as_sent() -> None:
    # the walk began at after=A (the caller's); a page naming A again sends it back there
    paging = CursorPaging()
    step = paging.next_page({"after": "A"}, CursorPage("B"), PageWalk())
    assert step is not None
    with pytest.raises(ResponseDecodeError, match="cycle"):
        paging.next_page(step[0], CursorPage("A"), step[1])


def test_an_offset_that_does_not_grow_ends_the_walk() -> None:
    paging = OffsetPaging()
    # the body says offset 0 whatever was asked: the next offset would be 1 again
    with pytest.raises(ResponseDecodeError, match="do not move forward"):
        paging.next_page({"offset": 1}, OffsetPage(0, total=10), PageWalk())
    with pytest.raises(ResponseDecodeError, match="do not move forward"):
        paging.next_page({"offset": 5}, OffsetPage(-3, has_more=True), PageWalk())
    assert paging.next_params({}, OffsetPage(0, total=10)) == {"offset": 1}
    assert paging.next_params({"offset": 1}, OffsetPage(None, total=10)) == {"offset": 2}
    assert paging.next_params({"offset": 9}, OffsetPage(9, total=10)) is None


@given(st.lists(st.integers(-5, 50), min_size=1, max_size=200))
def test_offsets_only_grow(reported: List[int]) -> None:
    paging, sent, walk = OffsetPaging(), {}, PageWalk()
    offsets = [0]
    for offset in reported:
        try:
            step = paging.next_page(sent, OffsetPage(offset, has_more=True), walk)
        except ResponseDecodeError:
            return
        assert step is not None
        sent, walk = step
        offsets.append(step[0]["offset"])
    assert offsets == sorted(set(offsets))
