"""Video generation: tasks that run for a while (``docs/gateway/api.md`` §7).

``videos.generate`` answers at once with a task (older gateways: only its ``id``); the task
moves through its states at the provider, and ``videos.retrieve`` reads it again (refreshed
live while it runs). ``succeeded``, ``failed``, ``expired`` and ``cancelled`` are terminal;
a failed task is a 200 whose ``status`` is ``failed`` and whose ``error`` says why.
``videos.wait(task)`` polls until a terminal state.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Union

from pydantic import Field

from .base import RequestModel, ResponseModel

__all__ = [
    "CreateVideoGenerationResponse",
    "ListVideoGenerationsParams",
    "VideoContentItem",
    "VideoGenerationParams",
    "VideoTaskContent",
    "VideoTaskError",
    "VideoTaskListResponse",
    "VideoTaskResponse",
    "VideoTaskUsage",
]

TERMINAL_STATUSES = frozenset({"succeeded", "failed", "expired", "cancelled"})
"""The states a video task never leaves."""
RUNNING_STATUSES = frozenset({"queued", "running"})
"""The states of a task still on its way (``videos.wait`` looks again): BytePlus's task
states, which the gateway passes on (``docs/gateway/api.md`` §7.2 names the terminal ones)."""


class VideoContentItem(RequestModel):
    """One item of a generation's ``content``: ``{"type": "text", "text": ...}``,
    ``{"type": "image_url", "image_url": {"url": ...}, "role": ...}`` (a first frame or a
    reference), ``video_url`` and ``audio_url`` (Seedance 2.0), or a ``draft_task``. Base64
    inputs need a ``data:<mime>;base64,`` prefix."""

    type: str
    text: Optional[str] = None
    image_url: Optional[Dict[str, Any]] = None
    video_url: Optional[Dict[str, Any]] = None
    audio_url: Optional[Dict[str, Any]] = None
    draft_task: Optional[Dict[str, Any]] = None
    role: Optional[str] = None


class VideoGenerationParams(RequestModel):
    """``POST /v1/video/generations``: ``model`` and ``content`` are required.

    >>> VideoGenerationParams(model="byteplus/seedance-1-0-pro",
    ...                       content=[{"type": "text", "text": "a fox in snow"}]).content[0].text
    'a fox in snow'
    """

    model: str
    content: List[VideoContentItem]
    callback_url: Optional[str] = None
    return_last_frame: Optional[bool] = None
    service_tier: Optional[str] = None
    execution_expires_after: Optional[int] = None
    generate_audio: Optional[bool] = None
    draft: Optional[bool] = None
    resolution: Optional[str] = None
    ratio: Optional[str] = None
    duration: Optional[int] = None
    frames: Optional[int] = None
    seed: Optional[int] = None
    camera_fixed: Optional[bool] = None
    watermark: Optional[bool] = None
    safety_identifier: Optional[str] = None
    priority: Optional[int] = None


class VideoTaskError(ResponseModel):
    """Why a task failed: ``code`` (``content_policy_violation``, ``invalid_input``...) and
    ``message``."""

    code: Optional[str] = None
    message: Optional[str] = None


class VideoTaskContent(ResponseModel):
    """Where a finished task's outputs are: the video, and its last frame if asked for."""

    video_url: Optional[str] = None
    last_frame_url: Optional[str] = None


class VideoTaskUsage(ResponseModel):
    """Tokens a task used."""

    completion_tokens: Optional[int] = None
    total_tokens: Optional[int] = None


class VideoTaskResponse(ResponseModel):
    """A video generation task. Only ``id`` is always there (the create call of older
    gateways answers nothing else); ``request_id`` appears from version ``2026-09``.

    >>> VideoTaskResponse(id="vt_1", status="running").is_terminal
    False
    """

    id: str
    status: Optional[str] = None
    model: Optional[str] = None
    error: Optional[VideoTaskError] = None
    created_at: Optional[int] = None
    updated_at: Optional[int] = None
    content: Optional[VideoTaskContent] = None
    seed: Optional[int] = None
    resolution: Optional[str] = None
    ratio: Optional[str] = None
    duration: Optional[int] = None
    frames: Optional[int] = None
    framespersecond: Optional[int] = None
    generate_audio: Optional[bool] = None
    safety_identifier: Optional[str] = None
    priority: Optional[int] = None
    draft: Optional[bool] = None
    draft_task_id: Optional[str] = None
    service_tier: Optional[str] = None
    execution_expires_after: Optional[int] = None
    usage: Optional[VideoTaskUsage] = None
    request_id: Optional[str] = None

    @property
    def is_terminal(self) -> bool:
        """Whether the task has finished (succeeded, failed, expired or cancelled)."""
        return self.status in TERMINAL_STATUSES

    @property
    def video_url(self) -> Optional[str]:
        """The finished video's URL, if there is one."""
        return self.content.video_url if self.content is not None else None


CreateVideoGenerationResponse = VideoTaskResponse
"""The reply of ``videos.generate``: a task (the vendor SDK's name for it)."""


class ListVideoGenerationsParams(RequestModel):
    """Query of ``GET /v1/video/generations`` (from the database: not refreshed). ``status``
    and ``model`` may be repeated (a list); dates are ISO 8601."""

    status: Optional[Union[str, List[str]]] = None
    model: Optional[Union[str, List[str]]] = None
    created_after: Optional[str] = None
    created_before: Optional[str] = None
    limit: Optional[int] = Field(default=None, ge=1)
    offset: Optional[int] = Field(default=None, ge=0)


class VideoTaskListResponse(ResponseModel):
    """A page of tasks, newest first."""

    object: Optional[str] = None
    data: List[VideoTaskResponse] = Field(default_factory=list)
    has_more: Optional[bool] = None
    total: Optional[int] = None
    limit: Optional[int] = None
    offset: Optional[int] = None

    def page_items(self) -> List[VideoTaskResponse]:
        """The tasks of this page."""
        return self.data
