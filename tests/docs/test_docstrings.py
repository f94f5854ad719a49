"""Every public name has a docstring of its own (the check ``mkdocs build`` runs too)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("griffe")

HOOKS = Path(__file__).resolve().parents[2] / "docs" / "hooks.py"


def load_hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", HOOKS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_public_name_has_a_docstring() -> None:
    missing = load_hooks().missing_docstrings()
    assert not missing, "public names without a docstring:\n  " + "\n  ".join(missing)


def test_the_check_sees_what_it_should() -> None:
    checked = load_hooks().checked_modules()
    for module in (
        "meshapi",
        "meshapi.types",
        "meshapi_core.retry",
        "meshapi.testing.faults",
        "meshapi._async.resources.chat",
        "meshapi._sync.resources.chat",
    ):
        assert module in checked
    assert "meshapi.testing._gateway.dispatcher" not in checked  # private: its public names are checked
    # where meshapi.testing exports them


FAKE = """
\"\"\"A package the check is run on.\"\"\"

__all__ = ["Documented", "Bare", "CONSTANT", "DOCUMENTED_CONSTANT", "function"]

CONSTANT = 1
DOCUMENTED_CONSTANT = 2
\"\"\"Two.\"\"\"


class Base:
    \"\"\"A base class.\"\"\"

    def inherited(self) -> None:
        pass


class Documented(Base):
    \"\"\"A class.\"\"\"

    def method(self) -> None:
        \"\"\"A method.\"\"\"

    def bare_method(self) -> None:
        pass

    @property
    def bare_property(self) -> int:
        return 1

    def _private(self) -> None:
        pass


class Bare:
    pass


def function() -> None:
    pass
"""


def test_the_check_names_every_public_name_without_a_docstring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fakepkg").mkdir()
    (tmp_path / "fakepkg" / "__init__.py").write_text(FAKE)
    monkeypatch.syspath_prepend(str(tmp_path))
    hooks = load_hooks()
    monkeypatch.setattr(hooks, "ROOT", tmp_path)
    monkeypatch.setattr(hooks, "OURS", ("fakepkg",))
    monkeypatch.setattr(hooks, "checked_modules", lambda: ["fakepkg"])
    assert hooks.missing_docstrings() == [
        "fakepkg.Bare",
        "fakepkg.Base.inherited",
        "fakepkg.CONSTANT",
        "fakepkg.Documented.bare_method",
        "fakepkg.Documented.bare_property",
        "fakepkg.function",
    ]
