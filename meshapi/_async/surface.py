"""The resources a client offers, each made on first use (so ``import meshapi`` loads none).

Which client offers which resource follows the credential it holds
(``docs/gateway/control-plane.md`` §1): :class:`AsyncDataPlane` for a data-plane key, with the
account reads such a key may make (:class:`AsyncAccountReads`); :class:`AsyncControlPlane` for
an admin key or a dashboard session. A call the credential cannot make is refused before it is
sent, whichever client offers it.

This module is the source of ``meshapi/_sync/surface.py``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .bulk import AsyncBulk
    from .engine import AsyncEngine
    from .resources.admin_keys import AsyncAdminKeys
    from .resources.api_versions import AsyncApiVersions
    from .resources.audio import AsyncAudio
    from .resources.audit_logs import AsyncAuditLogs
    from .resources.batches import AsyncBatches
    from .resources.billing import AsyncBilling
    from .resources.chat import AsyncChat
    from .resources.compare import AsyncCompare
    from .resources.embeddings import AsyncEmbeddings
    from .resources.images import AsyncImages
    from .resources.keys import AsyncKeys
    from .resources.memories import AsyncMemories
    from .resources.messages import AsyncMessages
    from .resources.models import AsyncModels
    from .resources.moderations import AsyncModerations
    from .resources.orgs import AsyncInvitations, AsyncOrgs
    from .resources.provider_keys import AsyncProviderKeys
    from .resources.rag import AsyncRag
    from .resources.realtime import AsyncRealtime
    from .resources.responses import AsyncResponses
    from .resources.router import AsyncRouter
    from .resources.templates import AsyncTemplates
    from .resources.usage import AsyncUsage
    from .resources.videos import AsyncVideos
    from .resources.web import AsyncWeb

__all__ = ["AsyncAccountReads", "AsyncControlPlane", "AsyncDataPlane"]


class AsyncAccountReads:
    """Reads about the account that a data-plane key and a dashboard session both make:
    usage, balance, audit log (each key sees its own; a session sees the org's)."""

    _engine: AsyncEngine

    @cached_property
    def usage(self) -> AsyncUsage:
        """Usage: ``.summary()``, ``.events()``, ``.attempts(id)``, ``.rate_limits()``..."""
        from .resources.usage import AsyncUsage

        return AsyncUsage(self._engine)

    @cached_property
    def billing(self) -> AsyncBilling:
        """Billing: ``.balance()``, ``.auto_recharge()``, ``.setup_auto_recharge(...)``."""
        from .resources.billing import AsyncBilling

        return AsyncBilling(self._engine)

    @cached_property
    def audit_logs(self) -> AsyncAuditLogs:
        """The audit log: ``.list()`` and ``.export()`` (CSV)."""
        from .resources.audit_logs import AsyncAuditLogs

        return AsyncAuditLogs(self._engine)


class AsyncDataPlane(AsyncAccountReads):
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
    def bulk(self) -> AsyncBulk:
        """Bulk work: ``client.bulk.run("rows.jsonl", "out.jsonl")`` at the pace of the key's
        rate limits, resumable after any crash; ``client.bulk.map(rows)`` in memory."""
        from .bulk import AsyncBulk

        return AsyncBulk(self._engine)

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

    @cached_property
    def realtime(self) -> AsyncRealtime:
        """WebSocket sessions: ``client.realtime.connect(model=...)`` (speech-to-speech),
        ``.speech(voice_id)`` (streaming text-to-speech), ``.transcription()`` (realtime
        speech-to-text)."""
        from .resources.realtime import AsyncRealtime

        return AsyncRealtime(self._engine)

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


class AsyncControlPlane(AsyncAccountReads):
    """The control plane: what an admin key (``mak_...``) or a dashboard session manages,
    and the reads they may make."""

    _engine: AsyncEngine

    @cached_property
    def keys(self) -> AsyncKeys:
        """Inference keys: create, list, get, update, suspend, resolved limits."""
        from .resources.keys import AsyncKeys

        return AsyncKeys(self._engine)

    @cached_property
    def admin_keys(self) -> AsyncAdminKeys:
        """Admin keys: create, list, get, rotate, revoke."""
        from .resources.admin_keys import AsyncAdminKeys

        return AsyncAdminKeys(self._engine)

    @cached_property
    def orgs(self) -> AsyncOrgs:
        """The current org: members, invitations, ownership, spend, usage."""
        from .resources.orgs import AsyncOrgs

        return AsyncOrgs(self._engine)

    @cached_property
    def invitations(self) -> AsyncInvitations:
        """Invitations addressed to the caller: list, check, accept."""
        from .resources.orgs import AsyncInvitations

        return AsyncInvitations(self._engine)

    @cached_property
    def memories(self) -> AsyncMemories:
        """Memories and their items."""
        from .resources.memories import AsyncMemories

        return AsyncMemories(self._engine)

    @cached_property
    def provider_keys(self) -> AsyncProviderKeys:
        """Provider keys (BYOK): add, test, update, remove, list."""
        from .resources.provider_keys import AsyncProviderKeys

        return AsyncProviderKeys(self._engine)

    @cached_property
    def models(self) -> AsyncModels:
        """The model catalog, readable with a dashboard session."""
        from .resources.models import AsyncModels

        return AsyncModels(self._engine)

    @cached_property
    def templates(self) -> AsyncTemplates:
        """Prompt templates, which a dashboard session manages too."""
        from .resources.templates import AsyncTemplates

        return AsyncTemplates(self._engine)
