"""Files and RAG (``docs/gateway/api.md`` §13): register, list, read, embed, search, and the
legacy content download. The ``PUT`` of a file's bytes goes to a signed URL on another host
and is built by :mod:`meshapi_core.external`, not declared here."""

from __future__ import annotations

from ..endpoint import DATA, JSON, ByteStream, Endpoint, OffsetPaging
from ..models.rag import (
    BulkEmbedRequest,
    BulkEmbedResponse,
    InitUploadRequest,
    InitUploadResponse,
    RagFileListParams,
    RagFileListResponse,
    RagFileStatus,
    SearchRequest,
    SearchResponse,
)

__all__ = ["RAG_CONTENT", "RAG_EMBED", "RAG_GET", "RAG_INIT_UPLOAD", "RAG_LIST", "RAG_SEARCH"]

RAG_INIT_UPLOAD: Endpoint[InitUploadRequest, InitUploadResponse] = Endpoint(
    "POST", "/v1/files", DATA, JSON(InitUploadResponse), InitUploadRequest
)
"""``POST /v1/files``, called by ``rag.init_upload`` (and ``rag.upload_file``)."""
RAG_LIST: Endpoint[RagFileListParams, RagFileListResponse] = Endpoint(
    "GET",
    "/v1/files",
    DATA,
    JSON(RagFileListResponse),
    RagFileListParams,
    paging=OffsetPaging(),
)
"""``GET /v1/files`` (offset pages), called by ``rag.list``."""
RAG_GET: Endpoint[None, RagFileStatus] = Endpoint(
    "GET", "/v1/files/{file_id}", DATA, JSON(RagFileStatus)
)
"""``GET /v1/files/{file_id}``, called by ``rag.get``."""
RAG_EMBED: Endpoint[BulkEmbedRequest, BulkEmbedResponse] = Endpoint(
    "POST", "/v1/files/embed", DATA, JSON(BulkEmbedResponse), BulkEmbedRequest
)
"""``POST /v1/files/embed``, called by ``rag.embed``."""
RAG_SEARCH: Endpoint[SearchRequest, SearchResponse] = Endpoint(
    "POST", "/v1/files/search", DATA, JSON(SearchResponse), SearchRequest
)
"""``POST /v1/files/search``, called by ``rag.search``."""
RAG_CONTENT: Endpoint[None, bytes] = Endpoint(
    "GET", "/v1/files/{file_id}/content", DATA, stream=ByteStream()
)
"""The legacy batch-output download (JSONL), read as a byte stream."""
