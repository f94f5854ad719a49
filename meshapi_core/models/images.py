"""Images: generation and edits (``docs/gateway/api.md`` §5,
``docs/gateway/streaming.md`` §5).

An image reference (``image``, ``mask``, ``reference_images``) is a ``str`` (an http(s) URL,
a ``data:`` URL, or bare base64), an :class:`ImageRef` (``{"url": ...}``), or, for edits, a
file to upload: a :class:`pathlib.Path`, ``bytes``, an open binary file, or a tuple
``(filename, content[, content_type])``. References travel in a JSON body; a file makes the
edit a multipart form. A string that is none of the three reference forms is refused before
anything is sent (a file name given as a ``str`` is the usual mistake: wrap it in
``pathlib.Path`` to upload the file).
"""

from __future__ import annotations

import base64
import re
from typing import Annotated, Any, Dict, List, Literal, Optional, Union

from pydantic import Field, PlainValidator

from ..errors import InvalidArgumentError
from ..uploads import is_upload, to_upload
from .base import RequestModel, ResponseModel

__all__ = [
    "ImageEditParams",
    "ImageGenerationChunk",
    "ImageGenerationParams",
    "ImageGenerationResponse",
    "ImageItem",
    "ImageRef",
    "ImageUsage",
    "check_image_ref",
]

_DATA_URL = re.compile(r"\Adata:[\w.+-]+/[\w.+-]+(?:;[\w.+-]+=[^;,]*)*;base64,", re.ASCII)
_BASE64 = re.compile(r"\A[A-Za-z0-9+/_-]+={0,2}\Z", re.ASCII)
_URL = re.compile(r"\Ahttps?://[^/\s?#]+", re.ASCII | re.IGNORECASE)


def _is_base64(text: str) -> bool:
    compact = "".join(text.split()) if any(c.isspace() for c in text[:200]) else text
    return len(compact) >= 4 and len(compact) % 4 != 1 and bool(_BASE64.match(compact))


def check_image_ref(value: str, param: str = "image") -> str:
    """``value`` if it is an image reference (an http(s) URL, a ``data:`` URL with base64
    content, or bare base64), else an :class:`~meshapi_core.errors.InvalidArgumentError`.

    >>> check_image_ref("data:image/png;base64,iVBORw0KGgo=")[:15]
    'data:image/png;'
    >>> check_image_ref("cat.png")
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: image must be an http(s) URL, a data: URL or \
base64 image data, not 'cat.png'; to upload a file, pass a pathlib.Path, bytes or an open \
binary file
    """
    text = value.strip()
    match = _DATA_URL.match(text)
    if match is not None and _is_base64(text[match.end() :]):
        return value
    if _URL.match(text) or (match is None and not text.startswith("data:") and _is_base64(text)):
        return value
    shown = text if len(text) <= 40 else text[:37] + "..."
    raise InvalidArgumentError(
        f"{param} must be an http(s) URL, a data: URL or base64 image data, not {shown!r}; "
        "to upload a file, pass a pathlib.Path, bytes or an open binary file",
        param=param,
    )


class ImageRef(ResponseModel):
    """An image given by URL: ``{"url": "data:image/png;base64,..."}`` (the edits endpoint
    accepts ``data:`` URLs and base64 only; remote http(s) URLs are refused by the gateway)."""

    url: str
    """A ``data:`` URL or base64 (the edits endpoint refuses remote http(s) URLs)."""


def _reference(value: Any, param: str, uploads: bool) -> Any:
    if isinstance(value, str):
        return check_image_ref(value, param)
    if isinstance(value, ImageRef):
        check_image_ref(value.url, param)
        return value
    if isinstance(value, dict) and set(value) <= {"url", "detail"} and "url" in value:
        ref = ImageRef.model_validate(value)
        check_image_ref(ref.url, param)
        return ref
    if uploads and is_upload(value):
        return to_upload(value, param, str_is_path=False)
    allowed = "a URL, a data: URL, base64 or an ImageRef"
    if uploads:
        allowed += ", or a file (pathlib.Path, bytes, an open binary file)"
    raise InvalidArgumentError(
        f"{param} must be {allowed}, not {type(value).__name__}", param=param
    )


def _one(param: str, uploads: bool) -> Any:
    return PlainValidator(lambda v: _reference(v, param, uploads))


def _many(param: str, uploads: bool) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise InvalidArgumentError(f"{param} must be a list of images", param=param)
        return [_reference(v, param, uploads) for v in value]

    return PlainValidator(check)


# An image reference (JSON only), or one that may also be a file to upload. Typed ``Any`` for
# type checkers: a path, bytes or a file object are all accepted where uploads are.
ImageInput = Annotated[Any, _one("image", True)]
MaskInput = Annotated[Any, _one("mask", True)]
ReferenceInputs = Annotated[Any, _many("reference_images", True)]
GenerationImage = Annotated[Any, PlainValidator(lambda v: _generation_image(v))]


