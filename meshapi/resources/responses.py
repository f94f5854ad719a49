"""meshapi 0.1.11's ``meshapi.resources.responses``, kept so its imports run: deprecated,
import its names from :mod:`meshapi`."""

from meshapi import AsyncResponsesResource, ResponsesResource
from meshapi._compat.vendor import moved as _moved

__all__ = ["AsyncResponsesResource", "ResponsesResource"]

_moved(__name__, "from meshapi import " + ", ".join(__all__))
