"""``client.batches``: many chat completions run later, at batch prices (``/v1/batches``);
data-plane keys only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.batches import (
    BATCHES_CANCEL,
    BATCHES_CREATE,
    BATCHES_GET,
    BATCHES_LIST,
    BATCHES_WAIT,
)
from meshapi_core.models.batches import Batch, BatchCreateParams, BatchListParams

from ..pages import AsyncPaginator
from ..polling import wait_for
from ..resource import AsyncResource, several_calls

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        BatchCreateArgs,
        BatchCreateParamsDict,
        BatchListArgs,
        BatchListParamsDict,
        RequestOptions,
    )

__all__ = ["AsyncBatches"]


class AsyncBatches(AsyncResource):
    """Batches: create one with its requests inline, then ``wait`` for it (or poll ``get``).

    >>> body = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "2+2?"}]}
    >>> batch = await client.batches.create(   # doctest: +SKIP
    ...     requests=[{"custom_id": "q1", "body": body}])
    >>> batch = await client.batches.wait(batch.id, deadline=3600)   # doctest: +SKIP
    >>> {r.custom_id: r.response.chat_completion() for r in batch.results}   # doctest: +SKIP
    """

    @overload
    async def create(
        self,
        params: Union[BatchCreateParams, BatchCreateParamsDict],
        **options: Unpack[RequestOptions],
    ) -> Batch: ...
    @overload
    async def create(self, **kwargs: Unpack[BatchCreateArgs]) -> Batch: ...
    async def create(
        self,
        params: Optional[Union[BatchCreateParams, BatchCreateParamsDict]] = None,
        **kwargs: Any,
    ) -> Batch:
        """Start a batch. Every request must name the same model. Refused with
        ``RateLimitError`` (``batch_limit_exceeded``, never retried) while 10 of yours are
        unfinished, and with ``ServerError`` (``not_implemented``, 501) for a model whose
        provider has no batch API."""
        return await self._request(BATCHES_CREATE, params, kwargs)

    def list(
        self,
        params: Union[BatchListParams, BatchListParamsDict, None] = None,
        **kwargs: Unpack[BatchListArgs],
    ) -> AsyncPaginator[Batch]:
        """Your batches, newest first, page by page (``limit`` per page, ``after`` a batch id).

        Iterating walks every batch of every page (``async for batch in
        client.batches.list()``); the first page alone (``.data``, ``.has_more``,
        ``.first_id``, ``.last_id``) is what the call returns (``await``-ed on the async
        client).
        """
        return self._list(BATCHES_LIST, params, kwargs)

    async def get(self, batch_id: str, **options: Unpack[RequestOptions]) -> Batch:
        """One batch by id, as it is now; raises ``NotFoundError``."""
        return await self._request(BATCHES_GET, kwargs=options, path={"batch_id": batch_id})

    async def cancel(self, batch_id: str, **options: Unpack[RequestOptions]) -> Batch:
        """Cancel a batch; returns it (its status says where it stopped)."""
        return await self._request(BATCHES_CANCEL, kwargs=options, path={"batch_id": batch_id})

    @several_calls
    async def wait(
        self,
        batch_id: str,
        /,
        *,
        poll_interval: Optional[float] = None,
        max_poll_interval: Optional[float] = None,
        **options: Unpack[RequestOptions],
    ) -> Batch:
        """Look at a batch until its status is terminal (``completed``, ``failed``,
        ``cancelled``, ``expired``) and return it.

        The first look is at once; then the wait between looks grows from ``poll_interval``
        (default 2 s, at least 1 s) by half each time up to ``max_poll_interval`` (default
        60 s), with a little jitter. ``deadline=`` (else the client's deadline, else 25
        hours) bounds the whole wait: when another look would pass it, an
        ``APITimeoutError`` is raised (a ``meshapi_core.polling.PollTimeoutError``, with the
        last state seen in ``.last``). The batch itself goes on.
        """
        return await wait_for(
            self._engine,
            BATCHES_WAIT,
            {"batch_id": batch_id},
            options,
            poll_interval,
            max_poll_interval,
        )
