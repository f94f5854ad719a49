"""The names of meshapi 0.1.11 (the vendor's SDK) that are not models, as views over ours.

- :class:`MeshAPIConfig`: its settings dataclass, with the same fields and defaults;
- :class:`SyncHttpClient` and :class:`AsyncHttpClient` (its ``meshapi._http`` names): an
  engine of this SDK made from a :class:`MeshAPIConfig`, which every resource class takes;
- its resource classes (``ChatResource``, ``AudioResource``, ``AsyncRagResource``...): the
  same classes as ``client.chat``, ``client.audio``, ``client.rag``... of this SDK, so
  ``isinstance`` checks and annotations keep their meaning, and each is made from an engine,
  a :class:`SyncHttpClient` or a :class:`MeshAPIConfig` (``RealtimeResource(config)``);
- :func:`moved`: the one warning the modules at its import paths give
  (``meshapi/_types.py``, ``meshapi/_errors.py``, ``meshapi/_http.py``,
  ``meshapi/resources/*.py``).

Loaded only when one of these names is used: ``import meshapi`` does not load it.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any, Dict, Optional, Type

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

if TYPE_CHECKING:
    import httpx

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
    "MeshAPIConfig",
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


@dataclass
class MeshAPIConfig:
    """meshapi 0.1.11's client settings: ``base_url`` (a trailing ``/`` removed), ``token``,
    ``timeout`` (60 s for every phase, as there), ``max_retries`` (3), and your own
    ``httpx_client`` or ``async_httpx_client`` (left open when the SDK closes).

    Taken where meshapi 0.1.11 took it: by :class:`SyncHttpClient` and
    :class:`AsyncHttpClient`, and by every resource class
    (``RealtimeResource(config)``). Nothing else needs one: ``MeshAPI(...)`` takes the same
    settings as keywords. The token is never in its ``repr``.

    >>> MeshAPIConfig(base_url="https://api.meshapi.ai/", token="rsk_...")
    MeshAPIConfig(base_url='https://api.meshapi.ai', timeout=60.0, max_retries=3)
    """

    base_url: str
    token: str = field(repr=False)
    timeout: float = 60.0
    max_retries: int = 3
    httpx_client: Optional[httpx.Client] = field(default=None, repr=False)
    async_httpx_client: Optional[httpx.AsyncClient] = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    def settings(self) -> Dict[str, Any]:
        """The settings a :class:`~meshapi.MeshAPI` takes, from these (no client)."""
        return {
            "base_url": self.base_url,
            "token": self.token,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
        }


class SyncHttpClient(Engine):
    """meshapi 0.1.11's blocking HTTP client, made from a :class:`MeshAPIConfig`: the
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
    """meshapi 0.1.11's async HTTP client, made from a :class:`MeshAPIConfig` (its
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
    """An engine of ``kind`` (:class:`Engine` or :class:`AsyncEngine`) from ``config``: how a
    resource class made from a :class:`MeshAPIConfig` gets its engine."""
    if not isinstance(config, MeshAPIConfig):
        raise TypeError(
            f"a resource is made from a client's engine or a MeshAPIConfig, not "
            f"{type(config).__name__}"
        )
    return SyncHttpClient(config) if kind is Engine else AsyncHttpClient(config)


def moved(module: str, instead: str) -> None:
    """Warn, once per import of ``module`` (one of meshapi 0.1.11's modules), naming the
    public import to use ``instead``; the warning points at the line that imported it."""
    warnings.warn(
        f"{module} is deprecated (meshapi 0.1.11's module, kept so its imports run): use {instead}",
        DeprecationWarning,
        stacklevel=_importer_level(),
    )


def _importer_level() -> int:
    """The ``stacklevel`` of the line that imported the module calling :func:`moved`.

    ``warnings`` skips the import system's own frames; an import hook's ``exec_module``
    (pytest's assertion rewriter loads this package when it is an installed plugin) is
    skipped here, so the warning still names the user's line.
    """
    level = 3  # 1: moved, 2: the old module's body, 3: its importer
    frame: Optional[FrameType] = sys._getframe(3)
    while frame is not None and (
        frame.f_code.co_name == "exec_module" or _internal(frame.f_code.co_filename)
    ):
        if not _internal(frame.f_code.co_filename):
            level += 1
        frame = frame.f_back
    return level


def _internal(filename: str) -> bool:
    """Whether ``warnings`` skips a frame of ``filename`` (the import system's own)."""
    return "importlib" in filename and "_bootstrap" in filename
