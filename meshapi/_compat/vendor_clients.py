"""meshapi 0.1.11's HTTP clients and resource classes, as views over this SDK's.

- :class:`SyncHttpClient` and :class:`AsyncHttpClient` (its ``meshapi._http`` names): the
  engine of a client made from a :class:`~meshapi.MeshAPIConfig`;
- its resource class names (``ChatResource``, ``AudioResource``, ``AsyncRagResource``...):
  the classes of this SDK's ``client.chat``, ``client.audio``, ``client.rag``..., so
  ``isinstance`` checks and annotations keep their meaning. Each is made from a client's
  engine, a :class:`SyncHttpClient` (or its async twin), or a :class:`~meshapi.MeshAPIConfig`
  (``RealtimeResource(config)``, through :func:`engine_for`), as 0.1.11's were.

Loads the engines and every resource module: only when one of these names is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Type

from .._async.engine import AsyncEngine
from .._async.resources.audio import AsyncAudio as AsyncAudioResource
from .._async.resources.batches import AsyncBatches as AsyncBatchesResource
from .._async.resources.chat import AsyncChat as AsyncChatResource
from .._async.resources.chat import AsyncCompletions as AsyncCompletionsResource
from .._async.resources.compare import AsyncCompare as AsyncCompareResource
from .._async.resources.embeddings import AsyncEmbeddings as AsyncEmbeddingsResource
from .._async.resources.images import AsyncImages as AsyncImagesResource
from .._async.resources.models import AsyncModels as AsyncModelsResource
from .._async.resources.moderations import AsyncModerations as AsyncModerationsResource
from .._async.resources.rag import AsyncRag as AsyncRagResource
from .._async.resources.realtime import AsyncRealtime as AsyncRealtimeResource
from .._async.resources.responses import AsyncResponses as AsyncResponsesResource
from .._async.resources.router import AsyncRouter as AsyncRouterResource
from .._async.resources.templates import AsyncTemplates as AsyncTemplatesResource
from .._async.resources.videos import AsyncVideos as AsyncVideosResource
from .._async.resources.web import AsyncWeb as AsyncWebResource
from .._sync.engine import Engine
from .._sync.resources.audio import Audio as AudioResource
from .._sync.resources.batches import Batches as BatchesResource
from .._sync.resources.chat import Chat as ChatResource
from .._sync.resources.chat import Completions as CompletionsResource
from .._sync.resources.compare import Compare as CompareResource
from .._sync.resources.embeddings import Embeddings as EmbeddingsResource
from .._sync.resources.images import Images as ImagesResource
from .._sync.resources.models import Models as ModelsResource
from .._sync.resources.moderations import Moderations as ModerationsResource
from .._sync.resources.rag import Rag as RagResource
from .._sync.resources.realtime import Realtime as RealtimeResource
from .._sync.resources.responses import Responses as ResponsesResource
from .._sync.resources.router import Router as RouterResource
from .._sync.resources.templates import Templates as TemplatesResource
from .._sync.resources.videos import Videos as VideosResource
from .._sync.resources.web import Web as WebResource
from .vendor import MeshAPIConfig

if TYPE_CHECKING:
    from .._client import AsyncMeshAPI, MeshAPI

__all__ = [
    "AsyncAudioResource",
    "AsyncBatchesResource",
    "AsyncChatResource",
    "AsyncCompareResource",
    "AsyncCompletionsResource",
    "AsyncEmbeddingsResource",
    "AsyncImagesResource",
    "AsyncModelsResource",
    "AsyncModerationsResource",
    "AsyncRagResource",
    "AsyncRealtimeResource",
    "AsyncResponsesResource",
    "AsyncRouterResource",
    "AsyncTemplatesResource",
    "AsyncVideosResource",
    "AsyncWebResource",
    "AudioResource",
    "BatchesResource",
    "ChatResource",
    "CompareResource",
    "CompletionsResource",
    "EmbeddingsResource",
    "ImagesResource",
    "ModelsResource",
    "ModerationsResource",
    "RagResource",
    "RealtimeResource",
    "ResponsesResource",
    "RouterResource",
    "TemplatesResource",
    "VideosResource",
    "WebResource",
]


class SyncHttpClient(Engine):
    """meshapi 0.1.11's blocking HTTP client, made from a :class:`~meshapi.MeshAPIConfig`: the
    engine of a :class:`~meshapi.MeshAPI` with those settings, which any blocking resource
    class takes (``ChatResource(SyncHttpClient(config))``). ``close()`` releases its
    connections (not your ``httpx_client``)."""

    def __init__(self, config: MeshAPIConfig) -> None:
        from .._client import MeshAPI

        self.client: MeshAPI = MeshAPI(**config.settings(), httpx_client=config.httpx_client)
        """The client whose engine this is."""
        engine = self.client._engine
        super().__init__(engine.config, engine.transport, engine.runtime, engine.observer)

    def close(self) -> None:
        """Release the connections."""
        self.client.close()


class AsyncHttpClient(AsyncEngine):
    """meshapi 0.1.11's async HTTP client, made from a :class:`~meshapi.MeshAPIConfig` (its
    ``async_httpx_client``): the engine of an :class:`~meshapi.AsyncMeshAPI` with those
    settings, which any async resource class takes. ``aclose()`` releases its connections."""

    def __init__(self, config: MeshAPIConfig) -> None:
        from .._client import AsyncMeshAPI

        self.client: AsyncMeshAPI = AsyncMeshAPI(
            **config.settings(), httpx_client=config.async_httpx_client
        )
        """The client whose engine this is."""
        engine = self.client._engine
        super().__init__(engine.config, engine.transport, engine.runtime, engine.observer)
        self.guard = engine.guard

    async def aclose(self) -> None:
        """Release the connections."""
        await self.client.aclose()


def engine_for(config: MeshAPIConfig, kind: Type[Any]) -> Any:
    """An engine of ``kind`` (the blocking ``Engine`` or the ``AsyncEngine``) from ``config``: how a
    resource class made from a :class:`~meshapi.MeshAPIConfig` gets its engine."""
    if not isinstance(config, MeshAPIConfig):
        raise TypeError(
            f"a resource is made from a client's engine or a MeshAPIConfig, not "
            f"{type(config).__name__}"
        )
    return SyncHttpClient(config) if kind is Engine else AsyncHttpClient(config)
