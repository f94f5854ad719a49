"""The resources a client offers, each made on first use (so ``import meshapi`` loads none).

This module is the source of ``meshapi/_sync/surface.py``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import AsyncEngine
    from .resources.chat import AsyncChat
    from .resources.models import AsyncModels
    from .resources.realtime import AsyncRealtime

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
    def realtime(self) -> AsyncRealtime:
        """WebSocket sessions: ``client.realtime.connect(model=...)`` (speech-to-speech),
        ``.speech(voice_id)`` (streaming text-to-speech), ``.transcription()`` (realtime
        speech-to-text)."""
        from .resources.realtime import AsyncRealtime

        return AsyncRealtime(self._engine)
