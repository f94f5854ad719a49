"""Video generation (``docs/gateway/api.md`` §7): create a task, list tasks, read one."""

from __future__ import annotations

from typing import Dict

from ..endpoint import DATA, JSON, Endpoint, OffsetPaging
from ..errors import InvalidArgumentError
from ..models.videos import (
    RUNNING_STATUSES,
    TERMINAL_STATUSES,
    ListVideoGenerationsParams,
    VideoGenerationParams,
    VideoTaskListResponse,
    VideoTaskResponse,
)
from ..polling import Waiter

__all__ = [
    "VIDEOS_GENERATE",
    "VIDEOS_LIST",
    "VIDEOS_RETRIEVE",
    "VIDEOS_WAIT",
    "task_path",
]


_TASK: JSON[VideoTaskResponse] = JSON(VideoTaskResponse)
"""A task; a failed one carries its own ``error`` object, which is data (not an in-band
error: see :func:`meshapi_core.errors.inband_error`)."""

VIDEOS_GENERATE: Endpoint[VideoGenerationParams, VideoTaskResponse] = Endpoint(
    "POST", "/v1/video/generations", DATA, _TASK, VideoGenerationParams
)
"""``POST /v1/video/generations``, called by ``videos.generate``."""
VIDEOS_LIST: Endpoint[ListVideoGenerationsParams, VideoTaskListResponse] = Endpoint(
    "GET",
    "/v1/video/generations",
    DATA,
    JSON(VideoTaskListResponse),
    ListVideoGenerationsParams,
    paging=OffsetPaging(),
)
"""``GET /v1/video/generations`` (offset pages), called by ``videos.list``."""
VIDEOS_RETRIEVE: Endpoint[None, VideoTaskResponse] = Endpoint(
    "GET", "/v1/video/generations/{task_id}", DATA, _TASK
)
"""``GET /v1/video/generations/{task_id}``, called by ``videos.retrieve`` (and ``videos.wait``)."""
VIDEOS_WAIT: Waiter[VideoTaskResponse] = Waiter(
    VIDEOS_RETRIEVE,
    name=lambda task: f"Video task {task.id}",
    running=RUNNING_STATUSES,
    finished=TERMINAL_STATUSES,
)
"""``videos.wait``: look at a task until its status is terminal; a status outside the task's
documented ones ends the wait at once."""


def task_path(task: object) -> Dict[str, str]:
    """The path of a task given as its id or as the task itself.

    >>> task_path(VideoTaskResponse(id="cgt-1")), task_path("cgt-2")
    ({'task_id': 'cgt-1'}, {'task_id': 'cgt-2'})
    """
    if isinstance(task, VideoTaskResponse):
        return {"task_id": task.id}
    if isinstance(task, str) and task:
        return {"task_id": task}
    raise InvalidArgumentError(
        f"task must be a task id or a VideoTaskResponse, not {type(task).__name__}",
        param="task",
    )
