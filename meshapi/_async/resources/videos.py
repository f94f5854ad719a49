"""``client.videos``: video generation tasks (``/v1/video/generations``), waiting for them,
and downloading their videos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from meshapi_core.endpoints.videos import VIDEOS_GENERATE, VIDEOS_LIST, VIDEOS_RETRIEVE
from meshapi_core.models.videos import (
    ListVideoGenerationsParams,
    VideoGenerationParams,
    VideoTaskResponse,
)
from meshapi_core.polling import PollPolicy

from ..pages import AsyncPaginator
from ..resource import AsyncResource
from ..streams import AsyncByteStream
from ..transfers import download_video, wait_for_video

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

    async def generate(
        self,
        params: Union[VideoGenerationParams, VideoGenerationParamsDict, None] = None,
        /,
        **kwargs: Unpack[VideoGenerationArgs],
    ) -> VideoTaskResponse:
        """Start a video generation task; answers at once with the task (older gateways:
        only its ``id``). Retried on transient failures with one ``Idempotency-Key``, so a
        retry never starts a second task."""
        return await self._request(VIDEOS_GENERATE, params, kwargs)

    def list(
        self,
        params: Union[ListVideoGenerationsParams, ListVideoGenerationsParamsDict, None] = None,
        /,
        **kwargs: Unpack[ListVideoGenerationsArgs],
    ) -> AsyncPaginator[VideoTaskResponse]:
        """Tasks, newest first, page by page (``status`` and ``model`` filters may be lists)."""
        return self._list(VIDEOS_LIST, params, kwargs)

    async def retrieve(
        self, task_id: str, /, **options: Unpack[RequestOptions]
    ) -> VideoTaskResponse:
        """One task by id (refreshed from the provider while it runs)."""
        return await self._request(VIDEOS_RETRIEVE, kwargs=options, path={"task_id": task_id})

    async def wait(
        self,
        task: Union[VideoTaskResponse, str],
        /,
        *,
        max_wait: float = 900.0,
        poll_interval: float = 2.0,
        max_poll_interval: float = 15.0,
        **options: Unpack[RequestOptions],
    ) -> VideoTaskResponse:
        """Poll a task until it is terminal (``succeeded``, ``failed``, ``expired`` or
        ``cancelled``) and return it; check ``task.status`` (a failed task is returned, not
        raised: its ``error`` says why).

        Polls every ``poll_interval`` seconds at first, 1.5 times longer after each poll, up
        to ``max_poll_interval``. After ``max_wait`` seconds (default 15 minutes) it raises
        :class:`~meshapi.APITimeoutError`, naming the task's last status; a poll in flight
        at that moment is bounded by the client's (or ``options``') timeouts. Waits go
        through the transport's ``sleep``, so cancelling the task stops it at once.
        """
        policy = PollPolicy(poll_interval, 1.5, max_poll_interval, max_wait)
        return await wait_for_video(self._engine, task, policy, options)

    def download(
        self, task: Union[VideoTaskResponse, str], /, **options: Unpack[RequestOptions]
    ) -> AsyncByteStream:
        """The finished task's video as a byte stream: ``write_to(path)`` streams it to a
        file. The video's URL is another host: the request carries none of the gateway's
        headers or credential. Takes the task, or the video's URL."""
        return download_video(self._engine, task, options)
