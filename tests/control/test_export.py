"""CSV exports stream to a file piece by piece: a body far larger than the client's bound on
whole bodies arrives intact, and a body cut short leaves no file behind."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from meshapi import ResponseTooLargeError, StreamInterruptedError
from meshapi.testing import faults
from meshapi.testing.control import add_usage_events
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import Clients, Runner, do

BOUND = 2048  # the clients' max_response_size: far below the export's size


def test_a_large_export_streams_past_the_whole_body_bound(
    run: Runner, meshapi_gateway: GatewayFixture, tmp_path: Path
) -> None:
    add_usage_events(meshapi_gateway.gateway, 306)
    target = tmp_path / "usage.csv"

    async def scenario(c: Clients) -> Any:
        with pytest.raises(ResponseTooLargeError):  # a whole body is held to the bound...
            await do(c.jwt.usage.events(limit=200))
        stream = c.jwt.usage.export_events(model="openai/gpt-4o-mini")
        written = await do(stream.write_to(target))  # ...a stream is not held at all
        return written, stream

    written, stream = run(scenario, max_response_size=BOUND)
    data = target.read_bytes()
    assert written == len(data) > 5 * BOUND
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert len(rows) == 102  # 306 seeded, a third of them on this model
    assert {row["model"] for row in rows} == {"openai/gpt-4o-mini"}
    assert stream.completed and stream.headers["content-type"].startswith("text/csv")
    export = meshapi_gateway.gateway.last_request
    assert export.path == "/v1/usage/events/export"
    assert export.query == {"model": ["openai/gpt-4o-mini"]}
    assert export.headers["accept"] == "text/csv"


@pytest.mark.parametrize("cut", [faults.Drop(after_bytes=300), faults.Reset(after_bytes=300)])
def test_an_export_cut_short_leaves_no_file(
    run: Runner, meshapi_gateway: GatewayFixture, tmp_path: Path, cut: faults.Fault
) -> None:
    add_usage_events(meshapi_gateway.gateway, 50)
    target = tmp_path / "audit.csv"

    async def scenario(c: Clients) -> Any:
        meshapi_gateway.gateway.inject(cut, route="/v1/usage/events/export")
        with pytest.raises(StreamInterruptedError) as cut_short:
            await do(c.jwt.usage.export_events().write_to(target))
        return cut_short.value

    error = run(scenario)
    assert error.request_id == meshapi_gateway.gateway.last_request.request_id
    assert not target.exists()


def test_the_export_is_iterable_piece_by_piece(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    add_usage_events(meshapi_gateway.gateway, 26)

    async def scenario(c: Clients) -> Any:
        stream = c.jwt.usage.export_events()
        pieces = []
        if hasattr(stream, "__aiter__"):
            async with stream:
                pieces = [piece async for piece in stream]
        else:
            with stream:
                pieces = list(stream)
        return pieces

    data = b"".join(run(scenario))
    assert data.count(b"\r\n") == 27  # header, 26 seeded
    assert b",true," in data and b",false," in data
