"""``client.rag``: files for retrieval (``/v1/files``): upload in one call, list, read,
embed, search, and the legacy content download."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Union, overload

from meshapi_core.endpoints.rag import (
    RAG_CONTENT,
    RAG_EMBED,
    RAG_GET,
    RAG_INIT_UPLOAD,
    RAG_LIST,
    RAG_SEARCH,
)
from meshapi_core.models.rag import (
    BulkEmbedRequest,
    BulkEmbedResponse,
    InitUploadRequest,
    InitUploadResponse,
    RagFileListParams,
    RagFileStatus,
    SearchRequest,
    SearchResponse,
    UploadFileResult,
)

from ..pages import AsyncPaginator
from ..resource import AsyncResource, several_calls
from ..streams import AsyncByteStream
from ..transfers import upload_file

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        BulkEmbedRequestArgs,
        BulkEmbedRequestDict,
        InitUploadRequestArgs,
        InitUploadRequestDict,
        RagFileListArgs,
        RagFileListParamsDict,
        RequestOptions,
        SearchRequestArgs,
        SearchRequestDict,
    )
    from meshapi_core.uploads import FileInput

__all__ = ["AsyncRag"]


class AsyncRag(AsyncResource):
    """Files for retrieval-augmented generation.

    >>> uploaded = await client.rag.upload_file("handbook.pdf")      # doctest: +SKIP
    >>> hits = await client.rag.search(query="parental leave", top_k=3)   # doctest: +SKIP
    """

    @overload
    async def init_upload(
        self,
        params: Union[InitUploadRequest, InitUploadRequestDict],
        **options: Unpack[RequestOptions],
    ) -> InitUploadResponse: ...
    @overload
    async def init_upload(self, **kwargs: Unpack[InitUploadRequestArgs]) -> InitUploadResponse: ...
    async def init_upload(
        self,
        params: Optional[Union[InitUploadRequest, InitUploadRequestDict]] = None,
        **kwargs: Any,
    ) -> InitUploadResponse:
        """Register a file: the answer's ``signed_url`` is where its bytes go (a ``PUT``,
        without the gateway's credential). :meth:`upload_file` does the whole dance."""
        return await self._request(RAG_INIT_UPLOAD, params, kwargs)

    @several_calls
    async def upload_file(
        self,
        file: Optional[FileInput] = None,
        /,
        *,
        file_name: Optional[str] = None,
        mime_type: Optional[str] = None,
        content: Optional[bytes] = None,
        embed: Optional[bool] = None,
        metadata: Optional[Dict[str, Any]] = None,
        embed_after_upload: bool = False,
        **options: Unpack[RequestOptions],
    ) -> UploadFileResult:
        """Upload a file in one call: register it (``POST /v1/files``), ``PUT`` its bytes to
        the signed URL, and, with ``embed_after_upload=True``, ask for its embedding
        (``POST /v1/files/embed``; the file is then registered with ``embed=False``).

        ``file`` is a path, bytes or an open binary file (``content=`` takes bytes, as the
        vendor SDK's did); ``file_name`` and ``mime_type`` default to what the file says.
        The file is checked before anything is sent and streamed from disk, never read
        whole. The ``PUT`` goes through this client's transport with its timeouts and retry
        policy, but carries no ``Authorization`` header or any other header of the
        gateway's: the signed URL is another host. It is retried only when the bytes can be
        sent again (a path, bytes or a seekable file; not a pipe).

        A failure after the first request raises :class:`~meshapi.UploadFailedError`, whose
        ``step`` (``"init"``, ``"upload"``, ``"embed"``) says where, ``error`` what, and
        ``file_id`` which file (once registered).
        """
        return await upload_file(
            self._engine,
            file,
            file_name=file_name,
            mime_type=mime_type,
            content=content,
            embed=embed,
            metadata=metadata,
            embed_after_upload=embed_after_upload,
            kwargs=options,
        )

    @overload
    def list(
        self,
        params: Union[RagFileListParams, RagFileListParamsDict, None] = None,
        /,
        **kwargs: Unpack[RagFileListArgs],
    ) -> AsyncPaginator[RagFileStatus]: ...
    @overload
    def list(
        self,
        limit: Optional[int],
        offset: Optional[int] = None,
        /,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[RagFileStatus]: ...
    def list(
        self, params: Any = None, offset: Optional[int] = None, /, **kwargs: Any
    ) -> AsyncPaginator[RagFileStatus]:
        """Files, page by page (``limit`` up to 200, from ``offset``): ``list(limit=50)``,
        or positionally ``list(50, 0)`` as in meshapi 0.1.11. Each page also has the
        gateway's ``files``, ``total``, ``limit`` and ``offset``."""
        if isinstance(params, int) or offset is not None:  # list(limit, offset)
            params, kwargs = None, {"limit": params, "offset": offset, **kwargs}
        return self._list(RAG_LIST, params, kwargs)

    async def get(self, file_id: str, **options: Unpack[RequestOptions]) -> RagFileStatus:
        """A file and its status (``upload_status``, ``embedding_status``)."""
        return await self._request(RAG_GET, kwargs=options, path={"file_id": file_id})

    @overload
    async def embed(
        self,
        params: Union[BulkEmbedRequest, BulkEmbedRequestDict],
        **options: Unpack[RequestOptions],
    ) -> BulkEmbedResponse: ...
    @overload
    async def embed(self, **kwargs: Unpack[BulkEmbedRequestArgs]) -> BulkEmbedResponse: ...
    async def embed(
        self, params: Optional[Union[BulkEmbedRequest, BulkEmbedRequestDict]] = None, **kwargs: Any
    ) -> BulkEmbedResponse:
        """Embed up to 100 uploaded files whose embedding is ``pending`` or ``failed``."""
        return await self._request(RAG_EMBED, params, kwargs)

    @overload
    async def search(
        self, params: Union[SearchRequest, SearchRequestDict], **options: Unpack[RequestOptions]
    ) -> SearchResponse: ...
    @overload
    async def search(self, **kwargs: Unpack[SearchRequestArgs]) -> SearchResponse: ...
    async def search(
        self, params: Optional[Union[SearchRequest, SearchRequestDict]] = None, **kwargs: Any
    ) -> SearchResponse:
        """The chunks of your embedded files nearest ``query``, best first."""
        return await self._request(RAG_SEARCH, params, kwargs)

    def content(self, file_id: str, /, **options: Unpack[RequestOptions]) -> AsyncByteStream:
        """A file's content (the legacy ``GET /v1/files/{file_id}/content``, used for batch
        output), as a byte stream: iterate it, ``read()`` it, or ``write_to(path)``."""
        return self._byte_stream(RAG_CONTENT, kwargs=options, path={"file_id": file_id})
