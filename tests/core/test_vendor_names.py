"""Code written for meshapi 0.1.11 keeps running: its class names for chat, the catalog,
templates, batches and error envelopes import from ``meshapi`` with the same meaning (the
same class as ours, with every field the vendor's has), and the new models read the
documented objects."""

from __future__ import annotations

import doctest
from typing import Dict, List, Set

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
