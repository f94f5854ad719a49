"""meshapi 0.1.11's ``meshapi.resources.audio``, kept so its imports run: deprecated,
import its names from :mod:`meshapi`."""

from meshapi import AsyncAudioResource, AudioResource
from meshapi._compat.vendor import moved as _moved

__all__ = ["AsyncAudioResource", "AudioResource"]

_moved(__name__, "from meshapi import " + ", ".join(__all__))
