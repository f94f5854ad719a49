"""The emulator's layers import downward only, and a route module never imports another.

Read from the source with :mod:`ast`, so an import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import List, Set, Tuple

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "meshapi" / "testing"
LAYERS = ("_gateway", "_routes", "_servers")
ALLOWED = {"_gateway": set(), "_routes": {"_gateway"}, "_servers": {"_gateway"}}
TABLE = ("_gateway/dispatcher.py", "_routes")  # the one table the dispatcher is given


def _imports(path: Path) -> List[Tuple[int, str]]:
    """``(line, module)`` for every import of ``path``, as dotted names below
    ``meshapi.testing`` (relative imports resolved; ``from . import x`` gives ``pkg.x``)."""
    package = path.relative_to(PACKAGE).parent.parts
    found: List[Tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                base += node.module.split(".") if node.module else []
                if node.module is None:
                    found += [(node.lineno, ".".join([*base, a.name])) for a in node.names]
                else:
                    found.append((node.lineno, ".".join(base)))
            elif node.module and node.module.startswith("meshapi.testing."):
                found.append((node.lineno, node.module[len("meshapi.testing.") :]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("meshapi.testing."):
                    found.append((node.lineno, alias.name[len("meshapi.testing.") :]))
    return found


def _modules(layer: str) -> List[Path]:
    return sorted((PACKAGE / layer).glob("*.py"))


@pytest.mark.parametrize("path", _modules("_routes"), ids=lambda p: p.name)
def test_a_route_module_imports_no_other_route_module(path: Path) -> None:
    if path.name == "__init__.py":
        return  # the table gathers them all
    others = [
        f"line {line}: {module}"
        for line, module in _imports(path)
        if module.split(".")[0] == "_routes" and module != "_routes"
    ]
    assert not others, f"{path.name} imports other route modules: {others}"


@pytest.mark.parametrize("layer", LAYERS)
def test_layers_import_only_downward(layer: str) -> None:
    wrong: Set[str] = set()
    for path in _modules(layer):
        name = str(path.relative_to(PACKAGE))
        for line, module in _imports(path):
            target = module.split(".")[0]
            downward = target == layer or target in ALLOWED[layer] or (name, target) == TABLE
            if target in LAYERS and not downward:
                wrong.add(f"{name}:{line} imports {module}")
    assert not wrong, sorted(wrong)


def test_the_checks_see_imports() -> None:
    """The parser above finds what it should (so the tests above can fail)."""
    table = _imports(PACKAGE / "_routes" / "__init__.py")
    assert ("_routes.chat" in {m for _, m in table}) and any(
        m.startswith("_gateway") for _, m in table
    )
    dispatcher = {m for _, m in _imports(PACKAGE / "_gateway" / "dispatcher.py")}
    assert "_routes" in dispatcher and "_gateway.router" in dispatcher
