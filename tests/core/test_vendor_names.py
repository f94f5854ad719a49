"""Code written for meshapi 0.1.11 keeps running: all 132 names of its ``meshapi.__all__``
import from ``meshapi`` with the same meaning (its models are ours, with every field the
vendor's had; its resource classes are the classes of the clients' resources; its config, clients
and errors are ours), and the new models read the documented objects."""

from __future__ import annotations

import dataclasses
import doctest
import inspect
from typing import Any, Dict, List, Set

import pydantic
import pytest

import meshapi
from meshapi_core.models import batches, envelopes, templates
from meshapi_core.models.batches import Batch, BatchCreateParams, BatchListResponse
from meshapi_core.models.chat import ChatCompletionParams
from meshapi_core.models.templates import Template, TemplateCreateParams, TemplateUpdateParams

# vendor name -> (our class name, the vendor class's fields, from meshapi 0.1.11 _types.py)
VENDOR: Dict[str, tuple] = {  # type: ignore[type-arg]
    "ImageDetail": ("ImageURL", ["url", "detail"]),
    "ContentPartText": ("TextPart", ["type", "text"]),
    "ContentPartImage": ("ImageURLPart", ["type", "image_url"]),
    "InputAudio": ("InputAudio", ["data", "uri", "url", "format"]),
    "ContentPartAudio": ("InputAudioPart", ["type", "input_audio"]),
    "VideoUrl": ("VideoURL", ["url"]),
    "ContentPartVideo": ("VideoURLPart", ["type", "video_url", "fps"]),
    "ToolCallFunction": ("FunctionCall", ["name", "arguments"]),
    "ToolCall": ("ToolCall", ["id", "type", "function", "thought_signature"]),
    "ToolCallFunctionChunk": ("FunctionCallDelta", ["name", "arguments"]),
    "ToolCallChunk": ("ToolCallDelta", ["index", "id", "type", "function"]),
    "ChatMessage": (
        "ChatMessage",
        ["role", "content", "name", "tool_call_id", "tool_calls", "reasoning_details"],
    ),
    "ToolFunction": ("FunctionDefinition", ["name", "description", "parameters"]),
    "Tool": ("Tool", ["type", "function"]),
    "ToolChoiceFunction": ("ToolChoiceFunction", ["name"]),
    "ToolChoiceObject": ("ToolChoiceObject", ["type", "function"]),
    "AudioOutputOptions": ("AudioOutputOptions", ["voice", "format"]),
    "ImageOptions": ("ImageOptions", ["n", "size", "quality", "response_format"]),
    "UsageInfo": (
        "Usage",
        ["prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details"],
    ),
    "ChatCompletionMessage": ("ResponseMessage", ["role", "content", "tool_calls", "audio"]),
    "ChatCompletionChoice": ("Choice", ["index", "message", "finish_reason", "logprobs"]),
    "ChatCompletionResponse": (
        "ChatCompletion",
        ["id", "object", "created", "model", "choices", "usage", "system_fingerprint"],
    ),
    "ChatCompletionChunkDelta": ("ChoiceDelta", ["role", "content", "tool_calls", "audio"]),
    "ChatCompletionChunkChoice": ("ChunkChoice", ["index", "delta", "finish_reason"]),
    "ChatCompletionChunk": ("ChatCompletionChunk", ["id", "choices", "usage", "cost"]),
    "ModelInfo": ("ModelInfo", ["id", "name", "is_free", "pricing", "is_composite"]),
    "ModelPricing": (
        "ModelPricing",
        [
            "long_context_input_usd_per_1m",
            "long_context_output_usd_per_1m",
            "long_context_cache_read_input_usd_per_1m",
            "long_context_cache_write_input_usd_per_1m",
            "fine_tuned_input_usd_per_1m",
            "fine_tuned_output_usd_per_1m",
            "discount_pct",
        ],
    ),
    "ListModelsParams": ("ModelListParams", ["free", "type", "provider"]),
    "ModelSearchParams": (
        "ModelSearchParams",
        ["q", "free", "discounted", "input_modality", "output_modality", "brand", "sort"],
    ),
    "ModelsPage": ("ModelSearchPage", ["items", "total", "limit", "offset", "brands"]),
    "TemplateMessage": ("TemplateMessage", ["role", "content"]),
    "CreateTemplateParams": (
        "TemplateCreateParams",
        ["name", "description", "system", "messages", "model", "params", "variables", "team_id"],
    ),
    "UpdateTemplateParams": (
        "TemplateUpdateParams",
        ["name", "description", "system", "messages", "model", "params", "variables"],
    ),
    "TemplateSummary": (
        "Template",
        ["id", "name", "owner", "is_global", "messages", "created_at", "updated_at"],
    ),
    "BatchRequestItem": ("BatchRequest", ["custom_id", "method", "url", "body"]),
    "CreateBatchParams": ("BatchCreateParams", ["requests", "completion_window", "metadata"]),
    "BatchObject": (
        "Batch",
        [
            "id",
            "object",
            "endpoint",
            "input_file_id",
            "output_file_id",
            "status",
            "model",
            "provider",
            "created_at",
            "completed_at",
            "usage_synced",
            "results",
            "errors_detail",
            "error_file_id",
            "request_counts",
            "metadata",
        ],
    ),
    "BatchListResponse": (
        "BatchListResponse",
        ["object", "data", "has_more", "first_id", "last_id"],
    ),
    "ApiErrorBody": (
        "ApiErrorBody",
        ["code", "message", "details", "provider_error", "retry_after_seconds"],
    ),
    "ApiErrorEnvelope": ("ApiErrorEnvelope", ["error", "request_id"]),
}


