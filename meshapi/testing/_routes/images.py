"""Images: generations and edits (``docs/gateway/api.md`` §5, ``streaming.md`` §5; what the
emulator answers, deterministic 8x8 PNGs: ``docs/data-plane/images.md``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Dict, Iterator, List, Optional

from .._gateway import media as _media
from .._gateway.blobs import blobs
from .._gateway.errors import GatewayError, detail, invalid, validation_error
from .._gateway.media_helpers import form_int, media_model, model_info
from .._gateway.multipart import boundary_of, parse_form
from .._gateway.plan import ResponsePlan, Write, dumps, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.validate import (
    RequestSchema,
    any_object,
    anything,
    boolean,
    check_object,
    integer,
    list_of,
    literal,
    nullable,
    number,
    string,
    union,
)

IMAGE_MODEL = "openai/gpt-image-1"
OPERATIONS = ("edit", "inpaint", "outpaint", "mix", "reframe", "upscale", "remove_background")
_NEEDS_PROMPT = ("edit", "outpaint", "mix")

_GENERATION_CHECKS = {
    "prompt": string(min_length=1),
    "model": nullable(string(min_length=1)),
    "n": nullable(integer(ge=1, le=10)),
    "size": nullable(string()),
    "quality": nullable(string()),
    "response_format": nullable(literal("url", "b64_json")),
    "output_format": nullable(literal("png", "jpeg", "webp")),
    "output_compression": nullable(integer(ge=0, le=100)),
    "background": nullable(literal("transparent", "opaque", "auto")),
    "moderation": nullable(literal("low", "auto")),
    "partial_images": nullable(integer(ge=0, le=3)),
    "image": nullable(union(string(), list_of(string()))),
    "seed": nullable(integer(ge=-1, le=2147483647)),
    "guidance_scale": nullable(number(ge=1, le=10)),
    "watermark": nullable(boolean),
    "stream": nullable(boolean),
    "optimize_prompt_options": nullable(any_object),
    "sequential_image_generation_options": nullable(any_object),
    "aspect_ratio": nullable(string()),
    "resolution": nullable(string()),
    "sequential_image_generation": nullable(literal("auto", "disabled")),
}
_GENERATION_REQUEST = RequestSchema(_GENERATION_CHECKS, required=("prompt",))


def _items(
    ctx: RouteContext, seed: str, count: int, response_format: Optional[str]
) -> List[Dict[str, Any]]:
    items = []
    for index in range(count):
        data = _media.png(8, 8, _media.colour_of(f"{seed}\x00{index}"))
        if response_format == "b64_json":
            items.append({"b64_json": base64.b64encode(data).decode("ascii")})
        else:
            items.append({"url": blobs(ctx).add(ctx, data, "image/png", ".png")})
    return items


def _usage(body: Dict[str, Any], count: int) -> Dict[str, int]:
    prompt = max(1, len(str(body.get("prompt") or "").split()))
    return {
        "prompt_tokens": prompt,
        "completion_tokens": 272 * count,
        "total_tokens": prompt + 272 * count,
    }


def _charge(ctx: RouteContext, model: str, body: Dict[str, Any], count: int) -> None:
    usage = _usage(body, count)
    ctx.charge(model, usage["prompt_tokens"], usage["completion_tokens"], images=count)


def _reply(ctx: RouteContext, body: Dict[str, Any], items: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {
        "created": int(ctx.now),
        "data": items,
        "size": body.get("size") or "8x8",
        "quality": body.get("quality") or "auto",
        "output_format": "png",
        "usage": _usage(body, len(items)),
    }


def _stream(
    ctx: RouteContext, model: str, items: List[Dict[str, Any]], partials: int
) -> Iterator[Write]:
    image_id = "img_" + ctx.state.ids.ulid().lower()
    head = {"id": image_id, "object": "image.chunk", "created": int(ctx.now), "model": model}
    yield Write(b": ping\n\n")
    for _ in range(max(1, partials)):
        chunk = {**head, "status": "processing", "data": []}
        yield Write(b"data: " + dumps(chunk) + b"\n\n", event=True)
    yield Write(b": ping\n\n")
    yield Write(
        b"data: " + dumps({**head, "status": "completed", "data": items}) + b"\n\n", event=True
    )
    yield Write(b"data: [DONE]\n\n", event=True)


def create_image(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    model = media_model(ctx, body.get("model"), IMAGE_MODEL, "image")
    seed = f"{model}\x00{body['prompt']}\x00{body.get('seed')}"
    items = _items(ctx, seed, body.get("n") or 1, body.get("response_format"))
    _charge(ctx, model, body, len(items))
    if body.get("stream"):
        return ResponsePlan(
            200,
            (("content-type", "text/event-stream"), ("cache-control", "no-cache")),
            _stream(ctx, model, items, body.get("partial_images") or 0),
            streaming=True,
        )
    return json_plan(200, _reply(ctx, body, items))


def _decode_reference(value: Any, loc: str) -> bytes:
    """The image bytes of a JSON image reference, or the gateway's refusal."""
    if isinstance(value, dict):
        value = value.get("url")
    if not isinstance(value, str) or not value:
        raise invalid("value_error", ("body", loc), "Expected an image")
    if value.startswith(("http://", "https://")):
        raise GatewayError(
            400,
            "invalid_request",
            f"{loc}: remote image URLs are not supported here; send a data URL or base64",
        )
    payload = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        return base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        raise invalid("value_error", ("body", loc), "Invalid base64 image data") from None


