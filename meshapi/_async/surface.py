"""The resources a client offers, each made on first use (so ``import meshapi`` loads none).

This module is the source of ``meshapi/_sync/surface.py``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import AsyncEngine
    from .resources.batches import AsyncBatches
    from .resources.chat import AsyncChat
    from .resources.models import AsyncModels
    from .resources.templates import AsyncTemplates

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
    def templates(self) -> AsyncTemplates:
        """Prompt templates: ``client.templates.create(...)``, ``.list()``, ``.get(id)``,
        ``.update(id, ...)``, ``.delete(id)``."""
        from .resources.templates import AsyncTemplates

        return AsyncTemplates(self._engine)

    @cached_property
    def batches(self) -> AsyncBatches:
        """Batches: ``client.batches.create(...)``, ``.list()``, ``.get(id)``,
        ``.cancel(id)``, ``.wait(id)``."""
        from .resources.batches import AsyncBatches

        return AsyncBatches(self._engine)