# meshapi 0.1.11's ``meshapi.__all__`` (its ``meshapi/__init__.py``): every name, in its order.
VENDOR_ALL = [
    "__version__",
    "MeshAPI",
    "AsyncMeshAPI",
    "MeshAPIConfig",
    "MeshAPIError",
    "ChatRole",
    "ChatMessage",
    "ContentPart",
    "ContentPartAudio",
    "ContentPartText",
    "ContentPartImage",
    "ContentPartVideo",
    "VideoUrl",
    "ImageDetail",
    "InputAudio",
    "ImageOptions",
    "ImageEditParams",
    "ImageRef",
    "ImageGenerationChunk",
    "ImageGenerationParams",
    "ImageGenerationResponse",
    "ImageItem",
    "ImageUsage",
    "AudioOutputOptions",
    "ToolFunction",
    "Tool",
    "ToolCall",
    "ToolCallFunction",
    "ToolChoice",
    "ToolChoiceFunction",
    "ToolChoiceObject",
    "ChatCompletionParams",
    "ChatCompletionResponse",
    "ChatCompletionChoice",
    "ChatCompletionMessage",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionChunkDelta",
    "UsageInfo",
    "ModelPricing",
    "ModelInfo",
    "ListModelsParams",
    "EmbeddingsParams",
    "EmbeddingItem",
    "EmbeddingsUsage",
    "EmbeddingsResponse",
    "ImageEmbeddingUrl",
    "VideoEmbeddingUrl",
    "MultimodalEmbeddingInput",
    "ResponsesFunctionTool",
    "BuiltinTool",
    "ResponsesParams",
    "ResponsesUsage",
    "ResponsesResponse",
    "ResponsesStreamEvent",
    "ModelOverride",
    "ModelSearchParams",
    "ModelsPage",
    "ResponsesListItem",
    "ResponsesListResponse",
    "CompareParams",
    "TokenUsage",
    "CompareResponse",
    "CompareStreamEvent",
    "BatchRequestItem",
    "CreateBatchParams",
    "BatchObject",
    "BatchListResponse",
    "ProviderPreferences",
    "CreateTemplateParams",
    "UpdateTemplateParams",
    "TemplateSummary",
    "ApiErrorBody",
    "ApiErrorEnvelope",
    "ModerationsResource",
    "AsyncModerationsResource",
    "ModerationParams",
    "ModerationImageUrl",
    "ModerationInputItem",
    "ModerationResult",
    "ModerationResponse",
    "WebResource",
    "AsyncWebResource",
    "WebSearchParams",
    "WebSearchResultItem",
    "WebSearchResponse",
    "RouterResource",
    "AsyncRouterResource",
    "RouterSelectParams",
    "AutoRouterMeta",
    "RouterSelectResponse",
    "RealtimeResource",
    "AsyncRealtimeResource",
    "RealtimeSession",
    "AsyncRealtimeSession",
    "RealtimeMessage",
    "RealtimeError",
    "RagResource",
    "AsyncRagResource",
    "InitUploadRequest",
    "InitUploadResponse",
    "RagFileStatus",
    "RagFileListResponse",
    "BulkEmbedRequest",
    "BulkEmbedResult",
    "BulkEmbedResponse",
    "SearchRequest",
    "SearchResult",
    "SearchResponse",
    "VideosResource",
    "AsyncVideosResource",
    "CreateVideoGenerationResponse",
    "ListVideoGenerationsParams",
    "VideoContentItem",
    "VideoGenerationParams",
    "VideoTaskContent",
    "VideoTaskError",
    "VideoTaskListResponse",
    "VideoTaskResponse",
    "VideoTaskUsage",
    "AudioResource",
    "AsyncAudioResource",
    "SpeechParams",
    "VoiceSettings",
    "PronunciationDictionaryLocator",
    "TranscriptionParams",
    "TranscriptionTranslateParams",
    "AudioTranslationsParams",
    "TranscriptionResponse",
    "ListVoicesParams",
    "Voice",
    "VoicesResponse",
]

