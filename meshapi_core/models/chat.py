"""Chat completions: the request (``POST /v1/chat/completions``), its reply and its chunks.

Shapes follow ``docs/gateway/api.md`` §1 and ``docs/gateway/streaming.md`` §2. Requests are
strict (see :class:`~meshapi_core.models.base.RequestModel`); replies and chunks are lenient.
A message and its content parts keep extra keys in both directions, because providers attach
markers to them (``cache_control``, ``thought_signature``) that must travel untouched.

A reply's message goes back into the conversation as it is: ``messages.append(
resp.choices[0].message)`` (or ``stream.final()``'s) is a request message with everything the
reply carried (tool calls and their ``thought_signature``, ``reasoning_details``, unknown
fields), so a tool loop needs no conversion.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Dict, List, Literal, Mapping, Optional, Tuple, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    field_validator,
    model_validator,
)

from ..errors import InvalidArgumentError
from .base import RequestModel, ResponseModel, _Model, _new_list

__all__ = [
    "AudioOutputOptions",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionChunkDelta",
    "ChatCompletionMessage",
    "ChatCompletionMessageParam",
    "ChatCompletionParams",
    "ChatCompletionResponse",
    "ChatCompletionStreamOptions",
    "ChatCompletionToolParam",
    "ChatMessage",
    "ChatRole",
    "Choice",
    "ChoiceDelta",
    "ChunkChoice",
    "CompletionTokensDetails",
    "ContentPart",
    "ContentPartAudio",
    "ContentPartImage",
    "ContentPartText",
    "ContentPartVideo",
    "FunctionCall",
    "FunctionCallDelta",
    "FunctionDefinition",
    "ImageDetail",
    "ImageOptions",
    "ImageURL",
    "ImageURLPart",
    "InputAudio",
    "InputAudioPart",
    "JSONSchemaFormat",
    "PromptTokensDetails",
    "ResponseFormat",
    "ResponseFormatJSONObject",
    "ResponseFormatJSONSchema",
    "ResponseFormatText",
    "ResponseMessage",
    "TextPart",
    "Tool",
    "ToolCall",
    "ToolCallChunk",
    "ToolCallDelta",
    "ToolCallFunction",
    "ToolCallFunctionChunk",
    "ToolChoice",
    "ToolChoiceFunction",
    "ToolChoiceFunctionName",
    "ToolChoiceObject",
    "ToolFunction",
    "Usage",
    "UsageInfo",
    "VideoURL",
    "VideoURLPart",
    "VideoUrl",
]


class _Passthrough(_Model):
    """Checked where it is known, passed through where it is not (provider markers)."""

    model_config = ConfigDict(extra="allow", defer_build=True, populate_by_name=True)


class _Tagged(_Passthrough):
    """A :class:`_Passthrough` told apart by its ``type`` tag, which is always sent, even
    when left at its default."""

    def model_post_init(self, context: Any, /) -> None:
        """Count ``type`` as set, so it is sent even when left at its default."""
        self.__pydantic_fields_set__.add("type")


# --- content parts ---------------------------------------------------------------------------


class TextPart(_Tagged):
    """A piece of text in a message: ``{"type": "text", "text": ...}``."""

    type: Literal["text"] = "text"
    """Always ``text``."""
    text: str
    """The text."""


class ImageURL(_Passthrough):
    """Where an image is: an ``https://`` URL or a ``data:image/...;base64,`` URL."""

    url: str
    """An ``https://`` URL or a ``data:image/...;base64,`` URL (some providers need base64)."""
    detail: Optional[Literal["auto", "low", "high"]] = None
    """How closely the model looks: ``auto``, ``low`` or ``high``."""


class ImageURLPart(_Tagged):
    """An image in a message.

    >>> ImageURLPart(image_url=ImageURL(url="https://example.com/cat.png")).type
    'image_url'
    """

    type: Literal["image_url"] = "image_url"
    """Always ``image_url``."""
    image_url: ImageURL
    """Where the image is."""


AudioFormat = Literal["wav", "mp3", "aiff", "aac", "ogg", "flac", "m4a", "pcm16", "pcm24"]


