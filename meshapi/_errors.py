"""meshapi 0.1.11's module of its error, kept so its imports run: deprecated, import
``MeshAPIError`` (and its subclasses) from :mod:`meshapi`."""

from meshapi import MeshAPIError
from meshapi._compat.vendor import moved as _moved

__all__ = ["MeshAPIError"]

_moved(__name__, "from meshapi import MeshAPIError")
