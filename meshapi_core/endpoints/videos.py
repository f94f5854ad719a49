"""Video generation (``spec`` API section 7): create a task, list tasks, read one."""

from __future__ import annotations

from ..endpoint import DATA, JSON, Endpoint, OffsetPaging
from ..models.videos import (
    ListVideoGenerationsParams,
    VideoGenerationParams,
    VideoTaskListResponse,
    VideoTaskResponse,
)

__all__ = ["VIDEOS_GENERATE", "VIDEOS_LIST", "VIDEOS_RETRIEVE"]

VIDEOS_GENERATE: Endpoint[VideoGenerationParams, VideoTaskResponse] = Endpoint(
    "POST", "/v1/video/generations", DATA, JSON(VideoTaskResponse), VideoGenerationParams
)
VIDEOS_LIST: Endpoint[ListVideoGenerationsParams, VideoTaskListResponse] = Endpoint(
    "GET",
    "/v1/video/generations",
    DATA,
    JSON(VideoTaskListResponse),
    ListVideoGenerationsParams,
    paging=OffsetPaging(),
)
VIDEOS_RETRIEVE: Endpoint[None, VideoTaskResponse] = Endpoint(
    "GET", "/v1/video/generations/{task_id}", DATA, JSON(VideoTaskResponse)
)
