"""Loops a server drives always end: a walk through pages the server sends round in circles,
and a wait for a job whose status is none the gateway documents.

Each hostile server stops misbehaving after :data:`PATIENCE` requests (it ends the list, or
finishes the job), so a client without the bound under test fails its assertions instead of
hanging the suite.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs, urlsplit

import pytest

from meshapi import ResponseDecodeError, UnknownStatusError

from ._server import Conn, RawServer, Seen, response
from .conftest import Api, run

PATIENCE = 30
"""How many requests a hostile server answers badly before it gives in."""


def json_server(reply: Callable[[Seen, int], Dict[str, Any]]) -> RawServer:
    """A keep-alive server answering each request with ``reply(seen, number)`` as JSON
    (``number`` counts from 1)."""

    def answer(seen: Seen, conn: Conn) -> bool:
        body = json.dumps(reply(seen, len(conn.server.seen))).encode()
        conn.send(response(200, body, {"Content-Type": "application/json"}))
        return True

    return RawServer(answer)


def query(seen: Seen, name: str) -> Optional[str]:
    values = parse_qs(urlsplit(seen.target).query).get(name)
    return values[0] if values else None


async def walk(api: Api, method: Callable[[Any], Any]) -> List[Any]:
    """Every item of a list method, page after page (``for`` or ``async for``)."""
    if api.is_sync:
        return list(method(api.client))
    return [item async for item in method(api.client)]


def batch(number: int, status: Optional[str] = "completed") -> Dict[str, Any]:
    return {"id": f"batch_{number}", "object": "batch", "status": status}


# -- pages ----------------------------------------------------------------------------------


def cursor_cycle(seen: Seen, number: int) -> Dict[str, Any]:
    """Cursor pages that go A -> B -> A -> B ... (until PATIENCE: then the list ends)."""
    after = query(seen, "after")
    following = {None: "A", "A": "B", "B": "A"}[after]
    more = number < PATIENCE
    return {"object": "list", "data": [batch(number)], "has_more": more, "last_id": following}


def test_cursors_in_a_cycle_end_the_walk(kind: str) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(ResponseDecodeError) as info:
            await walk(api, lambda c: c.batches.list(limit=1))
        return info.value

    with json_server(cursor_cycle) as server:
        error = run(kind, server.url, scenario)
        afters = [query(seen, "after") for seen in server.seen]
    # the third page names A, sent for the second: nothing is asked for twice
    assert afters == [None, "A", "B"]
    assert error.error_code == "parse_error" and "cycle" in str(error)


def test_has_more_without_a_last_id_is_an_error(kind: str) -> None:
    def reply(seen: Seen, number: int) -> Dict[str, Any]:
        return {"object": "list", "data": [batch(number)], "has_more": True, "last_id": None}

    async def scenario(api: Api) -> Any:
        with pytest.raises(ResponseDecodeError) as info:
            await walk(api, lambda c: c.batches.list())
        return info.value

    with json_server(reply) as server:
        error = run(kind, server.url, scenario)
        assert len(server.seen) == 1
    assert "last_id" in str(error)


def offset_stuck(seen: Seen, number: int) -> Dict[str, Any]:
    """Offset pages of one task that always say they are at offset 0 (until PATIENCE)."""
    task = {"id": f"cgt-{number}", "status": "succeeded"}
    total = 10 if number < PATIENCE else 1
    return {"object": "list", "data": [task], "has_more": True, "total": total, "offset": 0}


def test_an_offset_that_does_not_grow_ends_the_walk(kind: str) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(ResponseDecodeError) as info:
            await walk(api, lambda c: c.videos.list(limit=1))
        return info.value

    with json_server(offset_stuck) as server:
        error = run(kind, server.url, scenario)
        offsets = [query(seen, "offset") for seen in server.seen]
    assert offsets == [None, "1"]  # the second page says offset 0 again: offset=1 would repeat
    assert "do not move forward" in str(error)


def test_a_page_stepped_by_hand_stops_at_the_cycle_too() -> None:
    from meshapi import MeshAPI

    with json_server(cursor_cycle) as server:
        with MeshAPI(base_url=server.url, token="rsk_x", max_retries=0) as client:
            page: Any = client.batches.list(limit=1)
            page = page.next_page()
            page = page.next_page()
            assert page.has_more  # the gateway says so; it names no page not seen
            with pytest.raises(ResponseDecodeError):
                page.next_page()
        assert len(server.seen) == 3


# -- waits ----------------------------------------------------------------------------------

UNDOCUMENTED = ["bogus", "COMPLETED", "Succeeded", "", None]


@pytest.mark.parametrize("status", UNDOCUMENTED, ids=repr)
def test_an_undocumented_batch_status_ends_the_wait_at_once(kind: str, status: Any) -> None:
    def reply(seen: Seen, number: int) -> Dict[str, Any]:
        return batch(1, status if number < PATIENCE else "completed")

    async def scenario(api: Api) -> Any:
        with pytest.raises(UnknownStatusError) as info:
            # the deadline only keeps a client without the check from waiting long
            await api.call(lambda c: c.batches.wait("batch_1", deadline=1.0))
        return info.value

    with json_server(reply) as server:
        error = run(kind, server.url, scenario)
        assert len(server.seen) == 1
    assert isinstance(error, ResponseDecodeError) and error.error_code == "parse_error"
    assert repr(status) in str(error) and "batch_1" in str(error)
    assert error.job_status == status and error.last.id == "batch_1"


@pytest.mark.parametrize("status", ["bogus", None], ids=repr)
def test_an_undocumented_video_status_ends_the_wait_at_once(kind: str, status: Any) -> None:
    def reply(seen: Seen, number: int) -> Dict[str, Any]:
        return {"id": "cgt-1", "status": status if number < PATIENCE else "succeeded"}

    async def scenario(api: Api) -> Any:
        with pytest.raises(UnknownStatusError) as info:
            await api.call(lambda c: c.videos.wait("cgt-1", deadline=1.0))
        return info.value

    with json_server(reply) as server:
        error = run(kind, server.url, scenario)
        assert len(server.seen) == 1
    assert repr(status) in str(error) and "queued, running" in str(error)


def test_every_documented_status_is_known() -> None:
    from meshapi_core.endpoints.batches import BATCHES_WAIT
    from meshapi_core.endpoints.videos import VIDEOS_WAIT
    from meshapi_core.models.batches import Batch
    from meshapi_core.models.videos import VideoTaskResponse

    # docs/gateway/api.md §12 and §7.2; the emulator goes through each of them
    for status in ("validating", "in_progress", "finalizing"):
        assert BATCHES_WAIT.done(Batch(id="b", status=status)) is False
    for status in ("completed", "failed", "cancelled", "expired"):
        assert BATCHES_WAIT.done(Batch(id="b", status=status)) is True
    for status in ("queued", "running"):
        assert VIDEOS_WAIT.done(VideoTaskResponse(id="t", status=status)) is False
    for status in ("succeeded", "failed", "expired", "cancelled"):
        assert VIDEOS_WAIT.done(VideoTaskResponse(id="t", status=status)) is True
