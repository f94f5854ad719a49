"""Files and RAG (``docs/gateway/api.md`` §13): registration, the signed-URL upload to
``PUT /_uploads/{token}`` (a stand-in for the storage host), embedding on the clock, and search
ranked by TF-IDF similarity (:func:`_vectors`); their answers: ``docs/data-plane/files.md``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from .._gateway.blobs import base_url, chunked_bytes_plan
from .._gateway.errors import GatewayError, validation_error
from .._gateway.plan import ResponsePlan, bytes_plan, empty_plan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.state import iso8601
from .._gateway.validate import (
    RequestSchema,
    any_object,
    boolean,
    integer,
    list_of,
    nullable,
    string,
)

SIGNED_URL_SECONDS = 900.0
QUEUED_SECONDS = 1.0
EMBED_SECONDS = 3.0

_TEXT_TYPES = ("text/", "application/json", "application/jsonl", "application/xml")
_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass
class RagFile:
    """A registered file and its progress."""

    id: str
    file_name: str
    mime_type: str
    owner: str
    created_at: float
    embed: bool
    metadata: Dict[str, Any]
    token: str
    expires_at: float
    data: Optional[bytes] = None
    uploaded_at: Optional[float] = None
    updated_at: float = 0.0
    embed_started: Optional[float] = None
    embed_instant: bool = False

    def upload_status(self) -> str:
        return "ready" if self.data is not None else "pending"

    def embedding_status(self, now: float) -> str:
        if self.data is None or self.embed_started is None:
            return "pending"
        if not self.data:
            return "failed"
        if self.embed_instant:
            return "ready"
        age = now - self.embed_started
        if age < QUEUED_SECONDS:
            return "queued"
        return "processing" if age < EMBED_SECONDS else "ready"

    def file_type(self) -> str:
        mime = self.mime_type.lower()
        if "/" in mime:
            sub = mime.split("/", 1)[1].split(";")[0]
            return {
                "plain": "text",
                "vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
            }.get(sub, sub)
        return "unknown"

    def chunks(self) -> List[Tuple[str, str]]:
        """``(chunk, paragraph)`` pairs of a text file, in order."""
        if not self.data or not self.mime_type.lower().startswith(_TEXT_TYPES):
            return []
        text = self.data.decode("utf-8", "replace")
        out: List[Tuple[str, str]] = []
        for paragraph in re.split(r"\n\s*\n", text):
            paragraph = " ".join(paragraph.split())
            if not paragraph:
                continue
            sentences = _SENTENCE.split(paragraph)
            for start in range(0, len(sentences), 3):
                out.append((" ".join(sentences[start : start + 3]), paragraph))
        return out


@dataclass
class RagState:
    """Every file, by id, and the upload tokens that point at them."""

    files: Dict[str, RagFile] = field(default_factory=dict)
    tokens: Dict[str, str] = field(default_factory=dict)


def _state(ctx: RouteContext) -> RagState:
    return ctx.state.store("rag", RagState)


def _json(ctx: RouteContext, item: RagFile) -> Dict[str, Any]:
    embedding = item.embedding_status(ctx.now)
    return {
        "file_id": item.id,
        "upload_status": item.upload_status(),
        "file_name": item.file_name,
        "file_type": item.file_type(),
        "mime_type": item.mime_type,
        "size_bytes": len(item.data) if item.data is not None else None,
        "asset_url": None,
        "embedding_status": embedding,
        "created_at": iso8601(item.created_at),
        "updated_at": iso8601(item.updated_at),
        "total_tokens": sum(len(c.split()) for c, _ in item.chunks())
        if embedding == "ready"
        else None,
        "total_cost_usd": None,
        "last_error_code": "empty_file" if embedding == "failed" else None,
    }


def _visible(ctx: RouteContext, file_id: str) -> RagFile:
    found = _state(ctx).files.get(file_id)
    if found is None or found.owner != ctx.principal.owner:
        raise GatewayError(404, "not_found", f"File '{file_id}' not found.")
    return found


_INIT_CHECKS = {
    "file_name": string(min_length=1, max_length=1024),
    "mime_type": string(min_length=1),
    "embed": nullable(boolean),
    "metadata": nullable(any_object),
}
_INIT_REQUEST = RequestSchema(_INIT_CHECKS, required=("file_name", "mime_type"))


def init_upload(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    state = _state(ctx)
    token = ctx.state.ids.secret(32)
    item = RagFile(
        id="file_" + ctx.state.ids.ulid().lower(),
        file_name=body["file_name"],
        mime_type=body["mime_type"],
        owner=ctx.principal.owner,
        created_at=ctx.now,
        updated_at=ctx.now,
        embed=body.get("embed") is not False,
        metadata=dict(body.get("metadata") or {}),
        token=token,
        expires_at=ctx.now + SIGNED_URL_SECONDS,
    )
    state.files[item.id] = item
    state.tokens[token] = item.id
    signature = ctx.state.ids.secret(24)
    url = f"{base_url(ctx)}/_uploads/{token}?expires={int(item.expires_at)}&signature={signature}"
    return json_plan(
        200, {"file_id": item.id, "signed_url": url, "expires_at": iso8601(item.expires_at)}
    )


def _storage_error(status: int, code: str, message: str) -> ResponsePlan:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return bytes_plan(status, xml.encode(), "application/xml")


def put_upload(ctx: RouteContext) -> ResponsePlan:
    """``PUT /_uploads/{token}``: the signed-URL upload target (see the module docs)."""
    if ctx.request.header_values("authorization"):
        return _storage_error(
            400,
            "InvalidArgument",
            "Only one auth mechanism allowed: the signed URL; do not send an Authorization header",
        )
    state = _state(ctx)
    file_id = state.tokens.get(ctx.params["token"])
    item = state.files.get(file_id) if file_id is not None else None
    if item is None or item.data is not None:
        return _storage_error(403, "AccessDenied", "Access Denied")
    if ctx.now > item.expires_at:
        return _storage_error(403, "AccessDenied", "Request has expired")
    sent_type = (ctx.request.header("content-type") or "").split(";")[0].strip().lower()
    if sent_type != item.mime_type.split(";")[0].strip().lower():
        return _storage_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided "
            "(Content-Type differs from the one the URL was signed for)",
        )
    item.data = ctx.request.body
    item.uploaded_at = item.updated_at = ctx.now
    if item.embed:
        item.embed_started = ctx.now
    del state.tokens[ctx.params["token"]]
    return empty_plan(200)


def list_files(ctx: RouteContext) -> ResponsePlan:
    problems: List[Dict[str, Any]] = []
    limit = ctx.query_int("limit", 50, ge=1, le=200, problems=problems)
    offset = ctx.query_int("offset", 0, ge=0, problems=problems)
    if problems:
        raise validation_error(problems)
    mine = [f for f in reversed(list(_state(ctx).files.values())) if f.owner == ctx.principal.owner]
    page = mine[offset : offset + limit]
    return json_plan(
        200,
        {
            "files": [_json(ctx, f) for f in page],
            "total": len(mine),
            "limit": limit,
            "offset": offset,
        },
    )


def get_file(ctx: RouteContext) -> ResponsePlan:
    return json_plan(200, _json(ctx, _visible(ctx, ctx.params["file_id"])))


def get_content(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/files/{file_id}/content``: the uploaded bytes."""
    item = _visible(ctx, ctx.params["file_id"])
    if item.data is None:
        raise GatewayError(404, "not_found", "The file has no content yet: upload it first.")
    return chunked_bytes_plan(200, item.data, item.mime_type)


