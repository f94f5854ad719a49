"""meshapi 0.1.11's ``meshapi.resources.images``, kept so its imports run: deprecated,
import its names from :mod:`meshapi`."""

from meshapi import AsyncImagesResource, ImagesResource
from meshapi._compat.vendor import moved as _moved

__all__ = ["AsyncImagesResource", "ImagesResource"]

_moved(__name__, "from meshapi import " + ", ".join(__all__))
