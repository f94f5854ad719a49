"""meshapi 0.1.11's configuration, and the warning of its old modules.

- :class:`MeshAPIConfig`: its settings dataclass, with the same fields and defaults;
- :func:`moved`: the one warning the modules at its import paths give
  (``meshapi/_types.py``, ``meshapi/_errors.py``, ``meshapi/_http.py``,
  ``meshapi/resources/*.py``).

Its HTTP clients and resource classes, which load the engines and every resource, are in
:mod:`.vendor_clients`. Loaded only when one of these names is used: ``import meshapi`` does
not load it.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any, Dict, Optional

if TYPE_CHECKING:
    import httpx

__all__ = ["MeshAPIConfig"]


@dataclass
class MeshAPIConfig:
    """meshapi 0.1.11's client settings: ``base_url`` (a trailing ``/`` removed), ``token``,
    ``timeout`` (60 s for every phase, as there), ``max_retries`` (3), and your own
    ``httpx_client`` or ``async_httpx_client`` (left open when the SDK closes).

    Taken where meshapi 0.1.11 took it: by its HTTP clients
    (:class:`~meshapi._compat.vendor_clients.SyncHttpClient`,
    :class:`~meshapi._compat.vendor_clients.AsyncHttpClient`) and by every resource class
    (``RealtimeResource(config)``). Nothing else needs one: ``MeshAPI(...)`` takes the same
    settings as keywords. The token is never in its ``repr``.

    >>> MeshAPIConfig(base_url="https://api.meshapi.ai/", token="rsk_...")
    MeshAPIConfig(base_url='https://api.meshapi.ai', timeout=60.0, max_retries=3)
    """

    base_url: str
    token: str = field(repr=False)
    timeout: float = 60.0
    max_retries: int = 3
    httpx_client: Optional[httpx.Client] = field(default=None, repr=False)
    async_httpx_client: Optional[httpx.AsyncClient] = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    def settings(self) -> Dict[str, Any]:
        """The settings a :class:`~meshapi.MeshAPI` takes, from these (no client)."""
        return {
            "base_url": self.base_url,
            "token": self.token,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
        }


def moved(module: str, instead: str) -> None:
    """Warn, once per import of ``module`` (one of meshapi 0.1.11's modules), naming the
    public import to use ``instead``; the warning points at the line that imported it."""
    warnings.warn(
        f"{module} is deprecated (meshapi 0.1.11's module, kept so its imports run): use {instead}",
        DeprecationWarning,
        stacklevel=_importer_level(),
    )


def _importer_level() -> int:
    """The ``stacklevel`` of the line that imported the module calling :func:`moved`.

    ``warnings`` skips the import system's own frames; an import hook's ``exec_module``
    (pytest's assertion rewriter loads this package when it is an installed plugin) is
    skipped here, so the warning still names the user's line.
    """
    level = 3  # 1: moved, 2: the old module's body, 3: its importer
    frame: Optional[FrameType] = sys._getframe(3)
    while frame is not None and (
        frame.f_code.co_name == "exec_module" or _internal(frame.f_code.co_filename)
    ):
        if not _internal(frame.f_code.co_filename):
            level += 1
        frame = frame.f_back
    return level


def _internal(filename: str) -> bool:
    """Whether ``warnings`` skips a frame of ``filename`` (the import system's own)."""
    return "importlib" in filename and "_bootstrap" in filename
