"""MeshAPI: one client for 300+ models behind the MeshAPI gateway.

Quick start::

    from meshapi import MeshAPI, ChatCompletionParams, ChatMessage

    client = MeshAPI(base_url="https://api.meshapi.ai", token="rsk_...")
    resp = client.chat.completions.create(
        ChatCompletionParams(model="openai/gpt-4o-mini",
                             messages=[ChatMessage(role="user", content="What is 2+2?")]))
    print(resp.choices[0].message.content)

Everything raised is a :class:`MeshAPIError`; its subclasses name the family (rate limit,
authentication, connection, stream interrupted, ...). The protocol itself lives in
``meshapi_core`` (no I/O); the transports in ``meshapi_httpx`` and ``meshapi_aiohttp``.
"""

from meshapi_core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    MeshAPIError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    StreamInterruptedError,
    StreamTimeoutError,
    ValidationError,
)
from meshapi_core.http import Timeout
from meshapi_core.models.catalog import ModelInfo, ModelPricing, ModelSearchPage, ModelSearchParams
from meshapi_core.models.chat import (
    AudioOutputOptions,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionParams,
    ChatMessage,
    Choice,
    ChoiceDelta,
    ChunkChoice,
    FunctionCall,
    FunctionDefinition,
    ImageOptions,
    ImageURL,
    ImageURLPart,
    InputAudio,
    InputAudioPart,
    JSONSchemaFormat,
    ResponseFormatJSONObject,
    ResponseFormatJSONSchema,
    ResponseFormatText,
    ResponseMessage,
    TextPart,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolChoiceFunction,
    ToolChoiceFunctionName,
    Usage,
    VideoURL,
    VideoURLPart,
)
from meshapi_core.retry import RetryPolicy
from meshapi_core.version import __version__

from ._client import AsyncMeshAPI, MeshAPI
from ._streams import AsyncStream, Stream

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncMeshAPI",
    "AsyncStream",
    "AudioOutputOptions",
    "AuthenticationError",
    "BadRequestError",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionParams",
    "ChatMessage",
    "Choice",
    "ChoiceDelta",
    "ChunkChoice",
    "FunctionCall",
    "FunctionDefinition",
    "ImageOptions",
    "ImageURL",
    "ImageURLPart",
    "InputAudio",
    "InputAudioPart",
    "JSONSchemaFormat",
    "MeshAPI",
    "MeshAPIError",
    "ModelInfo",
    "ModelPricing",
    "ModelSearchPage",
    "ModelSearchParams",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseFormatJSONObject",
    "ResponseFormatJSONSchema",
    "ResponseFormatText",
    "ResponseMessage",
    "RetryPolicy",
    "ServerError",
    "Stream",
    "StreamInterruptedError",
    "StreamTimeoutError",
    "TextPart",
    "Timeout",
    "Tool",
    "ToolCall",
    "ToolCallDelta",
    "ToolChoiceFunction",
    "ToolChoiceFunctionName",
    "Usage",
    "ValidationError",
    "VideoURL",
    "VideoURLPart",
    "__version__",
]
