"""The TLS run of the contract suite: every scenario :data:`OVER_TLS` names exists, so a
rename cannot silently drop it from the run."""

from __future__ import annotations

import importlib

from .conftest import OVER_TLS


def test_every_scenario_named_for_tls_exists() -> None:
    for module, names in OVER_TLS.items():
        found = importlib.import_module(f"tests.contract.{module[: -len('.py')]}")
        assert sorted(n for n in names if not callable(getattr(found, n, None))) == []
    assert sum(len(names) for names in OVER_TLS.values()) >= 20
