"""The library's own examples (``>>>`` in its docstrings) run, module by module.

Examples that need a live gateway are marked ``# doctest: +SKIP``; every other one runs
here, as ``python -m doctest`` would run it, so an example that rots fails the suite.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings
from typing import List

import pytest

PACKAGES = ("meshapi_core", "meshapi_httpx", "meshapi_aiohttp", "meshapi_wsproto", "meshapi")


def modules() -> List[str]:
    """Every module of our packages, by dotted name (``__main__`` modules aside)."""
    names: List[str] = []
    for package in PACKAGES:
        names.append(package)
        path = importlib.import_module(package).__path__
        for info in pkgutil.walk_packages(path, package + "."):
            if not info.name.endswith("__main__"):
                names.append(info.name)
    return names


def examples(module_name: str) -> List[doctest.DocTest]:
    with warnings.catch_warnings():  # meshapi 0.1.11's old modules warn (tests/compat)
        warnings.simplefilter("ignore", DeprecationWarning)
        module = importlib.import_module(module_name)
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, module_name)
    return [t for t in tests if t.examples]


WITH_EXAMPLES = [m for m in modules() if examples(m)]


@pytest.mark.parametrize("module_name", WITH_EXAMPLES)
def test_module_examples(module_name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: List[str] = []
    for test in examples(module_name):
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)


def test_the_examples_are_found() -> None:
    assert "meshapi_core.retry" in WITH_EXAMPLES
    assert len(WITH_EXAMPLES) >= 20