# Its resource classes (the 14 it exported, and those of its meshapi.resources modules): the
# client attribute each is the class of, on MeshAPI (and, with "Async", on AsyncMeshAPI).
VENDOR_RESOURCES = {
    "AudioResource": "audio",
    "BatchesResource": "batches",
    "ChatResource": "chat",
    "CompletionsResource": "chat.completions",
    "CompareResource": "compare",
    "EmbeddingsResource": "embeddings",
    "ImagesResource": "images",
    "ModelsResource": "models",
    "ModerationsResource": "moderations",
    "RagResource": "rag",
    "RealtimeResource": "realtime",
    "ResponsesResource": "responses",
    "RouterResource": "router",
    "TemplatesResource": "templates",
    "VideosResource": "videos",
    "WebResource": "web",
}

# The fields of the rest of its models (its _types.py), each a field of ours of the same name.
VENDOR_FIELDS: Dict[str, str] = {
    "ChatCompletionParams": (
        "messages model models stream template variables session_id "
        "temperature max_tokens top_p frequency_penalty presence_penalty stop "
        "seed tools tool_choice response_format user modality image "
        "async_mode modalities audio timeout cache transforms "
        "reasoning_effort"
    ),
    "ProviderPreferences": "order allow_fallbacks require_parameters data_collection",
    "ImageEmbeddingUrl": "url",
    "VideoEmbeddingUrl": "url",
    "MultimodalEmbeddingInput": "type text image_url video_url",
    "EmbeddingsParams": (
        "model input dimensions encoding_format input_type provider user "
        "instructions sparse_embedding"
    ),
    "EmbeddingItem": "object index embedding",
    "EmbeddingsUsage": "prompt_tokens total_tokens byok_used fallback_triggered",
    "EmbeddingsResponse": "object data model usage",
    "BuiltinTool": "type",
    "ResponsesFunctionTool": "type name description parameters strict",
    "ResponsesParams": (
        "model input background text template variables session_id stream "
        "max_output_tokens temperature top_p seed reasoning tools tool_choice "
        "response_format user timeout previous_response_id instructions thinking "
        "caching store include expire_at max_tool_calls context_management plugins"
    ),
    "ResponsesUsage": (
        "input_tokens output_tokens total_tokens prompt_tokens completion_tokens "
        "prompt_tokens_details completion_tokens_details classifier_tokens"
    ),
    "ResponsesResponse": "id object model output usage status",
    "ResponsesStreamEvent": "type response usage",
    "ModelOverride": "model temperature max_tokens system_prompt",
    "CompareParams": (
        "models messages model_overrides comparison_model comparison_instructions "
        "temperature max_tokens stream cache template variables skip_comparison"
    ),
    "TokenUsage": "prompt_tokens completion_tokens total_tokens",
    "ModelCompareResult": (
        "model response_body content latency_ms error error_code usage request_id"
    ),
    "CompareResponse": (
        "comparison_id object created models results comparison comparison_model "
        "comparison_usage comparison_fallback_used total_latency_ms partial "
        "skip_comparison"
    ),
    "CompareStreamEvent": (
        "event data delta model comparison_id comparison_model models "
        "latency_ms total_latency_ms finish_reason error error_code usage "
        "skip_comparison partial comparison_fallback_used"
    ),
    "ImageGenerationParams": (
        "prompt model n size quality response_format output_format stream "
        "aspect_ratio resolution output_compression background moderation "
        "partial_images image seed sequential_image_generation "
        "sequential_image_generation_options guidance_scale watermark "
        "optimize_prompt_options"
    ),
    "ImageItem": "url b64_json revised_prompt",
    "ImageUsage": (
        "prompt_tokens completion_tokens total_tokens input_tokens_details output_tokens_details"
    ),
    "ImageGenerationResponse": "created data background output_format quality size usage",
    "ImageGenerationChunk": "id object created data status model",
    "VideoContentItem": "type text image_url video_url audio_url draft_task role",
    "VideoGenerationParams": (
        "model content callback_url return_last_frame service_tier "
        "execution_expires_after generate_audio draft resolution ratio "
        "duration frames seed camera_fixed watermark safety_identifier "
        "priority"
    ),
    "CreateVideoGenerationResponse": "id",
    "VideoTaskError": "code message",
    "VideoTaskContent": "video_url last_frame_url",
    "VideoTaskUsage": "completion_tokens total_tokens",
    "VideoTaskResponse": (
        "id status model error created_at updated_at content seed resolution "
        "ratio duration frames framespersecond generate_audio safety_identifier "
        "priority draft draft_task_id service_tier execution_expires_after usage"
    ),
    "ListVideoGenerationsParams": "status model created_after created_before limit offset",
    "VideoTaskListResponse": "object data has_more total limit offset",
    "InitUploadRequest": "file_name mime_type embed metadata",
    "InitUploadResponse": "file_id signed_url expires_at",
    "RagFileStatus": (
        "file_id upload_status file_name file_type mime_type size_bytes asset_url "
        "signed_url signed_url_expires_at embedding_status created_at updated_at "
        "total_tokens total_cost_usd last_error_code"
    ),
    "RagFileListResponse": "files total limit offset",
    "BulkEmbedRequest": "file_ids wait metadata",
    "BulkEmbedResult": "file_id embedding_status chunk_count error",
    "BulkEmbedResponse": "results",
    "SearchRequest": "query top_k file_ids filter date_from date_to",
    "SearchResult": (
        "score text parent_text file_id file_name file_type mime_type chunk_index "
        "created_at metadata"
    ),
    "SearchResponse": "results",
    "VoiceSettings": "stability similarity_boost style use_speaker_boost speed",
    "PronunciationDictionaryLocator": "pronunciation_dictionary_id version_id",
    "SpeechParams": (
        "input model voice stream response_format language_code voice_settings "
        "pronunciation_dictionary_locators seed previous_text next_text "
        "previous_request_ids next_request_ids apply_text_normalization "
        "apply_language_text_normalization use_pvc_as_ivc enable_logging "
        "optimize_streaming_latency speaker target_language_code pitch pace loudness "
        "speech_sample_rate enable_preprocessing"
    ),
    "TranscriptionParams": (
        "model language_code tag_audio_events num_speakers "
        "timestamps_granularity diarize diarization_threshold "
        "additional_formats file_format cloud_storage_url source_url webhook "
        "webhook_id temperature seed use_multi_channel webhook_metadata "
        "entity_detection no_verbatim detect_speaker_roles entity_redaction "
        "entity_redaction_mode keyterms with_timestamps debug_mode"
    ),
    "TranscriptionTranslateParams": "model prompt",
    "AudioTranslationsParams": "model prompt response_format temperature",
    "TranscriptionResponse": "text",
    "ListVoicesParams": (
        "next_page_token page_size search sort sort_direction voice_type category "
        "include_total_count voice_ids"
    ),
    "Voice": "voice_id name category description preview_url labels",
    "VoicesResponse": "voices has_more total_count next_page_token",
    "ModerationImageUrl": "url",
    "ModerationInputItem": "type text image_url",
    "ModerationParams": "input model",
    "ModerationResult": "flagged categories category_scores",
    "ModerationResponse": "id model results",
    "WebSearchParams": (
        "query model provider max_results search_depth include_domains "
        "exclude_domains include_answer"
    ),
    "WebSearchResultItem": "title url content score published_date",
    "WebSearchResponse": "query answer results provider request_id",
    "RouterSelectParams": "messages api_type exclude_models",
    "AutoRouterMeta": "fallback_used fallback_reason",
    "RouterSelectResponse": "model auto_router reasoning_effort",
    "ResponsesListItem": "id object model provider status created_at completed_at usage_synced",
    "ResponsesListResponse": "object data has_more first_id last_id",
    "ImageRef": "url",
    "ImageEditParams": (
        "model image prompt operation mask reference_images n size response_format "
        "background upscale_factor quality_tier aspect_ratio resolution "
        "expand_factor mask_feather"
    ),
}


