"""meshapi 0.1.11's ``meshapi.resources.videos``, kept so its imports run: deprecated,
import its names from :mod:`meshapi`."""

from meshapi import AsyncVideosResource, VideosResource
from meshapi._compat.vendor import moved as _moved

__all__ = ["AsyncVideosResource", "VideosResource"]

_moved(__name__, "from meshapi import " + ", ".join(__all__))
