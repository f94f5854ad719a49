"""The calls that take more than one request, or go to another host: a file's upload
dance, downloads from hosts other than the gateway. (Waiting for a video task is
:func:`~meshapi._async.polling.wait_for`, shared with batches.)

Each decision is the core's: what the requests to a signed URL may carry
(:mod:`meshapi_core.external`), what a failed step is reported as
(:class:`~meshapi_core.uploads.UploadFailedError`). What is here is the order of the steps,
and the I/O between them. This module is the source of ``meshapi/_sync/transfers.py``.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional, Union

from meshapi_core.config import split_options
from meshapi_core.endpoint import ByteStream as ByteStreamKind
from meshapi_core.endpoints.rag import RAG_EMBED, RAG_INIT_UPLOAD
from meshapi_core.errors import InvalidArgumentError, MeshAPIError, ResponseDecodeError
from meshapi_core.external import external_call, external_request
from meshapi_core.http import Response, StreamedBody
from meshapi_core.models.images import ImageItem
from meshapi_core.models.rag import (
    BulkEmbedRequest,
    BulkEmbedResult,
    InitUploadRequest,
    InitUploadResponse,
    UploadFileResult,
)
from meshapi_core.models.videos import VideoTaskResponse
from meshapi_core.params import bind
from meshapi_core.uploads import UploadFailedError, check_content_type, to_upload

from .._files import PartialFile, file_part
from .engine import AsyncEngine
from .streams import AsyncByteStream

__all__ = [
    "download",
    "download_image",
    "download_video",
    "save_image",
    "upload_file",
]

_DOWNLOAD = ByteStreamKind()


def _options_only(kwargs: Mapping[str, Any], method: str) -> Dict[str, Any]:
    fields, _ = split_options(kwargs)
    if fields:
        raise InvalidArgumentError(
            f"{method} got unexpected keyword(s): {', '.join(sorted(fields))}"
        )
    return dict(kwargs)


def _no_reply(response: Response) -> None:
    """A storage host's answer to a PUT carries nothing the SDK needs."""


async def upload_file(
    engine: AsyncEngine,
    file: Any,
    *,
    file_name: Optional[str],
    mime_type: Optional[str],
    content: Any,
    embed: Optional[bool],
    metadata: Optional[Dict[str, Any]],
    embed_after_upload: bool,
    kwargs: Mapping[str, Any],
) -> UploadFileResult:
    """Register a file, ``PUT`` its bytes to the signed URL, and optionally embed it; see
    :meth:`AsyncRag.upload_file <meshapi._async.resources.rag.AsyncRag.upload_file>`."""
    options = _options_only(kwargs, "upload_file")
    if file is not None and content is not None:
        raise InvalidArgumentError("pass the file or content=, not both", param="content")
    if file is None and content is None:
        raise InvalidArgumentError(
            "upload_file needs the file: a path, bytes or an open binary file (or content=bytes)",
            param="file",
        )
    upload = to_upload(file if file is not None else content, "file", filename=file_name)
    part = file_part(upload, "file")  # checked on disk before anything is sent
    if embed_after_upload and embed:
        raise InvalidArgumentError(
            "embed=True asks the gateway to embed the file itself; embed_after_upload=True "
            "embeds it with a separate call: choose one",
            param="embed_after_upload",
        )
    init_params: Dict[str, Any] = {
        "file_name": part.filename,
        # checked now: it is the Content-Type of the PUT, after the file is registered
        "mime_type": check_content_type(mime_type, "mime_type") if mime_type else part.content_type,
    }
    if embed is not None or embed_after_upload:
        init_params["embed"] = False if embed_after_upload else embed
    if metadata is not None:
        init_params["metadata"] = metadata
    params = bind(InitUploadRequest, init_params, None)
    source = part.source
    body = source if isinstance(source, bytes) else StreamedBody((source,))

    init_call = engine.prepare(RAG_INIT_UPLOAD, params, options)
    try:
        registered: InitUploadResponse = await engine.run(init_call)
        if not registered.signed_url:
            raise ResponseDecodeError(
                "The gateway registered the file but sent no signed_url to upload it to",
                error_code="parse_error",
            )
    except MeshAPIError as error:
        raise UploadFailedError("init", error) from None
    file_id = registered.file_id

    try:
        _, call_options = split_options(options)
        request = external_request(
            engine.config,
            "PUT",
            registered.signed_url,
            body=body,
            content_type=params.mime_type,
            options=call_options,
            param="signed_url",
        )
        put = external_call(
            engine.config, engine.runtime, request, decode=_no_reply, options=call_options
        )
        await engine.run(put)
    except MeshAPIError as error:
        raise UploadFailedError("upload", error, file_id) from None

    embedding: Optional[BulkEmbedResult] = None
    if embed_after_upload:
        embed_call = engine.prepare(RAG_EMBED, BulkEmbedRequest(file_ids=[file_id]), options)
        try:
            result = await engine.run(embed_call)
        except MeshAPIError as error:
            raise UploadFailedError("embed", error, file_id) from None
        embedding = next((r for r in result.results if r.file_id == file_id), None)
        if embedding is None and result.results:
            embedding = result.results[0]
    return UploadFileResult.model_validate(
        {**registered.model_dump(), "size": part.size, "embedding": embedding}
    )


