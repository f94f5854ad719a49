"""The resources a client offers, each made on first use (so ``import meshapi`` loads none).

This module is the source of ``meshapi/_sync/surface.py``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import AsyncEngine
    from .resources.audio import AsyncAudio
    from .resources.chat import AsyncChat
    from .resources.images import AsyncImages
    from .resources.models import AsyncModels
    from .resources.rag import AsyncRag
    from .resources.videos import AsyncVideos

__all__ = ["AsyncDataPlane"]


class AsyncDataPlane:
    """The data plane: inference and what a data-plane key (``rsk_...``) may read."""

    _engine: AsyncEngine

    @cached_property
    def chat(self) -> AsyncChat:
        """Chat completions: ``client.chat.completions.create(...)`` and ``.stream(...)``."""
        from .resources.chat import AsyncChat

        return AsyncChat(self._engine)

    @cached_property
    def models(self) -> AsyncModels:
        """The model catalog: ``client.models.list()``, ``.get(id)``, ``.search(q=...)``."""
        from .resources.models import AsyncModels

        return AsyncModels(self._engine)

    @cached_property
    def images(self) -> AsyncImages:
        """Images: ``client.images.generate(...)``, ``.stream(...)``, ``.edit(...)``."""
        from .resources.images import AsyncImages

        return AsyncImages(self._engine)

    @cached_property
    def audio(self) -> AsyncAudio:
        """Audio: ``client.audio.synthesize(...)``, ``.transcribe(file, ...)``, voices."""
        from .resources.audio import AsyncAudio

        return AsyncAudio(self._engine)

    @cached_property
    def videos(self) -> AsyncVideos:
        """Video generation: ``client.videos.generate(...)``, ``.wait(task)``, ``.download``."""
        from .resources.videos import AsyncVideos

        return AsyncVideos(self._engine)

    @cached_property
    def rag(self) -> AsyncRag:
        """Files and retrieval: ``client.rag.upload_file(path)``, ``.search(query=...)``."""
        from .resources.rag import AsyncRag

        return AsyncRag(self._engine)