class InputAudio(_Passthrough):
    """Audio given inline (base64 ``data``) or by reference (``uri`` or ``url``)."""

    format: AudioFormat
    """The audio's format: ``wav``, ``mp3``, ``aiff``, ``aac``, ``ogg``, ``flac``, ``m4a``,
    ``pcm16`` or ``pcm24``."""
    data: Optional[str] = None
    """The audio itself, base64-encoded."""
    uri: Optional[str] = None
    """Where the audio is, instead of ``data``."""
    url: Optional[str] = None
    """The audio's URL, instead of ``data``."""


class InputAudioPart(_Tagged):
    """Audio in a message: ``{"type": "input_audio", "input_audio": {...}}``."""

    type: Literal["input_audio"] = "input_audio"
    """Always ``input_audio``."""
    input_audio: InputAudio
    """The audio, inline or by reference."""


class VideoURL(_Passthrough):
    """Where a video is."""

    url: str
    """The video's URL."""


class VideoURLPart(_Tagged):
    """A video in a message, optionally sampled at ``fps`` frames per second."""

    type: Literal["video_url"] = "video_url"
    """Always ``video_url``."""
    video_url: VideoURL
    """Where the video is."""
    fps: Optional[float] = None
    """How many frames per second the model samples."""


ContentPart = Annotated[
    Union[TextPart, ImageURLPart, InputAudioPart, VideoURLPart], Field(discriminator="type")
]
"""One part of a multi-part message, told apart by its ``type``."""


# --- tools -----------------------------------------------------------------------------------


class FunctionDefinition(_Passthrough):
    """A function the model may call; ``parameters`` is a JSON Schema object."""

    name: str
    """The name the model calls the function by."""
    description: Optional[str] = None
    """What the function does, for the model to decide when to call it."""
    parameters: Optional[Dict[str, Any]] = None
    """The function's arguments, as a JSON Schema object."""
    strict: Optional[bool] = None
    """Whether the arguments must follow ``parameters`` exactly."""


class Tool(_Tagged):
    """A tool offered to the model.

    >>> Tool(function=FunctionDefinition(name="get_weather")).type
    'function'
    """

    type: Literal["function"] = "function"
    """Always ``function``."""
    function: FunctionDefinition
    """The function offered."""


class ToolChoiceFunction(_Passthrough):
    """The name of the one function the model must call (inside :class:`ToolChoiceObject`)."""

    name: str
    """The function's name."""


class ToolChoiceObject(_Tagged):
    """Force a call to one named function: ``{"type": "function", "function": {"name"}}``.

    >>> ToolChoiceObject(function=ToolChoiceFunction(name="get_weather")).type
    'function'
    """

    type: Literal["function"] = "function"
    """Always ``function``."""
    function: ToolChoiceFunction
    """The function the model must call."""


ToolChoiceFunctionName = ToolChoiceFunction
"""An older name of :class:`ToolChoiceFunction`."""

ToolChoice = Union[Literal["auto", "none", "required"], ToolChoiceObject]
"""Whether and which tool the model must call."""


class FunctionCall(_Passthrough):
    """The function a model called, with its ``arguments`` as a JSON **string**."""

    name: str
    """The function called."""
    arguments: str = ""
    """Its arguments, a JSON **string** (parse it with ``json.loads``)."""


class ToolCall(_Tagged):
    """A tool call made by the model (or echoed back in an assistant message).

    Gemini thinking models attach ``thought_signature``; echo it back verbatim.
    """

    id: str
    """The call's id: a ``tool`` message answers it with the same ``tool_call_id``."""
    type: Literal["function"] = "function"
    """Always ``function``."""
    function: FunctionCall
    """The function called, with its arguments."""
    thought_signature: Optional[str] = None
    """Gemini thinking models' signature of the call; send it back verbatim."""


# --- response formats --------------------------------------------------------------------------


class ResponseFormatText(_Tagged):
    """Plain text output (the default)."""

    type: Literal["text"] = "text"
    """Always ``text``."""


class ResponseFormatJSONObject(_Tagged):
    """Any valid JSON object as output."""

    type: Literal["json_object"] = "json_object"
    """Always ``json_object``."""


class JSONSchemaFormat(_Passthrough):
    """A named JSON Schema the output must follow."""

    name: str
    """The schema's name."""
    schema_: Optional[Dict[str, Any]] = Field(default=None, alias="schema")
    """The JSON Schema the output must follow (sent as ``schema``)."""
    description: Optional[str] = None
    """What the output is, for the model."""
    strict: Optional[bool] = None
    """Whether the output must follow the schema exactly."""


