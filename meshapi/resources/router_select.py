"""meshapi 0.1.11's ``meshapi.resources.router_select``, kept so its imports run: deprecated,
import its names from :mod:`meshapi`."""

from meshapi import AsyncRouterResource, RouterResource
from meshapi._compat.vendor import moved as _moved

__all__ = ["AsyncRouterResource", "RouterResource"]

_moved(__name__, "from meshapi import " + ", ".join(__all__))
