"""``client.videos``: video generation tasks (``/v1/video/generations``), waiting for them,
and downloading their videos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.videos import (
    VIDEOS_GENERATE,
    VIDEOS_LIST,
    VIDEOS_RETRIEVE,
    VIDEOS_WAIT,
    task_path,
)
from meshapi_core.models.videos import (
    ListVideoGenerationsParams,
    VideoGenerationParams,
    VideoTaskResponse,
)

from ..pages import AsyncPaginator
from ..polling import wait_for
from ..resource import AsyncResource, several_calls
from ..streams import AsyncByteStream
from ..transfers import download_video

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        ListVideoGenerationsArgs,
        ListVideoGenerationsParamsDict,
        RequestOptions,
        VideoGenerationArgs,
        VideoGenerationParamsDict,
    )

__all__ = ["AsyncVideos"]


class AsyncVideos(AsyncResource):
    """Video generation: start a task, wait for it, download the video.

    >>> task = await client.videos.generate(   # doctest: +SKIP
    ...     model="byteplus/seedance-1-0-pro", content=[{"type": "text", "text": "a fox"}])
    >>> task = await client.videos.wait(task)                     # doctest: +SKIP
    >>> await client.videos.download(task).write_to("fox.mp4")    # doctest: +SKIP
    """

    @overload
    async def generate(
        self,
        params: Union[VideoGenerationParams, VideoGenerationParamsDict],
        **options: Unpack[RequestOptions],
    ) -> VideoTaskResponse: ...
    @overload
    async def generate(self, **kwargs: Unpack[VideoGenerationArgs]) -> VideoTaskResponse: ...
    async def generate(
        self,
        params: Optional[Union[VideoGenerationParams, VideoGenerationParamsDict]] = None,
        **kwargs: Any,
    ) -> VideoTaskResponse:
        """Start a video generation task; answers at once with the task (older gateways:
        only its ``id``). Retried on transient failures with one ``Idempotency-Key``, so a
        retry never starts a second task."""
        return await self._request(VIDEOS_GENERATE, params, kwargs)

    def list(
        self,
        params: Union[ListVideoGenerationsParams, ListVideoGenerationsParamsDict, None] = None,
        **kwargs: Unpack[ListVideoGenerationsArgs],
    ) -> AsyncPaginator[VideoTaskResponse]:
        """Tasks, newest first, page by page (``status`` and ``model`` filters may be lists)."""
        return self._list(VIDEOS_LIST, params, kwargs)

    async def retrieve(self, task_id: str, **options: Unpack[RequestOptions]) -> VideoTaskResponse:
        """One task by id (refreshed from the provider while it runs)."""
        return await self._request(VIDEOS_RETRIEVE, kwargs=options, path={"task_id": task_id})

    @several_calls
    async def wait(
        self,
        task: Union[VideoTaskResponse, str],
        /,
        *,
        poll_interval: Optional[float] = None,
        max_poll_interval: Optional[float] = None,
        **options: Unpack[RequestOptions],
    ) -> VideoTaskResponse:
        """Look at a task until it is terminal (``succeeded``, ``failed``, ``expired`` or
        ``cancelled``) and return it; check ``task.status`` (a failed task is returned, not
        raised: its ``error`` says why). Takes the task or its id.

        The first look is at once; then the wait between looks grows from ``poll_interval``
        (default 2 s, at least 1 s) by half each time up to ``max_poll_interval`` (default
        60 s), with a little jitter. ``deadline=`` (else the client's deadline, else 25
        hours) bounds the whole wait: when another look would pass it, an
        ``APITimeoutError`` is raised (a ``meshapi_core.polling.PollTimeoutError``, whose
        ``.last`` is the task as last seen). Waits go through the transport's ``sleep``, so
        cancelling the caller stops it at once. The task itself goes on.

        >>> task = await client.videos.wait(task, deadline=600)   # doctest: +SKIP
        """
        return await wait_for(
            self._engine,
            VIDEOS_WAIT,
            task_path(task),
            options,
            poll_interval,
            max_poll_interval,
        )

    def download(
        self, task: Union[VideoTaskResponse, str], /, **options: Unpack[RequestOptions]
    ) -> AsyncByteStream:
        """The finished task's video as a byte stream: ``write_to(path)`` streams it to a
        file. The video's URL is another host: the request carries none of the gateway's
        headers or credential. Takes the task, or the video's URL."""
        return download_video(self._engine, task, options)