class ResponseFormatJSONSchema(_Tagged):
    """Output that follows a JSON Schema."""

    type: Literal["json_schema"] = "json_schema"
    """Always ``json_schema``."""
    json_schema: JSONSchemaFormat
    """The schema, with its name."""


ResponseFormat = Annotated[
    Union[ResponseFormatText, ResponseFormatJSONObject, ResponseFormatJSONSchema],
    Field(discriminator="type"),
]
"""How the model must shape its output."""


# --- the request -------------------------------------------------------------------------------

Role = Literal["system", "developer", "user", "assistant", "tool"]
"""Who speaks in a message."""


_REPLY_ONLY = ("parsed",)
"""Fields a reply's message has that a request's must not send back (``.parse()``'s)."""


def reply_as_request(message: Any) -> Any:
    """A reply's message (any reply model: ``ResponseMessage``, ``.parse()``'s message) as
    the fields of a request message: every field it was given, unknown ones included, by
    their wire names; the parsed values of ``.parse()`` left out. Anything else is returned
    as it is.

    >>> reply = ResponseMessage.model_validate({"role": "assistant", "content": None,
    ...     "tool_calls": [{"id": "c1", "type": "function", "thought_signature": "sig",
    ...                     "function": {"name": "f", "arguments": "{}"}}]})
    >>> ChatMessage.model_validate(reply).tool_calls[0].thought_signature
    'sig'
    """
    if not isinstance(message, ResponseModel):
        return message
    data: Dict[str, Any] = message.model_dump(by_alias=True, exclude_unset=True)
    data.setdefault("role", getattr(message, "role", None) or "assistant")
    for name in _REPLY_ONLY:
        data.pop(name, None)
    for call in data.get("tool_calls") or ():
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict):
            function.pop("parsed_arguments", None)
    return data


