"""Every field of every public model has a docstring (the check ``scripts/generate.py
--check`` runs in ``scripts/lint``), and the check names the fields that have none."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Iterator

import pytest

GENERATE = Path(__file__).resolve().parents[2] / "scripts" / "generate.py"


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("meshapi_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_public_model_field_has_a_docstring(generate: ModuleType) -> None:
    missing = generate.undocumented_fields()
    assert not missing, "fields without a docstring:\n  " + "\n  ".join(missing)


def test_the_check_sees_every_model_area(generate: ModuleType) -> None:
    rows = generate.field_docs()
    models = {row.model.__name__ for row in rows}
    for name in ("ChatCompletionParams", "ChatMessage", "ChatCompletionChunk", "KeyCreateParams"):
        assert name in models
    # Inherited fields are checked where they are declared: a private base's included.
    owners = {(row.owner.__name__, row.name) for row in rows}
    assert ("_KeyFields", "rpm_limit") in owners
    assert ("CursorPage", "has_more") in owners


FAKE = '''
"""Models the check is run on."""

from typing import Optional

from pydantic import BaseModel

from meshapi_core.models.base import RequestModel


class _Base(RequestModel):
    inherited_bare: Optional[int] = None
    inherited_documented: Optional[int] = None
    """Documented once, for every model that inherits it."""


class Params(_Base):
    documented: str = ""
    """What it does."""
    bare: Optional[str] = None
    # a comment is not documentation
    commented: Optional[str] = None
    empty: Optional[str] = None
    """"""


class Other(_Base):
    pass


class Part(BaseModel):
    text: str
'''


@pytest.fixture
def fake_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    (tmp_path / "fake_field_docs.py").write_text(FAKE)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("fake_field_docs")
    yield module
    sys.modules.pop("fake_field_docs", None)


def test_the_check_names_each_undocumented_field_once(
    generate: ModuleType, fake_models: ModuleType
) -> None:
    models = [fake_models.Params, fake_models.Other, fake_models.Part]
    missing = generate.undocumented_fields(models)
    names = [entry.split(" ")[0] for entry in missing]
    # In declaration order; an inherited field once, at its base (``extra_body`` is
    # documented in RequestModel).
    assert names == [
        "fake_field_docs._Base.inherited_bare",
        "fake_field_docs.Params.bare",
        "fake_field_docs.Params.commented",
        "fake_field_docs.Params.empty",
        "fake_field_docs.Part.text",
    ]
    # Each names the file and line to document.
    source = FAKE.splitlines()
    for entry in missing:
        where = entry.split(" ", 1)[1].strip("()")
        filename, line = where.rsplit(":", 1)
        assert filename.endswith("fake_field_docs.py")
        field = entry.split(" ")[0].rsplit(".", 1)[1]
        assert source[int(line) - 1].strip().startswith(f"{field}:")


def test_check_mode_fails_and_names_the_field(
    generate: ModuleType,
    fake_models: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(generate, "expected", dict)  # no generated file is stale
    monkeypatch.setattr(generate.unasync, "orphans", lambda files: [])
    monkeypatch.setattr(generate, "public_models", lambda: [fake_models.Params])
    assert generate.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert "undocumented field: fake_field_docs.Params.bare (" in out
    assert "fake_field_docs._Base.inherited_documented" not in out

    monkeypatch.setattr(generate, "public_models", lambda: [])
    assert generate.main(["--check"]) == 0


def test_the_coverage_report_counts_declarations_and_fields(
    generate: ModuleType, fake_models: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generate, "public_models", lambda: [fake_models.Params, fake_models.Other])
    report = generate.field_docs_report()
    # Declarations: extra_body (documented in RequestModel), the base's two, Params' four.
    assert "  request        3 of     7" in report
    # Fields of the models: Params has 7, Other 3; documented: 3 and 2.
    assert "fields of public models (inherited included): 5 of 10" in report