def _generation_image(value: Any) -> Any:
    if isinstance(value, list):
        return [_reference(v, "image", False) for v in value]
    return _reference(value, "image", False)


class ImageGenerationParams(RequestModel):
    """``POST /v1/images/generations``. ``prompt`` is required; everything else has the
    gateway's default (one image, ``size`` and ``quality`` ``auto``, ``response_format``
    ``url``).

    >>> ImageGenerationParams(prompt="a red fox", model="openai/gpt-image-1", n=2).n
    2
    """

    prompt: str
    """What to draw (required)."""
    model: Optional[str] = None
    """The image model, e.g. ``openai/gpt-image-1`` or ``vertex/imagen-3``."""
    n: Optional[int] = Field(default=None, ge=1, le=10)
    """How many images: 1 to 10 (the gateway's default: 1)."""
    size: Optional[str] = None
    """``WxH`` or an aspect ratio, e.g. ``1024x1024`` (the gateway's default: ``auto``)."""
    quality: Optional[str] = None
    """``low``, ``medium`` or ``high`` (GPT image), ``hd`` or ``standard`` (DALL-E); the gateway's
    default: ``auto``."""
    response_format: Optional[Literal["url", "b64_json"]] = None
    """``url`` (the gateway's default) or ``b64_json``; Vertex always answers ``b64_json``."""
    output_format: Optional[Literal["png", "jpeg", "webp"]] = None
    """``png``, ``jpeg`` or ``webp`` (OpenAI only)."""
    output_compression: Optional[int] = Field(default=None, ge=0, le=100)
    """Compression of ``jpeg`` and ``webp`` output: 0 to 100 (OpenAI only)."""
    background: Optional[Literal["transparent", "opaque", "auto"]] = None
    """``transparent``, ``opaque`` or ``auto``."""
    moderation: Optional[Literal["low", "auto"]] = None
    """How strict the provider's content filter is: ``low`` or ``auto``."""
    partial_images: Optional[int] = Field(default=None, ge=0, le=3)
    """How many partial images to stream while rendering: 0 to 3."""
    aspect_ratio: Optional[str] = None
    """The image's aspect ratio, e.g. ``16:9``."""
    resolution: Optional[str] = None
    """The image's resolution, for models that take one."""
    image: Optional[GenerationImage] = None
    """Reference image(s): a data URL or base64 string, or a list of them."""
    seed: Optional[int] = Field(default=None, ge=-1, le=2147483647)
    """A seed, for repeatable images: -1 to 2147483647."""
    sequential_image_generation: Optional[Literal["auto", "disabled"]] = None
    """``auto`` lets the model make a series of related images; ``disabled`` does not."""
    sequential_image_generation_options: Optional[Dict[str, Any]] = None
    """Options of a series of images (``sequential_image_generation``)."""
    guidance_scale: Optional[float] = Field(default=None, ge=1, le=10)
    """How closely the image follows the prompt: 1 to 10."""
    watermark: Optional[bool] = None
    """Whether the image carries a watermark."""
    optimize_prompt_options: Optional[Dict[str, Any]] = None
    """Options for rewriting the prompt before drawing."""
    stream: Optional[bool] = None
    """Set by ``images.stream(...)``; ``images.generate(...)`` refuses ``True``."""


class ImageEditParams(RequestModel):
    """``POST /v1/images/edits``: ``model`` and ``image`` are required, ``prompt`` too for
    the ``edit`` (the default), ``outpaint`` and ``mix`` operations.

    ``image``, ``mask`` and ``reference_images`` take references (URL, data URL, base64,
    :class:`ImageRef`), sent as JSON, or files (a :class:`pathlib.Path`, bytes, an open binary
    file), sent as a multipart form.

    >>> from pathlib import Path
    >>> ImageEditParams(model="openai/gpt-image-1", image=Path("cat.png"), prompt="a hat").image
    Upload(content='cat.png', filename=None, content_type=None)
    """

    model: str
    """The image model (required); it must support the ``operation``."""
    image: ImageInput
    """The image to edit (required): a data URL, base64, an :class:`ImageRef`, or a file."""
    prompt: Optional[str] = None
    """What to change; required for ``edit``, ``outpaint`` and ``mix``."""
    operation: Optional[
        Literal["edit", "inpaint", "outpaint", "mix", "reframe", "upscale", "remove_background"]
    ] = None
    """``edit`` (the gateway's default), ``inpaint``, ``outpaint``, ``mix``, ``reframe``,
    ``upscale`` or ``remove_background``."""
    mask: Optional[MaskInput] = None
    """For ``inpaint`` and ``outpaint``: where to edit (white is the area to change)."""
    reference_images: Optional[ReferenceInputs] = None
    """For ``mix``: 1 to 3 reference images."""
    n: Optional[int] = Field(default=None, ge=1, le=10)
    """How many images: 1 to 10."""
    size: Optional[str] = None
    """``WxH`` or an aspect ratio, as in generation."""
    response_format: Optional[Literal["url", "b64_json"]] = None
    """``url`` or ``b64_json``, as in generation."""
    background: Optional[str] = None
    """``transparent``, ``opaque`` or ``auto``, as in generation."""
    upscale_factor: Optional[str] = None
    """For ``upscale``: ``x2`` or ``x4``."""
    quality_tier: Optional[str] = None
    """The quality tier of the result."""
    aspect_ratio: Optional[str] = None
    """For ``reframe``: ``1:1``, ``3:4``, ``4:3``, ``9:16``, ``16:9``, ``2:3`` or ``3:2``."""
    resolution: Optional[str] = None
    """The resolution of the result."""
    expand_factor: Optional[Union[str, float]] = None
    """For ``outpaint``: how far to extend the image."""
    mask_feather: Optional[int] = None
    """For ``inpaint``: how softly the edit blends in (501 where unavailable)."""


