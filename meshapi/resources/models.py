"""meshapi 0.1.11's ``meshapi.resources.models``, kept so its imports run: deprecated,
import its names from :mod:`meshapi`."""

from meshapi import AsyncModelsResource, ModelsResource
from meshapi._compat.vendor import moved as _moved

__all__ = ["AsyncModelsResource", "ModelsResource"]

_moved(__name__, "from meshapi import " + ", ".join(__all__))
