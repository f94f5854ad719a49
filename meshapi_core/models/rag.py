"""Files and retrieval (RAG): ``/v1/files`` (``docs/gateway/api.md`` §13).

A file reaches the gateway in three steps: ``POST /v1/files`` registers it and answers a
*signed URL*; the bytes are ``PUT`` to that URL (another host, never with the gateway's
credential); the gateway then embeds it (``embedding_status``: ``pending`` -> ``queued`` ->
``processing`` -> ``ready``, or ``failed``), unless ``embed=False`` asked it to wait for
``POST /v1/files/embed``. ``rag.upload_file(...)`` does the steps in one call. Ready files
are searched with ``rag.search``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from pydantic import Field

from .base import RequestModel, ResponseModel

__all__ = [
    "BulkEmbedRequest",
    "BulkEmbedResponse",
    "BulkEmbedResult",
    "InitUploadRequest",
    "InitUploadResponse",
    "RagFileListParams",
    "RagFileListResponse",
    "RagFileStatus",
    "SearchRequest",
    "SearchResponse",
    "SearchResult",
    "UploadFileResult",
]


class InitUploadRequest(RequestModel):
    """``POST /v1/files``: register a file. ``mime_type`` decides how it is read; ``embed``
    (default true at the gateway) embeds it once its bytes are in.

    >>> InitUploadRequest(file_name="notes.md", mime_type="text/markdown").to_json_dict()
    {'file_name': 'notes.md', 'mime_type': 'text/markdown'}
    """

    file_name: str = Field(min_length=1)
    mime_type: str = Field(min_length=1)
    embed: Optional[bool] = None
    metadata: Optional[Dict[str, Any]] = None


class InitUploadResponse(ResponseModel):
    """Where to send the file's bytes: ``signed_url`` (valid until ``expires_at``, within
    minutes), for the file ``file_id``. The signed URL is a credential of its own: it is left
    out of this model's ``repr``."""

    file_id: str
    signed_url: Optional[str] = Field(default=None, repr=False)
    expires_at: Optional[str] = None


class BulkEmbedResult(ResponseModel):
    """What ``POST /v1/files/embed`` did for one file (``embedding_status`` is ``queued`` on
    success)."""

    file_id: Optional[str] = None
    embedding_status: Optional[str] = None
    chunk_count: Optional[int] = None
    error: Optional[str] = None


class UploadFileResult(InitUploadResponse):
    """What ``rag.upload_file`` did: the registration (``file_id``...), the file's ``size``
    in bytes as sent, and, when it was asked to embed the file after the upload, the result
    of that step (``embedding``)."""

    size: Optional[int] = None
    embedding: Optional[BulkEmbedResult] = None


class RagFileStatus(ResponseModel):
    """A file and how far it has got (``upload_status``, ``embedding_status``)."""

    file_id: str
    upload_status: Optional[str] = None
    file_name: Optional[str] = None
    file_type: Optional[str] = None
    mime_type: Optional[str] = None
    size_bytes: Optional[int] = None
    asset_url: Optional[str] = None
    signed_url: Optional[str] = Field(default=None, repr=False)
    signed_url_expires_at: Optional[str] = None
    embedding_status: Optional[str] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None
    total_tokens: Optional[int] = None
    total_cost_usd: Optional[float] = None
    last_error_code: Optional[str] = None


class RagFileListParams(RequestModel):
    """Query of ``GET /v1/files``: ``limit`` 1-200 (gateway default 50) from ``offset``."""

    limit: Optional[int] = Field(default=None, ge=1, le=200)
    offset: Optional[int] = Field(default=None, ge=0)


class RagFileListResponse(ResponseModel):
    """A page of files."""

    files: List[RagFileStatus] = Field(default_factory=list)
    total: Optional[int] = None
    limit: Optional[int] = None
    offset: Optional[int] = None

    def page_items(self) -> List[RagFileStatus]:
        """The files of this page."""
        return self.files


class BulkEmbedRequest(RequestModel):
    """``POST /v1/files/embed``: embed up to 100 uploaded files whose embedding is
    ``pending`` or ``failed``."""

    file_ids: List[str] = Field(min_length=1, max_length=100)
    wait: Optional[bool] = None
    metadata: Optional[Dict[str, Any]] = None


class BulkEmbedResponse(ResponseModel):
    """One result per file asked for."""

    results: List[BulkEmbedResult] = Field(default_factory=list)


class SearchRequest(RequestModel):
    """``POST /v1/files/search``: the ``top_k`` (1-50, default 5) chunks nearest ``query``,
    optionally among ``file_ids``, matching ``filter`` (exact metadata values), created
    between ``date_from`` and ``date_to`` (Unix seconds)."""

    query: str = Field(min_length=1)
    top_k: Optional[int] = Field(default=None, ge=1, le=50)
    file_ids: Optional[List[str]] = None
    filter: Optional[Dict[str, Any]] = None
    date_from: Optional[int] = None
    date_to: Optional[int] = None


class SearchResult(ResponseModel):
    """One matching chunk: its ``text``, the ``parent_text`` around it, its ``score``, and
    the file it came from."""

    score: Optional[float] = None
    text: Optional[str] = None
    parent_text: Optional[str] = None
    file_id: Optional[str] = None
    file_name: Optional[str] = None
    file_type: Optional[str] = None
    mime_type: Optional[str] = None
    chunk_index: Optional[int] = None
    created_at: Optional[int] = None
    metadata: Dict[str, Any] = Field(default_factory=dict)


class SearchResponse(ResponseModel):
    """The matches, best first."""

    results: List[SearchResult] = Field(default_factory=list)