class ChatMessage(_Passthrough):
    """One turn of a conversation; a reply's message is one too, as it is.

    >>> ChatMessage(role="user", content="What is 2+2?").content
    'What is 2+2?'
    """

    __reply_forms__: ClassVar[Tuple[type, ...]] = ()
    """The reply models accepted in place of this one (typed as such in the typed dicts)."""

    @model_validator(mode="before")
    @classmethod
    def _from_reply(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else reply_as_request(value)

    role: Role
    """Who speaks: ``system``, ``developer``, ``user``, ``assistant`` or ``tool``."""
    content: Union[str, List[ContentPart], None] = None
    """The text, or a list of parts (text, image, audio, video); ``None`` for an assistant message
    with only tool calls."""
    name: Optional[str] = None
    """The speaker's name, to tell participants of one role apart."""
    tool_call_id: Optional[str] = None
    """In a ``tool`` message: the id of the call it answers."""
    tool_calls: Optional[List[ToolCall]] = None
    """In an ``assistant`` message: the tool calls the model made."""
    reasoning_details: Optional[List[Dict[str, Any]]] = None
    """The model's reasoning, as a reply gave it; echo it back for Gemini thinking models."""


class ImageOptions(_Passthrough):
    """Image options when ``modality="image"``."""

    n: Optional[int] = Field(default=None, ge=1, le=10)
    """How many images: 1 to 10."""
    size: Optional[str] = None
    """The image size, e.g. ``1024x1024``."""
    quality: Optional[str] = None
    """The image quality, e.g. ``high``."""
    response_format: Optional[Literal["url", "b64_json"]] = None
    """``url`` or ``b64_json``."""


class AudioOutputOptions(_Passthrough):
    """Spoken output options, with ``modalities=["text", "audio"]``."""

    voice: Optional[str] = None
    """The voice (the gateway's default: ``alloy``)."""
    format: Optional[Literal["wav", "mp3", "flac", "opus", "pcm16"]] = None
    """The audio format: ``wav``, ``mp3``, ``flac``, ``opus`` or ``pcm16``."""


class ChatCompletionStreamOptions(_Passthrough):
    """Options of a streamed completion (OpenAI's ``stream_options``).

    ``include_usage`` asks for the final chunk that carries ``usage`` (``"choices": []``);
    the gateway documents that chunk as usually present, so this mostly says so explicitly.
    Sent only by ``.stream(...)``: a whole reply has no chunks.
    """

    include_usage: Optional[bool] = None
    """Ask for the final chunk that carries ``usage`` (with no choices)."""


class ChatCompletionParams(RequestModel):
    """The body of ``POST /v1/chat/completions``.

    Only ``messages`` is required: the model may come from the key's default or a template.
    ``stream`` is set by the method (``create`` or ``stream``); setting it the other way is
    refused.

    >>> params = ChatCompletionParams(
    ...     model="openai/gpt-4o-mini",
    ...     messages=[ChatMessage(role="user", content="What is 2+2?")],
    ...     temperature=0.2,
    ... )
    >>> sorted(params.to_json_dict())
    ['messages', 'model', 'temperature']
    """

    messages: List[ChatMessage]
    """The conversation (required)."""
    model: Optional[str] = None
    """The model id, e.g. ``openai/gpt-4o-mini``, or ``auto`` for the Auto Router; by default the
    key's, then the template's."""
    template: Optional[str] = None
    """A prompt template, by name or UUID: its system prompt and messages come first."""
    variables: Optional[Dict[str, str]] = None
    """Values for the template's ``{{slot}}`` placeholders (a missing one is a 422; extra ones are
    ignored)."""
    session_id: Optional[str] = None
    """Your grouping key, for usage reports."""
    temperature: Optional[float] = Field(default=None, ge=0, le=2)
    """Sampling temperature: 0 to 2 (reasoning models may reject or ignore it)."""
    max_tokens: Optional[int] = Field(default=None, ge=1)
    """The most tokens to generate (at least 1); input plus this above the context is a 400."""
    max_completion_tokens: Optional[int] = Field(default=None, ge=1)
    """The most tokens to generate, reasoning included (at least 1; OpenAI's newer name)."""
    top_p: Optional[float] = Field(default=None, ge=0, le=1)
    """Nucleus sampling: 0 to 1 (some models reject it together with ``temperature``)."""
    frequency_penalty: Optional[float] = Field(default=None, ge=-2, le=2)
    """Penalise tokens by how often they appeared: -2 to 2."""
    presence_penalty: Optional[float] = Field(default=None, ge=-2, le=2)
    """Penalise tokens that appeared at all: -2 to 2."""
    stop: Union[str, List[str], None] = None
    """Where to stop: a string or a list of them."""
    seed: Optional[int] = None
    """A seed, for repeatable sampling where the model supports it."""
    n: Optional[int] = Field(default=None, ge=1)
    """How many alternatives (choices) to generate (at least 1)."""
    reasoning_effort: Optional[Literal["none", "minimal", "low", "medium", "high", "xhigh"]] = None
    """How hard a reasoning model thinks: ``none``, ``minimal``, ``low``, ``medium``, ``high`` or
    ``xhigh``."""
    tools: Optional[List[Tool]] = None
    """Functions the model may call (a request with tools skips the response cache)."""
    tool_choice: Optional[ToolChoice] = None
    """``auto``, ``none``, ``required``, or one function the model must call."""
    parallel_tool_calls: Optional[bool] = None
    """Whether the model may call several tools in one turn."""
    response_format: Optional[ResponseFormat] = None
    """Text, any JSON object, or JSON that follows a schema (models without it answer prose)."""
    transforms: Optional[List[str]] = None
    """Prompt transforms, e.g. ``["middle-out"]``."""
    models: Optional[List[str]] = None
    """Models to fall back to, in order."""
    user: Optional[str] = Field(default=None, max_length=256)
    """Your end user's id (at most 256 characters; not part of the cache key)."""
    modality: Optional[Literal["text", "image"]] = None
    """``image`` generates an image through chat (options in ``image``)."""
    image: Optional[ImageOptions] = None
    """The image options, with ``modality="image"``."""
    modalities: Optional[List[Literal["text", "audio", "image"]]] = None
    """What the reply holds, e.g. ``["text", "audio"]`` for spoken output."""
    audio: Optional[AudioOutputOptions] = None
    """The voice and format of spoken output."""
    upstream_timeout: Optional[float] = Field(default=None, gt=0, alias="timeout")
    """The gateway's own time limit for the provider, in seconds (sent as ``timeout``;
    the ``timeout=`` keyword of a method is the client's HTTP timeout)."""
    cache: Optional[bool] = None
    """``False`` opts out of the gateway's response cache; ``True`` caches only if eligible."""
    weight_profile: Optional[
        Literal["quality_first", "balanced", "cost_first", "latency_first"]
    ] = None
    """What ``model="auto"`` favours (the gateway's default: ``balanced``)."""
    service_tier: Optional[str] = None
    """The provider's service tier (the model must publish a price for it)."""
    async_mode: Optional[bool] = None
    """Documented by the gateway without its meaning."""
    logprobs: Optional[bool] = None
    """Return the log probabilities of the output tokens."""
    top_logprobs: Optional[int] = None
    """How many likeliest tokens to return at each position, with ``logprobs``."""
    stream: Optional[bool] = Field(default=None, exclude=True)
    """Decided by the method: ``create`` sends no stream, ``stream`` asks for one."""
    stream_options: Optional[ChatCompletionStreamOptions] = None
    """For ``.stream(...)``: ``{"include_usage": True}`` asks for the usage chunk."""

    @field_validator("response_format", mode="before")
    @classmethod
    def _not_a_model_class(cls, value: Any) -> Any:
        if isinstance(value, type) and issubclass(value, BaseModel):
            name = value.__name__
            raise InvalidArgumentError(
                f"response_format={name} is a pydantic model, which only .parse() takes: call "
                f"client.chat.completions.parse(..., response_format={name}) to get the reply "
                "read into it (message.parsed), or send its schema with "
                f"response_format=pydantic_response_format({name})",
                param="response_format",
            )
        return value


# --- the reply -----------------------------------------------------------------------------------


class PromptTokensDetails(ResponseModel):
    """Where prompt tokens came from."""

    cached_tokens: Optional[int] = None
    """Prompt tokens read from the provider's prompt cache."""
    audio_tokens: Optional[int] = None
    """Prompt tokens of audio."""


class CompletionTokensDetails(ResponseModel):
    """What completion tokens were spent on."""

    reasoning_tokens: Optional[int] = None
    """Completion tokens spent reasoning."""
    audio_tokens: Optional[int] = None
    """Completion tokens of audio."""


class Usage(ResponseModel):
    """Token counts (classifier tokens of the Auto Router are billed separately)."""

    prompt_tokens: Optional[int] = None
    """Tokens of the input (the Auto Router's classifier tokens are not included)."""
    completion_tokens: Optional[int] = None
    """Tokens generated."""
    total_tokens: Optional[int] = None
    """Both together."""
    prompt_tokens_details: Optional[PromptTokensDetails] = None
    """Where prompt tokens came from (cache, audio)."""
    completion_tokens_details: Optional[CompletionTokensDetails] = None
    """What completion tokens were spent on (reasoning, audio)."""
    classifier_prompt_tokens: Optional[int] = None
    """Input tokens of the Auto Router's classifier (billed)."""
    classifier_completion_tokens: Optional[int] = None
    """Output tokens of the Auto Router's classifier (billed)."""
    classifier_tokens: Optional[int] = None
    """All tokens of the Auto Router's classifier (billed)."""


class ResponseMessage(ResponseModel):
    """The assistant's message in a reply; append it to the conversation as it is to send
    it back (see :class:`ChatMessage`)."""

    role: str = "assistant"
    """``assistant``."""
    content: Optional[str] = None
    """The text of the answer (``None`` when the model only called tools)."""
    refusal: Optional[str] = None
    """Why the model declined to answer, when it did (``content`` is then empty)."""
    tool_calls: Optional[List[ToolCall]] = None
    """The tools the model called."""
    audio: Optional[Dict[str, Any]] = None
    """Spoken output, with ``modalities`` including ``audio``."""
    reasoning_details: Optional[List[Dict[str, Any]]] = None
    """The model's reasoning; Gemini thinking models need it echoed back."""


ChatMessage.__reply_forms__ = (ResponseMessage,)


class Choice(ResponseModel):
    """One alternative of a reply; ``finish_reason`` is ``stop``, ``length`` or ``tool_calls``."""

    index: int = 0
    """The alternative's position (0 unless ``n`` asked for more)."""
    message: ResponseMessage = Field(default_factory=ResponseMessage)
    """The assistant's message."""
    finish_reason: Optional[str] = None
    """Why the model stopped: ``stop``, ``length`` or ``tool_calls``."""
    logprobs: Optional[Dict[str, Any]] = None
    """Log probabilities of the output tokens, with ``logprobs=True``."""


class ChatCompletion(ResponseModel):
    """A whole chat completion. ``cost`` is a decimal string when the gateway reports it.

    Auto-routed replies also carry ``x_resolved_model_id``, ``x_auto_routed_fallback``,
    ``x_auto_routed_fallback_reason`` and ``x_classifier_usage``.
    """

    id: str = ""
    """The completion's id."""
    object: str = "chat.completion"
    """Always ``chat.completion``."""
    created: Optional[int] = None
    """When it was made (Unix seconds)."""
    model: Optional[str] = None
    """The model that answered (may be the upstream's build string)."""
    choices: List[Choice] = Field(default_factory=_new_list)
    """The alternatives: one, unless ``n`` asked for more."""
    usage: Optional[Usage] = None
    """Token counts."""
    system_fingerprint: Optional[str] = None
    """The provider's fingerprint of its backend configuration."""
    cost: Optional[str] = None
    """What the call cost in USD, a decimal string, when the gateway reports it."""
    x_resolved_model_id: Optional[str] = None
    """The model the Auto Router chose (``model="auto"``)."""
    x_auto_routed_fallback: Optional[bool] = None
    """Whether the Auto Router fell back to its default model."""
    x_auto_routed_fallback_reason: Optional[str] = None
    """Why it fell back, e.g. ``classifier_timeout``."""
    x_classifier_usage: Optional[List[Dict[str, Any]]] = None
    """The classifier's token counts, one entry per attempt (billed on top)."""


# --- the chunks ----------------------------------------------------------------------------------


def _empty(value: None) -> str:
    return ""


class _NullAsEmpty:
    """``str``, with JSON ``null`` read as ``""`` (a delta that adds no text).

    A union tried left to right: a string is taken as it is, with no Python call (this runs
    for every chunk of every stream); only ``null`` goes on to the function that makes it
    ``""``; anything else fails as a string would.
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        # pydantic-core's schema, written as the plain dicts it is made of.
        empty = {"type": "function-plain", "function": {"type": "no-info", "function": _empty}}
        return {
            "type": "union",
            "choices": [handler(source), {"type": "chain", "steps": [{"type": "none"}, empty]}],
            "mode": "left_to_right",
            "custom_error_type": "string_or_null",
            "custom_error_message": "Input should be a valid string or null",
        }

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> Any:
        return {"anyOf": [{"type": "string"}, {"type": "null"}], "default": ""}


class FunctionCallDelta(ResponseModel):
    """A piece of a function call: the name arrives once, ``arguments`` in fragments."""

    name: Optional[str] = None
    """The function's name (in the first fragment)."""
    arguments: Optional[str] = None
    """The next fragment of the arguments' JSON string."""


class ToolCallDelta(ResponseModel):
    """A piece of a tool call. Providers behind the gateway may leave out ``index`` or ``id``."""

    index: Optional[int] = None
    """Which call of the message this fragment belongs to (some providers leave it out)."""
    id: Optional[str] = None
    """The call's id (in the first fragment; some providers leave it out)."""
    type: Optional[str] = None
    """``function``, in the first fragment."""
    function: Optional[FunctionCallDelta] = None
    """The fragment of the function call."""
    thought_signature: Optional[str] = None
    """Gemini thinking models' signature of the call."""


class ChoiceDelta(ResponseModel):
    """What one chunk adds to a choice.

    ``content`` is the text this chunk adds, ``""`` when it adds none, so deltas can be
    printed or joined as they come.
    """

    role: Optional[str] = None
    """``assistant``, in the first chunk."""
    content: Annotated[str, _NullAsEmpty()] = ""
    """The text this chunk adds (``""`` when it adds none)."""
    tool_calls: Optional[List[ToolCallDelta]] = None
    """Fragments of tool calls."""
    audio: Optional[Dict[str, Any]] = None
    """A piece of spoken output, with ``modalities`` including ``audio``."""
    reasoning_details: Optional[List[Dict[str, Any]]] = None
    """A piece of the model's reasoning."""


class ChunkChoice(ResponseModel):
    """One choice's part of a chunk."""

    index: int = 0
    """The alternative this chunk adds to."""
    delta: ChoiceDelta = Field(default_factory=ChoiceDelta)
    """What the chunk adds."""
    finish_reason: Optional[str] = None
    """Why the model stopped, in the alternative's last chunk: ``stop``, ``length`` or
    ``tool_calls``."""
    logprobs: Optional[Dict[str, Any]] = None
    """Log probabilities of the chunk's tokens, with ``logprobs=True``."""


class ChatCompletionChunk(ResponseModel):
    """One ``chat.completion.chunk`` of a stream.

    The last chunk before ``[DONE]`` usually has no choices and carries ``usage`` (and
    ``cost`` where the gateway reports it).
    """

    id: str = ""
    """The completion's id (the same in every chunk)."""
    object: str = "chat.completion.chunk"
    """Always ``chat.completion.chunk``."""
    created: Optional[int] = None
    """When the completion was made (Unix seconds)."""
    model: Optional[str] = None
    """The model that answers (may be the upstream's build string)."""
    choices: List[ChunkChoice] = Field(default_factory=_new_list)
    """What the chunk adds to each alternative (empty in the final usage chunk)."""
    usage: Optional[Usage] = None
    """Token counts, usually in the last chunk only."""
    cost: Optional[str] = None
    """What the call cost in USD, a decimal string, when the gateway reports it."""
    system_fingerprint: Optional[str] = None
    """The provider's fingerprint of its backend configuration."""


# --- the names meshapi 0.1.11 gives the same things ------------------------------------------
# Code written for the vendor SDK imports these; each is the class above, not a copy.

ChatRole = Role
"""Who speaks in a message (``Role``: ``system``, ``developer``, ``user``, ``assistant`` or
``tool``), by meshapi 0.1.11's name."""
ImageDetail = ImageURL
"""meshapi 0.1.11's name for :class:`ImageURL`."""
ContentPartText = TextPart
"""meshapi 0.1.11's name for :class:`TextPart`."""
ContentPartImage = ImageURLPart
"""meshapi 0.1.11's name for :class:`ImageURLPart`."""
ContentPartAudio = InputAudioPart
"""meshapi 0.1.11's name for :class:`InputAudioPart`."""
VideoUrl = VideoURL
"""meshapi 0.1.11's name for :class:`VideoURL`."""
ContentPartVideo = VideoURLPart
"""meshapi 0.1.11's name for :class:`VideoURLPart`."""
ToolFunction = FunctionDefinition
"""meshapi 0.1.11's name for :class:`FunctionDefinition`."""
ToolCallFunction = FunctionCall
"""meshapi 0.1.11's name for :class:`FunctionCall`."""
ToolCallFunctionChunk = FunctionCallDelta
"""meshapi 0.1.11's name for :class:`FunctionCallDelta`."""
ToolCallChunk = ToolCallDelta
"""meshapi 0.1.11's name for :class:`ToolCallDelta`."""
UsageInfo = Usage
"""meshapi 0.1.11's name for :class:`Usage`."""
ChatCompletionMessage = ResponseMessage
"""meshapi 0.1.11's name for :class:`ResponseMessage`."""
ChatCompletionChoice = Choice
"""meshapi 0.1.11's name for :class:`Choice`."""
ChatCompletionResponse = ChatCompletion
"""meshapi 0.1.11's name for :class:`ChatCompletion`."""
ChatCompletionChunkDelta = ChoiceDelta
"""meshapi 0.1.11's name for :class:`ChoiceDelta`."""
ChatCompletionChunkChoice = ChunkChoice
"""meshapi 0.1.11's name for :class:`ChunkChoice`."""


# --- openai-python's names for what a request takes ----------------------------------------

ChatCompletionMessageParam = Union[ChatMessage, ResponseMessage, Mapping[str, Any]]
"""What a conversation's list holds, by openai-python's name: a :class:`ChatMessage`, a
reply's :class:`ResponseMessage` sent back as it is, or a dict of a message's fields
(``messages: list[ChatCompletionMessageParam]``)."""
ChatCompletionToolParam = Union[Tool, Mapping[str, Any]]
"""A tool, by openai-python's name: a :class:`Tool` or a dict of its fields."""