_EMBED_CHECKS = {
    "file_ids": list_of(string(min_length=1), min_length=1, max_length=100),
    "wait": nullable(boolean),
    "metadata": nullable(any_object),
}
_EMBED_REQUEST = RequestSchema(_EMBED_CHECKS, required=("file_ids",))


def embed_files(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    results = []
    error: Optional[str]
    for file_id in body["file_ids"]:
        item = _state(ctx).files.get(file_id)
        if item is None or item.owner != ctx.principal.owner:
            status, error = "failed", "not_found"
        else:
            status = item.embedding_status(ctx.now)
            error = "upload_not_ready" if item.data is None else None
            if error is None and item.embed_started is not None and status != "failed":
                error = "already_embedding"
        if item is None or error is not None:
            results.append({"file_id": file_id, "embedding_status": status, "error": error})
            continue
        item.embed_started = ctx.now
        item.embed_instant = body.get("wait") is True
        item.updated_at = ctx.now
        if body.get("metadata"):
            item.metadata.update(body["metadata"])
        results.append(
            {
                "file_id": file_id,
                "embedding_status": "ready" if item.embed_instant else "queued",
                "chunk_count": len(item.chunks()),
            }
        )
    return json_plan(200, {"results": results})


_SEARCH_CHECKS = {
    "query": string(min_length=1),
    "top_k": nullable(integer(ge=1, le=50)),
    "file_ids": nullable(list_of(string())),
    "filter": nullable(any_object),
    "date_from": nullable(integer()),
    "date_to": nullable(integer()),
}
_SEARCH_REQUEST = RequestSchema(_SEARCH_CHECKS, required=("query",))


def _features(text: str) -> Dict[str, int]:
    """How often each word, and each character trigram of a word, occurs in ``text``."""
    counts: Dict[str, int] = {}
    for word in _WORD.findall(text.lower()):
        padded = f" {word} "
        for feature in ["w:" + word, *("t:" + padded[i : i + 3] for i in range(len(padded) - 2))]:
            counts[feature] = counts.get(feature, 0) + 1
    return counts


def _vectors(query: str, chunks: List[str]) -> Tuple[Dict[str, float], List[Dict[str, float]]]:
    """Unit TF-IDF vectors of ``query`` and ``chunks`` over the chunks' features: sublinear
    term frequency, smoothed inverse document frequency (``ln((1 + n) / (1 + df)) + 1``)."""
    counted = [_features(chunk) for chunk in chunks]
    documents: Dict[str, int] = {}
    for features in counted:
        for feature in features:
            documents[feature] = documents.get(feature, 0) + 1
    total = len(chunks)

    def vector(features: Dict[str, int]) -> Dict[str, float]:
        weights = {
            name: (1 + math.log(count)) * (math.log((1 + total) / (1 + documents.get(name, 0))) + 1)
            for name, count in features.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {name: w / norm for name, w in weights.items()}

    return vector(_features(query)), [vector(features) for features in counted]


def search_files(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    wanted = set(body.get("file_ids") or [])
    where = body.get("filter") or {}
    candidates: List[Tuple[RagFile, int, str, str]] = []
    for item in _state(ctx).files.values():
        if item.owner != ctx.principal.owner or item.embedding_status(ctx.now) != "ready":
            continue
        if wanted and item.id not in wanted:
            continue
        if any(item.metadata.get(k) != v for k, v in where.items()):
            continue
        if body.get("date_from") is not None and item.created_at < body["date_from"]:
            continue
        if body.get("date_to") is not None and item.created_at > body["date_to"]:
            continue
        for index, (chunk, paragraph) in enumerate(item.chunks()):
            candidates.append((item, index, chunk, paragraph))
    query, vectors = _vectors(body["query"], [c[2] for c in candidates])
    hits: List[Dict[str, Any]] = [
        {
            "score": round(
                min(1.0, sum(query.get(name, 0.0) * w for name, w in vector.items())), 6
            ),
            "text": chunk,
            "parent_text": paragraph,
            "file_id": item.id,
            "file_name": item.file_name,
            "file_type": item.file_type(),
            "mime_type": item.mime_type,
            "chunk_index": index,
            "created_at": int(item.created_at),
            "metadata": dict(item.metadata),
        }
        for (item, index, chunk, paragraph), vector in zip(candidates, vectors)
    ]
    hits.sort(key=lambda hit: -hit["score"])  # stable: ties keep the files' order
    return json_plan(200, {"results": hits[: body.get("top_k") or 5]})


ROUTES: List[Route] = [
    Route("POST", "/v1/files", ["dp"], init_upload, request=_INIT_REQUEST),
    Route("GET", "/v1/files", ["dp"], list_files),
    Route("POST", "/v1/files/embed", ["dp"], embed_files, request=_EMBED_REQUEST),
    Route("POST", "/v1/files/search", ["dp"], search_files, request=_SEARCH_REQUEST),
    Route("GET", "/v1/files/{file_id}/content", ["dp"], get_content),
    Route("GET", "/v1/files/{file_id}", ["dp"], get_file),
    Route("PUT", "/_uploads/{token}", [], put_upload, rate_limited=False),
]
