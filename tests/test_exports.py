"""Every name ``meshapi`` and ``meshapi.types`` export resolves, lazily, to what it names."""

from __future__ import annotations

import subprocess
import sys

import pytest

import meshapi
import meshapi.types


@pytest.mark.parametrize("module", [meshapi, meshapi.types], ids=lambda m: m.__name__)
def test_every_exported_name_resolves(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert len(names) == len(set(names))
    for name in names:
        assert getattr(module, name) is not None, name


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        meshapi.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_importing_meshapi_loads_no_resource_and_no_model_of_other_areas() -> None:
    code = (
        "import sys\n"
        "from meshapi import MeshAPI, AsyncMeshAPI, ChatCompletionParams, ChatMessage, MeshAPIError\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('meshapi', 'meshapi_core')))\n"
        "print('\\n'.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    assert "meshapi_core.models.chat" in out
    assert not [m for m in out if ".resources" in m or m.startswith("meshapi_core.endpoints")]
    assert not [
        m
        for m in out
        if m.startswith("meshapi_core.models.")
        and m not in ("meshapi_core.models.chat", "meshapi_core.models.base")
    ]
