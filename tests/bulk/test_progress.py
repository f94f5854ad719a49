"""The progress display of bulk work: a bar on a terminal, nothing elsewhere."""

from __future__ import annotations

import io

from meshapi._bulk.progress import NO_DISPLAY, make_display
from meshapi_core.bulk import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def progress(rows: int) -> Progress:
    return Progress(rows=rows, total=100, in_flight=3, concurrency=8, rate_limited=2,
                    rows_per_second=12.5, tokens_per_second=900.0, eta=7.0)


def test_nothing_is_shown_where_no_one_watches() -> None:
    assert make_display(io.StringIO()) is NO_DISPLAY
    assert make_display(None) is NO_DISPLAY


def test_a_terminal_gets_a_bar_with_the_pacing_facts() -> None:
    screen = Terminal()
    display = make_display(screen)
    assert display is not NO_DISPLAY
    display.update(progress(40))
    display.close()
    shown = screen.getvalue()
    assert "40/100" in shown and "concurrency 8" in shown and "429s 2" in shown
    assert "900 tok/s" in shown
