"""``client.images``: generate images (whole or streamed), edit them, fetch the results
(``POST /v1/images/generations``, ``POST /v1/images/edits``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.images import IMAGES_EDIT, IMAGES_GENERATE, IMAGES_STREAM
from meshapi_core.models.images import (
    ImageEditParams,
    ImageGenerationChunk,
    ImageGenerationParams,
    ImageGenerationResponse,
    ImageItem,
)

from ..resource import AsyncResource, several_calls
from ..streams import AsyncByteStream, AsyncStream
from ..transfers import download_image, save_image

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        ImageEditArgs,
        ImageEditParamsDict,
        ImageGenerationArgs,
        ImageGenerationParamsDict,
        RequestOptions,
    )

__all__ = ["AsyncImages"]

GenerationParams = Union[ImageGenerationParams, "ImageGenerationParamsDict"]
EditParams = Union[ImageEditParams, "ImageEditParamsDict"]


class AsyncImages(AsyncResource):
    """Image generation and edits.

    >>> result = await client.images.generate(   # doctest: +SKIP
    ...     prompt="a red fox", model="openai/gpt-image-1")
    >>> await client.images.save(result.data[0], "fox.png")   # doctest: +SKIP
    """

    @overload
    async def generate(
        self, params: GenerationParams, **options: Unpack[RequestOptions]
    ) -> ImageGenerationResponse: ...
    @overload
    async def generate(self, **kwargs: Unpack[ImageGenerationArgs]) -> ImageGenerationResponse: ...
    async def generate(
        self, params: Optional[GenerationParams] = None, **kwargs: Any
    ) -> ImageGenerationResponse:
        """Generate images; ``data`` holds one :class:`~meshapi.types.ImageItem` per image
        (a URL, or ``b64_json`` with ``response_format="b64_json"``).

        >>> result = await client.images.generate(   # doctest: +SKIP
        ...     prompt="a lighthouse at dusk", model="openai/gpt-image-1", size="1024x1024")
        >>> result.data[0].url                        # doctest: +SKIP
        """
        return await self._request(IMAGES_GENERATE, params, kwargs)

    @overload
    def stream(
        self, params: GenerationParams, **options: Unpack[RequestOptions]
    ) -> AsyncStream[ImageGenerationChunk]: ...
    @overload
    def stream(
        self, **kwargs: Unpack[ImageGenerationArgs]
    ) -> AsyncStream[ImageGenerationChunk]: ...
    def stream(
        self, params: Optional[GenerationParams] = None, **kwargs: Any
    ) -> AsyncStream[ImageGenerationChunk]:
        """Generate images over a stream that stays open during a long render: status events
        (``status="processing"``, no images) until the one that carries the images
        (``chunk.has_images``); keep-alive comments are read and skipped. Never retried.

        >>> async for chunk in client.images.stream(prompt="a fox"):   # doctest: +SKIP
        ...     if chunk.has_images:
        ...         image = chunk.data[0]
        """
        return self._stream(IMAGES_STREAM, params, kwargs)

    @overload
    async def edit(
        self, params: EditParams, **options: Unpack[RequestOptions]
    ) -> ImageGenerationResponse: ...
    @overload
    async def edit(self, **kwargs: Unpack[ImageEditArgs]) -> ImageGenerationResponse: ...
    async def edit(
        self, params: Optional[EditParams] = None, **kwargs: Any
    ) -> ImageGenerationResponse:
        """Edit an image (``operation``: ``edit``, ``inpaint``, ``outpaint``, ``mix``,
        ``reframe``, ``upscale``, ``remove_background``).

        ``image``, ``mask`` and ``reference_images`` are references (a data URL, base64, an
        :class:`~meshapi.types.ImageRef`), sent as JSON, or files (a :class:`pathlib.Path`,
        bytes, an open binary file), sent as a multipart form and streamed from disk. A
        ``str`` is always a reference: wrap a file name in ``Path`` to upload the file.

        >>> from pathlib import Path
        >>> await client.images.edit(model="openai/gpt-image-1",   # doctest: +SKIP
        ...                          image=Path("cat.png"), prompt="give it a hat")
        """
        return await self._request(IMAGES_EDIT, params, kwargs)

    def download(
        self, item: Union[ImageItem, str], /, **options: Unpack[RequestOptions]
    ) -> AsyncByteStream:
        """The bytes of an image given by URL, as a byte stream (iterate it, ``read()`` it,
        or ``write_to(path)``). The URL is another host: the request carries none of the
        gateway's headers or credential. An inline image (``b64_json``, ``data:``) needs no
        download: use ``item.image_bytes()``."""
        return download_image(self._engine, item, options)

    @several_calls
    async def save(
        self,
        item: ImageItem,
        path: Union[str, os.PathLike[str]],
        /,
        **options: Unpack[RequestOptions],
    ) -> int:
        """Write an image to ``path``, whatever form it came in (decoded from ``b64_json`` or
        a ``data:`` URL, downloaded from a URL); returns the file's size. A failed download
        leaves no file behind."""
        return await save_image(self._engine, item, path, options)