def fields_of(model: type) -> Set[str]:
    assert issubclass(model, pydantic.BaseModel)
    names = set(model.model_fields)
    return names | {f.alias for f in model.model_fields.values() if f.alias}


@pytest.mark.parametrize("vendor", sorted(VENDOR))
def test_vendor_name_is_our_class(vendor: str) -> None:
    ours, fields = VENDOR[vendor]
    cls = getattr(meshapi, vendor)
    assert cls is getattr(meshapi, ours) and cls.__name__ == ours
    assert cls is getattr(meshapi.types, vendor)
    missing: List[str] = sorted(set(fields) - fields_of(cls))
    assert not missing, f"{vendor} lacks the vendor's fields {missing}"


def test_vendor_type_names() -> None:
    assert meshapi.ChatRole is meshapi.types.ChatRole
    assert "developer" in meshapi.ChatRole.__args__  # type: ignore[attr-defined]
    assert meshapi.ToolChoiceFunctionName is meshapi.ToolChoiceFunction


def test_tool_choice_follows_the_vendor() -> None:
    choice = meshapi.ToolChoiceObject(function=meshapi.ToolChoiceFunction(name="get_weather"))
    params = ChatCompletionParams(messages=[], tool_choice=choice)
    assert params.to_json_dict()["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_weather"},
    }
    parsed = ChatCompletionParams.model_validate(
        {"messages": [], "tool_choice": {"type": "function", "function": {"name": "f"}}}
    )
    assert isinstance(parsed.tool_choice, meshapi.ToolChoiceObject)