_EDIT_CHECKS = {
    "model": string(min_length=1),
    "prompt": nullable(string()),
    "operation": nullable(literal(*OPERATIONS)),
    "n": nullable(integer(ge=1, le=10)),
    "size": nullable(string()),
    "response_format": nullable(literal("url", "b64_json")),
    "mask_feather": nullable(integer()),
    "image": anything,
    "mask": nullable(anything),
    "reference_images": nullable(anything),
    "background": nullable(string()),
    "upscale_factor": nullable(string()),
    "quality_tier": nullable(string()),
    "aspect_ratio": nullable(string()),
    "resolution": nullable(string()),
    "expand_factor": nullable(union(string(), number())),
}
_EDIT_REQUEST = RequestSchema(_EDIT_CHECKS, required=("model", "image"))


def edit_image(ctx: RouteContext) -> ResponsePlan:
    """``POST /v1/images/edits``: JSON or a multipart form."""
    problems: List[Dict[str, Any]] = []
    content_type = ctx.request.header("content-type")
    if boundary_of(content_type) is not None:
        form = parse_form(ctx.request.body, content_type)
        body: Dict[str, Any] = dict(form.fields)
        ctx.entry.json = form.as_dict()  # the fields, for tests to read (files: parse the body)
        if "n" in body:
            body["n"] = form_int(body["n"], "n", problems, ge=1, le=10)
        upload = form.file("image")
        if upload is None and "image" not in body:
            problems.append(detail("missing", ("body", "image"), "Field required"))
        image = upload.data if upload is not None else b""
        if upload is None and "image" in body:
            image = _decode_reference(body["image"], "image")
        unchecked = {k: v for k, v in body.items() if k != "n"}  # n: read as a form int above
        check_object(unchecked, ("body",), problems, _EDIT_CHECKS, required=("model",))
    else:
        body = ctx.json_body()
        _EDIT_REQUEST(body, ("body",), problems)
        image = b""
        if not problems:
            image = _decode_reference(body["image"], "image")
            if body.get("mask") is not None:
                _decode_reference(body["mask"], "mask")
            for ref in body.get("reference_images") or []:
                _decode_reference(ref, "reference_images")
    operation = body.get("operation") or "edit"
    if not problems and operation in _NEEDS_PROMPT and not body.get("prompt"):
        problems.append(
            detail("missing", ("body", "prompt"), f"Field required for operation {operation!r}")
        )
    if problems:
        raise validation_error(problems)
    model = media_model(ctx, body.get("model"), None, "image")
    if not (model_info(ctx, model) or {}).get(f"supports_image_{operation}"):
        raise GatewayError(
            422,
            "unsupported_operation",
            f"Model '{model}' does not support the {operation!r} operation.",
        )
    seed = f"{model}\x00{operation}\x00{body.get('prompt')}\x00{_media.colour_of(image.hex())}"
    n = body.get("n") or 1
    items = _items(ctx, seed, n if isinstance(n, int) else 1, body.get("response_format"))
    _charge(ctx, model, body, len(items))
    return json_plan(200, _reply(ctx, body, items))


ROUTES: List[Route] = [
    Route("POST", "/v1/images/generations", ["dp"], create_image, request=_GENERATION_REQUEST),
    Route("POST", "/v1/images/edits", ["dp"], edit_image),
]
