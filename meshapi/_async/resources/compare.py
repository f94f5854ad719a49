"""``client.compare``: one conversation, several models (``POST /v1/chat/compare``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.compare import COMPARE_CREATE, COMPARE_STREAM
from meshapi_core.models.compare import CompareParams, CompareResponse, CompareStreamEvent

from ..resource import AsyncResource
from ..streams import AsyncStream

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import CompareArgs, CompareParamsDict, RequestOptions

__all__ = ["AsyncCompare"]

Params = Union[CompareParams, "CompareParamsDict"]


class AsyncCompare(AsyncResource):
    """Model compare: ``create`` for the whole comparison, ``stream`` for its events."""

    @overload
    async def create(
        self, params: Params, **options: Unpack[RequestOptions]
    ) -> CompareResponse: ...
    @overload
    async def create(self, **kwargs: Unpack[CompareArgs]) -> CompareResponse: ...
    async def create(self, params: Optional[Params] = None, **kwargs: Any) -> CompareResponse:
        """Ask every model in ``models`` and return their results (and the comparison).

        A model that failed has a string ``error`` in its result and the reply is
        ``partial``; only every model failing is an error (``all_models_failed``).

        >>> resp = await client.compare.create(                       # doctest: +SKIP
        ...     models=["openai/gpt-4o-mini", "anthropic/claude-haiku-4.5"],
        ...     messages=[{"role": "user", "content": "Tell me a joke."}])
        >>> [(r.model, r.error or r.content) for r in resp.results]    # doctest: +SKIP
        """
        return await self._request(COMPARE_CREATE, params, kwargs)

    @overload
    def stream(
        self, params: Params, **options: Unpack[RequestOptions]
    ) -> AsyncStream[CompareStreamEvent]: ...
    @overload
    def stream(self, **kwargs: Unpack[CompareArgs]) -> AsyncStream[CompareStreamEvent]: ...
    def stream(
        self, params: Optional[Params] = None, **kwargs: Any
    ) -> AsyncStream[CompareStreamEvent]:
        """Stream the comparison; each event keeps its SSE name in ``event`` (``delta`` for
        text). A string ``error`` is one model's failure, not the stream's. Never retried.

        >>> async for ev in client.compare.stream(params):    # doctest: +SKIP
        ...     if ev.event == "delta":
        ...         print(ev.model, ev.delta)
        """
        return self._stream(COMPARE_STREAM, params, kwargs)