def test_doctests() -> None:
    for module in (batches, templates, envelopes):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_batch_models_read_the_documented_objects() -> None:
    page = BatchListResponse.model_validate(
        {
            "object": "list",
            "data": [
                {
                    "id": "batch_1",
                    "status": "completed",
                    "request_counts": {"total": 2, "completed": 1, "failed": 1},
                    "results": [
                        {
                            "custom_id": "a",
                            "response": {"status_code": 200, "body": {"id": "c", "choices": []}},
                            "error": None,
                        },
                        {"custom_id": "b", "response": None, "error": "timeout"},
                    ],
                    "cancelled_at": 5,
                }
            ],
            "has_more": False,
            "first_id": "batch_1",
            "last_id": "batch_1",
        }
    )
    batch = page.data[0]
    assert isinstance(batch, Batch) and batch.done
    assert batch.results is not None and batch.results[1].error == "timeout"
    assert batch.model_extra == {"cancelled_at": 5}  # kept, not dropped
    assert Batch(id="b", status="cancelling").done is False
    assert batch.expires_at is None and batch.output_file_id is None


def test_request_models_send_only_what_was_set_and_check_it() -> None:
    body = BatchCreateParams.model_validate(
        {"requests": [{"custom_id": "a", "body": {"model": "m"}}]}
    ).to_json_dict()
    assert body == {"requests": [{"custom_id": "a", "body": {"model": "m"}}]}
    with pytest.raises(pydantic.ValidationError):
        BatchCreateParams(requests=[])
    with pytest.raises(pydantic.ValidationError):
        TemplateCreateParams(name="x", nmae="y")  # type: ignore[call-arg]
    assert TemplateUpdateParams(system=None).to_json_dict() == {"system": None}
    assert Template.model_validate({"id": "t", "name": "n"}).is_global is None


