"""meshapi 0.1.11's ``meshapi.resources.web_search``, kept so its imports run: deprecated,
import its names from :mod:`meshapi`."""

from meshapi import AsyncWebResource, WebResource
from meshapi._compat.vendor import moved as _moved

__all__ = ["AsyncWebResource", "WebResource"]

_moved(__name__, "from meshapi import " + ", ".join(__all__))
