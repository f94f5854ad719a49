"""meshapi 0.1.11's ``meshapi.resources.batches``, kept so its imports run: deprecated,
import its names from :mod:`meshapi`."""

from meshapi import AsyncBatchesResource, BatchesResource
from meshapi._compat.vendor import moved as _moved

__all__ = ["AsyncBatchesResource", "BatchesResource"]

_moved(__name__, "from meshapi import " + ", ".join(__all__))
