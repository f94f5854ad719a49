"""meshapi 0.1.11's ``meshapi.resources.chat``, kept so its imports run: deprecated,
import its names from :mod:`meshapi`."""

from meshapi import AsyncChatResource, AsyncCompletionsResource, ChatResource, CompletionsResource
from meshapi._compat.vendor import moved as _moved

__all__ = ["AsyncChatResource", "AsyncCompletionsResource", "ChatResource", "CompletionsResource"]

_moved(__name__, "from meshapi import " + ", ".join(__all__))
