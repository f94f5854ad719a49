"""meshapi 0.1.11's HTTP module, kept so its imports run: deprecated. ``MeshAPIConfig`` is
exported by :mod:`meshapi`; ``SyncHttpClient`` and ``AsyncHttpClient`` are the engines of a
:class:`~meshapi.MeshAPI` and an :class:`~meshapi.AsyncMeshAPI` made from one, which those
clients replace."""

from meshapi import MeshAPIConfig
from meshapi._compat.vendor import moved as _moved
from meshapi._compat.vendor_clients import AsyncHttpClient, SyncHttpClient

__all__ = ["AsyncHttpClient", "MeshAPIConfig", "SyncHttpClient"]

_moved(__name__, "from meshapi import MeshAPIConfig (and MeshAPI, AsyncMeshAPI as HTTP clients)")
