"""Video generation (``spec`` API section 7): create a task, list tasks, read one."""

from __future__ import annotations

import json

from ..endpoint import DATA, JSON, Endpoint, OffsetPaging, describe
from ..errors import ResponseDecodeError
from ..http import Response
from ..models.videos import (
    ListVideoGenerationsParams,
    VideoGenerationParams,
    VideoTaskListResponse,
    VideoTaskResponse,
)

__all__ = ["VIDEOS_GENERATE", "VIDEOS_LIST", "VIDEOS_RETRIEVE", "TaskJSON"]


class TaskJSON(JSON[VideoTaskResponse]):
    """A video task. A failed task is a 200 whose ``error`` object says why the *task*
    failed: that is the task's data, not an in-band error of the request, so a body that is
    a task (it has an ``id``) is returned as one; an error envelope without one still raises.

    >>> failed = b'{"id": "t1", "status": "failed", "error": {"code": "invalid_input"}}'
    >>> TaskJSON().decode(Response(200, {}, failed)).error.code
    'invalid_input'
    """

    def __init__(self) -> None:
        super().__init__(VideoTaskResponse)

    def decode(self, response: Response) -> VideoTaskResponse:
        """The body as a :class:`VideoTaskResponse`."""
        body = response.body
        if b'"error"' in body and _is_task(body):
            import pydantic

            try:
                return VideoTaskResponse.model_validate_json(body)
            except pydantic.ValidationError as exc:
                raise ResponseDecodeError(
                    f"HTTP {response.status} body is not a valid VideoTaskResponse: "
                    f"{describe(exc)}",
                    status=response.status,
                    error_code="parse_error",
                    request_id=response.request_id,
                    headers=response.headers,
                ) from None
        return super().decode(response)


def _is_task(body: bytes) -> bool:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(payload, dict) and bool(payload.get("id"))


_TASK = TaskJSON()

VIDEOS_GENERATE: Endpoint[VideoGenerationParams, VideoTaskResponse] = Endpoint(
    "POST", "/v1/video/generations", DATA, _TASK, VideoGenerationParams
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
    "GET", "/v1/video/generations/{task_id}", DATA, _TASK
)
