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
    hooks = load_hooks()
    checked = hooks.checked_modules()
    for module in ("meshapi", "meshapi.types", "meshapi_core.retry", "meshapi.testing.faults",
                   "meshapi._async.resources.chat", "meshapi._sync.resources.chat"):
        assert module in checked
    assert not any(part.startswith("_") for part in ["meshapi", "testing", "_gateway"][2:3]
                   if "meshapi.testing._gateway" in checked)