def download(
    engine: AsyncEngine, url: Any, kwargs: Mapping[str, Any], *, param: str = "url"
) -> AsyncByteStream:
    """A byte stream of ``url``, a host other than the gateway: sent without the gateway's
    credential or headers (see :mod:`meshapi_core.external`); opened on first use."""
    _, options = split_options(_options_only(kwargs, "download"))
    request = external_request(engine.config, "GET", url, options=options, stream=True, param=param)
    call = external_call(
        engine.config, engine.runtime, request, decode=_no_reply, options=options, retryable=False
    )
    return AsyncByteStream(engine, _DOWNLOAD, call)


def download_image(
    engine: AsyncEngine, item: Union[ImageItem, str], kwargs: Mapping[str, Any]
) -> AsyncByteStream:
    """The byte stream of an image given by URL (an :class:`ImageItem` or the URL)."""
    if isinstance(item, ImageItem):
        if item.is_inline:
            raise InvalidArgumentError(
                "this image is inline (b64_json or a data: URL): read it with "
                "item.image_bytes(), or write it with images.save(item, path)",
                param="item",
            )
        if not item.url:
            raise InvalidArgumentError("this image item has neither b64_json nor url", param="item")
        return download(engine, item.url, kwargs, param="item.url")
    return download(engine, item, kwargs, param="item")


def download_video(
    engine: AsyncEngine, task: Union[VideoTaskResponse, str], kwargs: Mapping[str, Any]
) -> AsyncByteStream:
    """The byte stream of a finished video task's video (a task, or the video's URL)."""
    if isinstance(task, VideoTaskResponse):
        url = task.video_url
        if not url:
            raise InvalidArgumentError(
                f"video task {task.id} has no video (status {task.status}); wait for it with "
                "videos.wait(task) first",
                param="task",
            )
        return download(engine, url, kwargs, param="task.content.video_url")
    return download(engine, task, kwargs, param="task")


async def save_image(
    engine: AsyncEngine,
    item: ImageItem,
    path: Union[str, os.PathLike[str]],
    kwargs: Mapping[str, Any],
) -> int:
    """Write one generated image to ``path``: decoded from the item when it is inline,
    downloaded (streamed) when it is a URL. Returns the file's size."""
    if not isinstance(item, ImageItem):
        raise InvalidArgumentError(
            f"item must be an ImageItem, not {type(item).__name__}", param="item"
        )
    if not item.is_inline:
        if not item.url:
            raise InvalidArgumentError("this image item has neither b64_json nor url", param="item")
        return await download(engine, item.url, kwargs, param="item.url").write_to(path)
    _options_only(kwargs, "save")
    try:
        data = item.image_bytes()
    except ValueError as exc:
        raise InvalidArgumentError(f"item: {exc}", param="item") from None
    target = PartialFile(path)
    try:
        target.create()
        target.write(data)
        return target.commit()
    finally:
        target.discard()