class ImageItem(ResponseModel):
    """One generated image: a ``url`` (possibly a ``data:`` URL), or ``b64_json``.

    >>> ImageItem(b64_json="aGk=").image_bytes()
    b'hi'
    """

    url: Optional[str] = None
    """Where the image is (``gpt-image-1`` may give a ``data:`` URL)."""
    b64_json: Optional[str] = None
    """The image, base64-encoded, with ``response_format="b64_json"``."""
    revised_prompt: Optional[str] = None
    """The prompt as the provider rewrote it, when it did."""

    @property
    def is_inline(self) -> bool:
        """Whether the image's bytes are in the item (``b64_json`` or a ``data:`` URL)."""
        return bool(self.b64_json) or bool(self.url and self.url.startswith("data:"))

    def image_bytes(self) -> bytes:
        """The image's bytes, from ``b64_json`` or a ``data:`` URL.

        Raises ``ValueError`` for a remote URL (download it with
        ``client.images.download(item)``) or an item without an image.
        """
        try:
            if self.b64_json:
                return base64.b64decode(self.b64_json)
            if self.url and self.url.startswith("data:"):
                return base64.b64decode(self.url.split(",", 1)[1])
        except (ValueError, IndexError) as exc:
            raise ValueError(f"the image data is not valid base64 ({exc})") from None
        if self.url:
            raise ValueError(
                "this image is a remote URL; fetch it with client.images.download(item) "
                "(or client.images.save(item, path))"
            )
        raise ValueError("this image item has neither b64_json nor url")


class ImageUsage(ResponseModel):
    """Token usage of an image request (some providers, e.g. Imagen, report none)."""

    prompt_tokens: Optional[int] = None
    """Tokens of the input."""
    completion_tokens: Optional[int] = None
    """Tokens of the output."""
    total_tokens: Optional[int] = None
    """Both together."""
    input_tokens_details: Optional[Dict[str, Any]] = None
    """What the input tokens were, as the provider details them."""
    output_tokens_details: Optional[Dict[str, Any]] = None
    """What the output tokens were, as the provider details them."""


class ImageGenerationResponse(ResponseModel):
    """The reply of ``images.generate`` and ``images.edit``: ``data`` holds the images."""

    created: Optional[int] = None
    """When the images were made (Unix seconds)."""
    data: List[ImageItem] = Field(default_factory=list)
    """The images."""
    background: Optional[str] = None
    """The background used, when the provider says."""
    output_format: Optional[str] = None
    """The image format used, when the provider says."""
    quality: Optional[str] = None
    """The quality used, when the provider says."""
    size: Optional[str] = None
    """The size used, when the provider says."""
    usage: Optional[ImageUsage] = None
    """Token counts (some providers, e.g. Imagen, report none)."""


class ImageGenerationChunk(ResponseModel):
    """One event of ``images.stream``: early ones are status only (``status="processing"``,
    empty ``data``); the one whose ``data`` holds a ``url`` or ``b64_json`` carries the
    images. The final status's name is not documented (``completed`` is inferred).
    Partial-image events of providers that stream them keep their fields in ``model_extra``.
    """

    id: Optional[str] = None
    """The generation's id."""
    object: Optional[str] = "image.chunk"
    """``image.chunk``."""
    created: Optional[int] = None
    """When the event was sent (Unix seconds)."""
    data: List[ImageItem] = Field(default_factory=list)
    """The images: empty while ``status`` is ``processing``."""
    status: Optional[str] = None
    """``processing`` while rendering; then the images arrive (``completed`` is inferred)."""
    model: Optional[str] = None
    """The model drawing the images."""

    @property
    def has_images(self) -> bool:
        """Whether this event carries images (a ``url`` or ``b64_json`` in ``data``)."""
        return any(item.url or item.b64_json for item in self.data)
