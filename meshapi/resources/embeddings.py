"""meshapi 0.1.11's ``meshapi.resources.embeddings``, kept so its imports run: deprecated,
import its names from :mod:`meshapi`."""

from meshapi import AsyncEmbeddingsResource, EmbeddingsResource
from meshapi._compat.vendor import moved as _moved

__all__ = ["AsyncEmbeddingsResource", "EmbeddingsResource"]

_moved(__name__, "from meshapi import " + ", ".join(__all__))
