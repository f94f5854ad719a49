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
    """The file's name (required)."""
    mime_type: str = Field(min_length=1)
    """The file's MIME type (required); it decides how the file is read."""
    embed: Optional[bool] = None
    """Embed the file once its bytes are in (the gateway's default: true)."""
    metadata: Optional[Dict[str, Any]] = None
    """Your own data about the file; search filters match it exactly."""


class InitUploadResponse(ResponseModel):
    """Where to send the file's bytes: ``signed_url`` (valid until ``expires_at``, within
    minutes), for the file ``file_id``. The signed URL is a credential of its own: it is left
    out of this model's ``repr``."""

    file_id: str
    """The file's id."""
    signed_url: Optional[str] = Field(default=None, repr=False)
    """Where to ``PUT`` the bytes, without the gateway's credential (a credential itself: not in the
    repr)."""
    expires_at: Optional[str] = None
    """When the signed URL expires (within minutes)."""


class BulkEmbedResult(ResponseModel):
    """What ``POST /v1/files/embed`` did for one file (``embedding_status`` is ``queued`` on
    success)."""

    file_id: Optional[str] = None
    """The file."""
    embedding_status: Optional[str] = None
    """``queued`` when the embedding was started."""
    chunk_count: Optional[int] = None
    """How many chunks the file was cut into."""
    error: Optional[str] = None
    """Why the file could not be embedded."""


class UploadFileResult(InitUploadResponse):
    """What ``rag.upload_file`` did: the registration (``file_id``...), the file's ``size``
    in bytes as sent, and, when it was asked to embed the file after the upload, the result
    of that step (``embedding``)."""

    size: Optional[int] = None
    """The file's size in bytes, as sent."""
    embedding: Optional[BulkEmbedResult] = None
    """The result of embedding the file after the upload, when that was asked for."""


class RagFileStatus(ResponseModel):
    """A file and how far it has got (``upload_status``, ``embedding_status``)."""

    file_id: str
    """The file's id."""
    upload_status: Optional[str] = None
    """``ready`` once the bytes are in (examples also show ``completed``)."""
    file_name: Optional[str] = None
    """The file's name."""
    file_type: Optional[str] = None
    """The kind of file, as the gateway detected it."""
    mime_type: Optional[str] = None
    """The file's MIME type."""
    size_bytes: Optional[int] = None
    """The file's size in bytes."""
    asset_url: Optional[str] = None
    """Where the stored file is."""
    signed_url: Optional[str] = Field(default=None, repr=False)
    """A signed URL of the file (a credential itself: not in the repr)."""
    signed_url_expires_at: Optional[str] = None
    """When the signed URL expires."""
    embedding_status: Optional[str] = None
    """``pending``, ``queued``, ``processing``, ``ready`` or ``failed``."""
    created_at: Optional[str] = None
    """When the file was registered, as the gateway sends it."""
    updated_at: Optional[str] = None
    """When it last changed, as the gateway sends it."""
    total_tokens: Optional[int] = None
    """Tokens embedded."""
    total_cost_usd: Optional[float] = None
    """What embedding it cost, in USD."""
    last_error_code: Optional[str] = None
    """The error code of the last failure, e.g. of the embedding."""


class RagFileListParams(RequestModel):
    """Query of ``GET /v1/files``: ``limit`` 1-200 (gateway default 50) from ``offset``."""

    limit: Optional[int] = Field(default=None, ge=1, le=200)
    """The most files on one page: 1 to 200 (the gateway's default: 50)."""
    offset: Optional[int] = Field(default=None, ge=0)
    """How many files to skip (0 or more)."""


class RagFileListResponse(ResponseModel):
    """A page of files."""

    files: List[RagFileStatus] = Field(default_factory=list)
    """The files of this page."""
    total: Optional[int] = None
    """How many files there are, over every page."""
    limit: Optional[int] = None
    """The most files a page holds, as the gateway applied it."""
    offset: Optional[int] = None
    """How many files come before this page."""

    def page_items(self) -> List[RagFileStatus]:
        """The files of this page."""
        return self.files


class BulkEmbedRequest(RequestModel):
    """``POST /v1/files/embed``: embed up to 100 uploaded files whose embedding is
    ``pending`` or ``failed``."""

    file_ids: List[str] = Field(min_length=1, max_length=100)
    """The files to embed: 1 to 100, uploaded, with an embedding ``pending`` or ``failed``."""
    wait: Optional[bool] = None
    """Wait for the embeddings before answering (the gateway's default: false)."""
    metadata: Optional[Dict[str, Any]] = None
    """Your own data about the files."""


class BulkEmbedResponse(ResponseModel):
    """One result per file asked for."""

    results: List[BulkEmbedResult] = Field(default_factory=list)
    """One result per file."""


class SearchRequest(RequestModel):
    """``POST /v1/files/search``: the ``top_k`` (1-50, default 5) chunks nearest ``query``,
    optionally among ``file_ids``, matching ``filter`` (exact metadata values), created
    between ``date_from`` and ``date_to`` (Unix seconds)."""

    query: str = Field(min_length=1)
    """What to look for (required)."""
    top_k: Optional[int] = Field(default=None, ge=1, le=50)
    """How many chunks: 1 to 50 (the gateway's default: 5)."""
    file_ids: Optional[List[str]] = None
    """Only search these files."""
    filter: Optional[Dict[str, Any]] = None
    """Only files whose metadata has exactly these values."""
    date_from: Optional[int] = None
    """Only files created at or after this time (Unix seconds)."""
    date_to: Optional[int] = None
    """Only files created at or before this time (Unix seconds)."""


class SearchResult(ResponseModel):
    """One matching chunk: its ``text``, the ``parent_text`` around it, its ``score``, and
    the file it came from."""

    score: Optional[float] = None
    """How well the chunk matches."""
    text: Optional[str] = None
    """The matching chunk."""
    parent_text: Optional[str] = None
    """The text around the chunk."""
    file_id: Optional[str] = None
    """The file it came from."""
    file_name: Optional[str] = None
    """That file's name."""
    file_type: Optional[str] = None
    """That file's kind."""
    mime_type: Optional[str] = None
    """That file's MIME type."""
    chunk_index: Optional[int] = None
    """The chunk's position in the file."""
    created_at: Optional[int] = None
    """When the file was created (Unix seconds)."""
    metadata: Dict[str, Any] = Field(default_factory=dict)
    """The file's metadata."""


class SearchResponse(ResponseModel):
    """The matches, best first."""

    results: List[SearchResult] = Field(default_factory=list)
    """The matching chunks, best first."""
