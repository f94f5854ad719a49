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
    """``text``, ``image_url``, ``video_url``, ``audio_url`` or ``draft_task``."""
    text: Optional[str] = None
    """The prompt, for ``type="text"``."""
    image_url: Optional[Dict[str, Any]] = None
    """``{"url": ...}``, for ``type="image_url"``: a first frame or a reference."""
    video_url: Optional[Dict[str, Any]] = None
    """``{"url": ...}``, for ``type="video_url"`` (Seedance 2.0; at most 50 MB)."""
    audio_url: Optional[Dict[str, Any]] = None
    """``{"url": ...}``, for ``type="audio_url"`` (Seedance 2.0; wav or mp3, 2 to 15 s)."""
    draft_task: Optional[Dict[str, Any]] = None
    """A draft task to render in full, for ``type="draft_task"``."""
    role: Optional[str] = None
    """What an image is for, e.g. the first frame or a reference."""


class VideoGenerationParams(RequestModel):
    """``POST /v1/video/generations``: ``model`` and ``content`` are required.

    >>> VideoGenerationParams(model="byteplus/seedance-1-0-pro",
    ...                       content=[{"type": "text", "text": "a fox in snow"}]).content[0].text
    'a fox in snow'
    """

    model: str
    """The video model (required), e.g. ``byteplus/seedance-1-0-pro``."""
    content: List[VideoContentItem]
    """The prompt and the reference images, videos or audio (required)."""
    callback_url: Optional[str] = None
    """A URL the gateway POSTs the task to when it ends (once, 10 s timeout, no retry)."""
    return_last_frame: Optional[bool] = None
    """Also return the video's last frame (``content.last_frame_url``)."""
    service_tier: Optional[str] = None
    """The provider's service tier."""
    execution_expires_after: Optional[int] = None
    """How long the provider may take before the task expires."""
    generate_audio: Optional[bool] = None
    """Generate a soundtrack with the video."""
    draft: Optional[bool] = None
    """Make a quick draft, to render in full later (``draft_task``)."""
    resolution: Optional[str] = None
    """The video's resolution."""
    ratio: Optional[str] = None
    """The video's aspect ratio."""
    duration: Optional[int] = None
    """The video's length, in seconds."""
    frames: Optional[int] = None
    """The video's length, in frames."""
    seed: Optional[int] = None
    """A seed, for repeatable videos."""
    camera_fixed: Optional[bool] = None
    """Keep the camera still."""
    watermark: Optional[bool] = None
    """Whether the video carries a watermark."""
    safety_identifier: Optional[str] = None
    """Your end user's id, for the provider's abuse checks."""
    priority: Optional[int] = None
    """The task's priority in the provider's queue."""


class VideoTaskError(ResponseModel):
    """Why a task failed: ``code`` (``content_policy_violation``, ``invalid_input``...) and
    ``message``."""

    code: Optional[str] = None
    """Why the task failed, e.g. ``content_policy_violation`` or ``invalid_input``."""
    message: Optional[str] = None
    """Text for people."""


class VideoTaskContent(ResponseModel):
    """Where a finished task's outputs are: the video, and its last frame if asked for."""

    video_url: Optional[str] = None
    """Where the video is."""
    last_frame_url: Optional[str] = None
    """Where its last frame is, with ``return_last_frame``."""


class VideoTaskUsage(ResponseModel):
    """Tokens a task used."""

    completion_tokens: Optional[int] = None
    """Tokens of the video."""
    total_tokens: Optional[int] = None
    """Tokens billed."""


class VideoTaskResponse(ResponseModel):
    """A video generation task. Only ``id`` is always there (the create call of older
    gateways answers nothing else); ``request_id`` appears from version ``2026-09``.

    >>> VideoTaskResponse(id="vt_1", status="running").is_terminal
    False
    """

    id: str
    """The task's id, for ``retrieve`` and ``wait``."""
    status: Optional[str] = None
    """``queued``, ``running``, then ``succeeded``, ``failed``, ``expired`` or ``cancelled``."""
    model: Optional[str] = None
    """The video model."""
    error: Optional[VideoTaskError] = None
    """Why it failed, when ``status`` is ``failed``."""
    created_at: Optional[int] = None
    """When the task was created (Unix seconds)."""
    updated_at: Optional[int] = None
    """When it last changed (Unix seconds)."""
    content: Optional[VideoTaskContent] = None
    """The video (and its last frame), once it has succeeded."""
    seed: Optional[int] = None
    """The seed used."""
    resolution: Optional[str] = None
    """The video's resolution."""
    ratio: Optional[str] = None
    """The video's aspect ratio."""
    duration: Optional[int] = None
    """The video's length, in seconds."""
    frames: Optional[int] = None
    """The video's length, in frames."""
    framespersecond: Optional[int] = None
    """Frames per second."""
    generate_audio: Optional[bool] = None
    """Whether it has a soundtrack."""
    safety_identifier: Optional[str] = None
    """The end-user id given for abuse checks."""
    priority: Optional[int] = None
    """The task's priority."""
    draft: Optional[bool] = None
    """Whether it is a draft."""
    draft_task_id: Optional[str] = None
    """The draft this task renders in full."""
    service_tier: Optional[str] = None
    """The provider's service tier."""
    execution_expires_after: Optional[int] = None
    """How long the provider could take before the task expired."""
    usage: Optional[VideoTaskUsage] = None
    """Tokens used."""
    request_id: Optional[str] = None
    """The ``x-request-id`` of the create call, which also fetches the task (from ``2026-09``)."""

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
    """Only tasks in this status, or in any of these."""
    model: Optional[Union[str, List[str]]] = None
    """Only tasks of this model, or of any of these."""
    created_after: Optional[str] = None
    """Only tasks created after this moment (ISO 8601)."""
    created_before: Optional[str] = None
    """Only tasks created before this moment (ISO 8601)."""
    limit: Optional[int] = Field(default=None, ge=1)
    """The most tasks on one page (at least 1)."""
    offset: Optional[int] = Field(default=None, ge=0)
    """How many tasks to skip (0 or more)."""


class VideoTaskListResponse(ResponseModel):
    """A page of tasks, newest first."""

    object: Optional[str] = None
    """The kind of list, as the gateway names it."""
    data: List[VideoTaskResponse] = Field(default_factory=list)
    """The tasks of this page, newest first."""
    has_more: Optional[bool] = None
    """Whether another page follows."""
    total: Optional[int] = None
    """How many tasks match, over every page."""
    limit: Optional[int] = None
    """The most tasks a page holds, as the gateway applied it."""
    offset: Optional[int] = None
    """How many tasks come before this page."""

    def page_items(self) -> List[VideoTaskResponse]:
        """The tasks of this page."""
        return self.data
