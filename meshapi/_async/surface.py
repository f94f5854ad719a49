"""The resources a client offers, each made on first use (so ``import meshapi`` loads none).

This module is the source of ``meshapi/_sync/surface.py``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import AsyncEngine
    from .resources.api_versions import AsyncApiVersions
    from .resources.batches import AsyncBatches
    from .resources.chat import AsyncChat
    from .resources.compare import AsyncCompare
    from .resources.embeddings import AsyncEmbeddings
    from .resources.messages import AsyncMessages
    from .resources.models import AsyncModels
    from .resources.moderations import AsyncModerations
    from .resources.responses import AsyncResponses
    from .resources.router import AsyncRouter
    from .resources.templates import AsyncTemplates
    from .resources.web import AsyncWeb

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

    @cached_property
    def responses(self) -> AsyncResponses:
        """The Responses API: ``client.responses.create(...)``, ``.stream``, ``.list``,
        ``.get(id)``."""
        from .resources.responses import AsyncResponses

        return AsyncResponses(self._engine)

    @cached_property
    def embeddings(self) -> AsyncEmbeddings:
        """Embeddings: ``client.embeddings.create(model=..., input=...)``."""
        from .resources.embeddings import AsyncEmbeddings

        return AsyncEmbeddings(self._engine)

    @cached_property
    def compare(self) -> AsyncCompare:
        """Model compare: ``client.compare.create(models=[...], messages=[...])``,
        ``.stream``."""
        from .resources.compare import AsyncCompare

        return AsyncCompare(self._engine)

    @cached_property
    def moderations(self) -> AsyncModerations:
        """Moderation: ``client.moderations.create(input=...)``."""
        from .resources.moderations import AsyncModerations

        return AsyncModerations(self._engine)

    @cached_property
    def web(self) -> AsyncWeb:
        """Web search: ``client.web.search(query=...)``."""
        from .resources.web import AsyncWeb

        return AsyncWeb(self._engine)

    @cached_property
    def router(self) -> AsyncRouter:
        """The Auto Router's choice: ``client.router.select(messages=[...])``."""
        from .resources.router import AsyncRouter

        return AsyncRouter(self._engine)

    @cached_property
    def messages(self) -> AsyncMessages:
        """Anthropic-shaped messages: ``client.messages.create(...)``, ``.stream``."""
        from .resources.messages import AsyncMessages

        return AsyncMessages(self._engine)

    @cached_property
    def api_versions(self) -> AsyncApiVersions:
        """Served contract versions: ``client.api_versions.list()``."""
        from .resources.api_versions import AsyncApiVersions

        return AsyncApiVersions(self._engine)
