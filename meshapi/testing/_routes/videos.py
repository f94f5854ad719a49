"""Video generation tasks, ``/v1/video/generations`` (``docs/gateway/api.md`` §7), whose status
follows the emulator's clock (timings and triggers: ``docs/data-plane/videos.md``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from .._gateway import media as _media
from .._gateway.blobs import blobs
from .._gateway.errors import GatewayError, detail, validation_error
from .._gateway.media_helpers import media_model
from .._gateway.plan import ResponsePlan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.validate import RequestSchema, boolean, integer, list_of, nullable, obj, string

QUEUED_SECONDS = 1.0
RENDER_SECONDS = 6.0
STATUSES = ("queued", "running", "succeeded", "failed", "expired", "cancelled")


@dataclass
class VideoTask:
    """A task as stored; its status is computed from the clock."""

    id: str
    model: str
    created_at: float
    request_id: str
    body: Dict[str, Any]
    outcome: str
    video_url: Optional[str] = None

    def status(self, now: float) -> str:
        age = now - self.created_at
        if age < QUEUED_SECONDS:
            return "queued"
        if age < RENDER_SECONDS:
            return "running"
        return self.outcome


def _tasks(ctx: RouteContext) -> Dict[str, VideoTask]:
    """Every task, by id, in creation order."""
    return ctx.state.store("videos", dict)


def _text(body: Dict[str, Any]) -> str:
    return " ".join(
        str(item.get("text") or "") for item in body.get("content") or [] if isinstance(item, dict)
    )


def _task_json(ctx: RouteContext, task: VideoTask) -> Dict[str, Any]:
    status = task.status(ctx.now)
    body = task.body
    duration = body.get("duration") or 5
    out: Dict[str, Any] = {
        "id": task.id,
        "model": task.model,
        "status": status,
        "error": None,
        "created_at": int(task.created_at),
        "updated_at": int(min(ctx.now, task.created_at + RENDER_SECONDS)),
        "content": None,
        "seed": body.get("seed", 42),
        "resolution": body.get("resolution") or "720p",
        "ratio": body.get("ratio") or "16:9",
        "duration": duration,
        "framespersecond": 24,
        "generate_audio": body.get("generate_audio", False),
        "draft": body.get("draft", False),
        "service_tier": body.get("service_tier") or "default",
        "execution_expires_after": body.get("execution_expires_after") or 172800,
        "usage": None,
    }
    if status == "succeeded":
        if task.video_url is None:
            data = _media.mp4(int(duration), seed=task.id)
            task.video_url = blobs(ctx).add(ctx, data, "video/mp4", ".mp4")
        out["content"] = {"video_url": task.video_url, "last_frame_url": None}
        tokens = 10_000 * int(duration)
        out["usage"] = {"completion_tokens": tokens, "total_tokens": tokens}
    elif status == "failed":
        out["error"] = {
            "code": "content_policy_violation",
            "message": "The request was rejected by the provider's content policy.",
        }
    if ctx.version >= "2026-09":
        out["request_id"] = task.request_id
    return out


_CONTENT_ITEM = obj({"type": string(min_length=1), "text": nullable(string())}, required=("type",))
_CREATE_CHECKS = {
    "model": string(min_length=1),
    "content": list_of(_CONTENT_ITEM, min_length=1),
    "callback_url": nullable(string()),
    "return_last_frame": nullable(boolean),
    "generate_audio": nullable(boolean),
    "draft": nullable(boolean),
    "duration": nullable(integer(ge=1, le=30)),
    "frames": nullable(integer(ge=1)),
    "seed": nullable(integer()),
    "camera_fixed": nullable(boolean),
    "watermark": nullable(boolean),
    "priority": nullable(integer()),
    "execution_expires_after": nullable(integer(ge=1)),
    "service_tier": nullable(string()),
    "resolution": nullable(string()),
    "ratio": nullable(string()),
    "safety_identifier": nullable(string()),
}
_CREATE_REQUEST = RequestSchema(_CREATE_CHECKS, required=("model", "content"))


def create_video(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    model = media_model(ctx, body["model"], None, "video")
    text = _text(body)
    outcome = "failed" if "[fail]" in text else "expired" if "[expire]" in text else "succeeded"
    task = VideoTask(
        id="cgt-" + ctx.state.ids.ulid().lower(),
        model=model,
        created_at=ctx.now,
        request_id=ctx.request_id,
        body=body,
        outcome=outcome,
    )
    _tasks(ctx)[task.id] = task
    if outcome == "succeeded":  # billed when made: the usage its task will report
        ctx.charge(model, 0, 10_000 * int(body.get("duration") or 5))
    return json_plan(200, _task_json(ctx, task))


def get_video(ctx: RouteContext) -> ResponsePlan:
    task = _tasks(ctx).get(ctx.params["task_id"])
    if task is None:
        raise GatewayError(404, "not_found", "Video generation task not found.")
    return json_plan(200, _task_json(ctx, task))


def _iso(value: Optional[str], name: str, problems: List[Dict[str, Any]]) -> Optional[float]:
    if value is None:
        return None
    try:
        stamp = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        problems.append(
            detail("datetime_parsing", ("query", name), "Input should be a valid datetime")
        )
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    return stamp.timestamp()


def list_videos(ctx: RouteContext) -> ResponsePlan:
    problems: List[Dict[str, Any]] = []
    limit = ctx.query_int("limit", 20, ge=1, le=100, problems=problems)
    offset = ctx.query_int("offset", 0, ge=0, problems=problems)
    after = _iso(ctx.query_value("created_after"), "created_after", problems)
    before = _iso(ctx.query_value("created_before"), "created_before", problems)
    statuses = set(ctx.request.query.get("status", []))
    for status in statuses - set(STATUSES):
        problems.append(detail("enum", ("query", "status"), f"Unknown status {status!r}"))
    if problems:
        raise validation_error(problems)
    models = set(ctx.request.query.get("model", []))
    tasks = [
        t
        for t in reversed(list(_tasks(ctx).values()))
        if (not statuses or t.status(ctx.now) in statuses)
        and (not models or t.model in models)
        and (after is None or t.created_at >= after)
        and (before is None or t.created_at <= before)
    ]
    page = tasks[offset : offset + limit]
    return json_plan(
        200,
        {
            "object": "list",
            "data": [_task_json(ctx, t) for t in page],
            "has_more": offset + len(page) < len(tasks),
            "total": len(tasks),
            "limit": limit,
            "offset": offset,
        },
    )


ROUTES: List[Route] = [
    Route("POST", "/v1/video/generations", ["dp"], create_video, request=_CREATE_REQUEST),
    Route("GET", "/v1/video/generations", ["dp"], list_videos),
    Route("GET", "/v1/video/generations/{task_id}", ["dp"], get_video),
]
