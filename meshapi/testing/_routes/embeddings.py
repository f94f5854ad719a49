"""Embeddings: ``POST /v1/embeddings`` (``docs/gateway/api.md`` §4; in the emulator:
``docs/data-plane/embeddings.md``). Every vector is a hash of the model and the item spread
over :data:`DIMENSIONS` and normalised; usage counts words of text.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from typing import Any, Dict, List

from .._gateway.errors import GatewayError
from .._gateway.inference import resolve_model
from .._gateway.plan import ResponsePlan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.validate import (
    Checker,
    RequestSchema,
    any_object,
    anything,
    integer,
    list_of,
    literal,
    nullable,
    obj,
    string,
    union,
)

AUTO_EMBEDDING_MODEL = "openai/text-embedding-3-small"
"""The model ``"auto"`` picks for embeddings."""
DIMENSIONS: Dict[str, int] = {
    "openai/text-embedding-3-small": 1536,
    "perplexity/pplx-embed-v1-4b": 1024,
    "mesh/embed-multimodal": 256,
}
"""Vector length per model (others: 256)."""
TRUNCATABLE = frozenset({"openai/text-embedding-3-small", "mesh/embed-multimodal"})
"""The models that accept ``dimensions``."""

_ITEM = obj(
    {
        "type": literal("text", "image_url", "video_url"),
        "text": nullable(string()),
        "image_url": nullable(obj({"url": string()}, required=("url",))),
        "video_url": nullable(obj({"url": string()}, required=("url",))),
    },
    required=("type",),
)
_TOKENS = list_of(integer(ge=0), min_length=1)
_CHECKS: Dict[str, Checker] = {
    "input": union(
        string(),
        list_of(string(), min_length=1),
        _TOKENS,
        list_of(_TOKENS, min_length=1),
        list_of(_ITEM, min_length=1),
    ),
    "model": nullable(string(min_length=1)),
    "dimensions": nullable(integer(ge=1)),
    "encoding_format": nullable(literal("float", "base64")),
    "input_type": nullable(string()),
    "provider": nullable(union(string(), any_object)),
    "user": nullable(string(max_length=256)),
    "instructions": nullable(string()),
    "sparse_embedding": nullable(obj({"type": literal("enabled", "disabled")}, required=("type",))),
    "metadata": nullable(anything),
}
_REQUEST = RequestSchema(_CHECKS, required=("input",))


def _vector(model: str, item: Any, size: int) -> List[float]:
    seed = hashlib.sha256(f"{model}\x00{item!r}".encode()).digest()
    raw: List[float] = []
    counter = 0
    while len(raw) < size:
        block = hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        raw += [(b - 127.5) / 127.5 for b in block]
        counter += 1
    return _normalise(raw[:size])


def _normalise(values: List[float]) -> List[float]:
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [round(v / norm, 6) for v in values]


def _items(value: Any) -> List[Any]:
    if isinstance(value, str):
        return [value]
    if value and all(isinstance(v, int) for v in value):
        return [value]  # one token array
    if value and all(isinstance(v, dict) for v in value):
        return [value]  # one multimodal input
    return list(value)


def _tokens(item: Any) -> int:
    if isinstance(item, str):
        return max(1, len(item.split()))
    if isinstance(item, list) and all(isinstance(v, int) for v in item):
        return len(item)
    if isinstance(item, list):
        return sum(_tokens(v.get("text") or "") if v.get("type") == "text" else 1 for v in item)
    return 1


def _invalid(message: str) -> GatewayError:
    return GatewayError(400, "invalid_request", message)


def create_embeddings(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    model, info = resolve_model(
        ctx, body.get("model"), types=("embedding",), auto=AUTO_EMBEDDING_MODEL, what="embeddings"
    )
    items = _items(body["input"])
    multimodal = any(isinstance(i, list) and i and isinstance(i[0], dict) for i in items)
    if multimodal and "image" not in (info.get("input_modalities") or ()):
        raise _invalid(f"Model '{model}' does not embed image or video input.")
    size = DIMENSIONS.get(model, 256)
    dimensions = body.get("dimensions")
    if dimensions is not None:
        if model not in TRUNCATABLE:
            raise _invalid(f"Model '{model}' does not support `dimensions`.")
        if dimensions > size:
            raise _invalid(f"`dimensions` must be at most {size} for '{model}'.")
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for index, item in enumerate(items):
        vector = _vector(model, item, size)
        if dimensions is not None:
            vector = _normalise(vector[:dimensions])
        embedding: Any = vector
        if as_base64:
            embedding = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    tokens = sum(_tokens(i) for i in items)
    ctx.charge(model, tokens)
    return json_plan(
        200,
        {
            "object": "list",
            "data": data,
            "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        },
    )


ROUTES: List[Route] = [Route("POST", "/v1/embeddings", ["dp"], create_embeddings, request=_REQUEST)]