def test_all_132_vendor_names_import_from_meshapi() -> None:
    assert len(VENDOR_ALL) == len(set(VENDOR_ALL)) == 132
    namespace: Dict[str, Any] = {}
    exec(f"from meshapi import {', '.join(VENDOR_ALL)}", namespace)
    assert [n for n in VENDOR_ALL if n not in meshapi.__all__] == []
    assert [n for n in VENDOR_ALL if namespace[n] is not getattr(meshapi, n)] == []


def test_every_vendor_model_is_ours_with_its_fields() -> None:
    assert len(VENDOR) + len(VENDOR_FIELDS) == 110  # every class of its _types.py
    for vendor, fields in VENDOR_FIELDS.items():
        cls = getattr(meshapi, vendor)
        assert cls is getattr(meshapi.types, vendor)
        missing = sorted(set(fields.split()) - fields_of(cls))
        assert not missing, f"{vendor} lacks the vendor's fields {missing}"
    models = set(VENDOR) | set(VENDOR_FIELDS)
    aliases = {"ChatRole", "ContentPart", "ToolChoice"}  # its type aliases: ours, by name
    others = {"__version__", "MeshAPI", "AsyncMeshAPI", "MeshAPIConfig", "MeshAPIError"}
    others |= {"RealtimeSession", "AsyncRealtimeSession", "RealtimeMessage", "RealtimeError"}
    resources = set(VENDOR_RESOURCES) | {f"Async{n}" for n in VENDOR_RESOURCES}
    assert set(VENDOR_ALL) - models - aliases - others - resources == set()
    for alias in aliases:
        assert getattr(meshapi, alias) is getattr(meshapi.types, alias)


def _attribute(client: object, path: str) -> object:
    for part in path.split("."):
        client = getattr(client, part)
    return client


def test_vendor_resource_classes_are_the_clients_resources() -> None:
    client = meshapi.MeshAPI(base_url="http://127.0.0.1:9", token="rsk_test")
    aclient = meshapi.AsyncMeshAPI(base_url="http://127.0.0.1:9", token="rsk_test")
    for name, path in VENDOR_RESOURCES.items():
        assert type(_attribute(client, path)) is getattr(meshapi, name), name
        assert type(_attribute(aclient, path)) is getattr(meshapi, f"Async{name}"), name
    client.close()


def test_the_vendor_config_clients_and_errors_mean_what_they_meant() -> None:
    fields = dataclasses.fields(meshapi.MeshAPIConfig)
    assert [(f.name, f.default) for f in fields] == [
        ("base_url", dataclasses.MISSING),
        ("token", dataclasses.MISSING),
        ("timeout", 60.0),
        ("max_retries", 3),
        ("httpx_client", None),
        ("async_httpx_client", None),
    ]
    config = meshapi.MeshAPIConfig(base_url="https://api.meshapi.ai/", token="rsk_secret")
    assert config.base_url == "https://api.meshapi.ai" and "rsk_secret" not in repr(config)
    assert issubclass(meshapi.RealtimeError, meshapi.MeshAPIError)
    assert {"base_url", "token", "timeout", "max_retries", "httpx_client"} <= set(
        inspect.signature(meshapi.MeshAPI).parameters
    ) | set(meshapi.types.ClientSettings.__annotations__)
    assert "async_httpx_client" in inspect.signature(meshapi.AsyncMeshAPI).parameters
    assert isinstance(meshapi.__version__, str)
