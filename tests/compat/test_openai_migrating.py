"""The migration guide's openai-python table tells the truth: every idiom in its left column
appears, as written, in a Python block of the same section, and those blocks run (in
``tests/docs/test_examples.py``, against the emulator; none of them may be skipped)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Tuple

from tests.docs.test_examples import blocks

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "migrating.md"
SECTION = "## From openai-python"


def section() -> Tuple[str, int]:
    """The openai-python section of the guide, and the line it starts on."""
    text = GUIDE.read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else len(text)], text[:start].count("\n") + 1


def idioms(text: str) -> List[str]:
    """The code in the left column of the section's idiom table."""
    found = []
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        first = line.split(" | ")[0]
        found += re.findall(r"`([^`]+)`", first)
    return found


def test_every_idiom_of_the_table_runs_in_the_section() -> None:
    text, first_line = section()
    last_line = first_line + text.count("\n")
    code = [b for b in blocks(GUIDE) if first_line <= b.line <= last_line]
    assert len(code) >= 4 and not [b for b in code if b.skip], "the section's blocks all run"
    ran = "\n".join(b.code for b in code)
    found = idioms(text)
    assert len(found) >= 30
    missing = [idiom for idiom in found if idiom not in ran]
    assert not missing, f"idioms of the table that no block runs: {missing}"
