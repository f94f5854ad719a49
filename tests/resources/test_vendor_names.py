"""The names meshapi 0.1.11 gave the data plane's params and replies are importable from
``meshapi`` (and ``meshapi.types``) and mean the same thing."""

from __future__ import annotations

import pytest

import meshapi
import meshapi.types

VENDOR_NAMES = {
    # responses
    "ResponsesParams": "POST /v1/responses body",
    "ResponsesResponse": "a response object",
    "ResponsesStreamEvent": "a Responses stream event",
    "ResponsesListResponse": "a page of GET /v1/responses",
    "ResponsesListItem": "one listed background job",
    "ResponsesUsage": "Responses token counts",
    "ResponsesFunctionTool": "a flat function tool",
    "BuiltinTool": "a hosted tool",
    # embeddings
    "EmbeddingsParams": "POST /v1/embeddings body",
    "EmbeddingsResponse": "the embeddings list",
    "EmbeddingItem": "one embedding",
    "EmbeddingsUsage": "embedding token counts",
    "MultimodalEmbeddingInput": "a multimodal input item",
    "ImageEmbeddingUrl": "an image URL to embed",
    "VideoEmbeddingUrl": "a video URL to embed",
    "ProviderPreferences": "provider routing preferences",
    # compare
    "CompareParams": "POST /v1/chat/compare body",
    "CompareResponse": "a whole comparison",
    "CompareStreamEvent": "a compare stream event",
    "ModelCompareResult": "one model's result",
    "ModelOverride": "per-model settings",
    "TokenUsage": "compare token counts",
    # moderations, web, router
    "ModerationParams": "POST /v1/moderations body",
    "ModerationResponse": "moderation results",
    "ModerationResult": "one verdict",
    "ModerationInputItem": "a multimodal moderation item",
    "ModerationImageUrl": "an image URL to check",
    "WebSearchParams": "POST /v1/web/search body",
    "WebSearchResponse": "search results",
    "WebSearchResultItem": "one hit",
    "RouterSelectParams": "POST /v1/router/select body",
    "RouterSelectResponse": "the router's choice",
    "AutoRouterMeta": "how the router chose",
}


@pytest.mark.parametrize("name", sorted(VENDOR_NAMES))
def test_vendor_name_is_exported(name: str) -> None:
    value = getattr(meshapi, name)
    assert value is getattr(meshapi.types, name)
    assert value.__name__ == name
    assert name in dir(meshapi.types)
    assert value.__doc__


def test_list_response_is_a_cursor_page() -> None:
    page = meshapi.ResponsesListResponse.model_validate(
        {"object": "list", "data": [{"id": "resp_1", "status": "queued"}], "has_more": False}
    )
    assert isinstance(page, meshapi.CursorPage)
    assert isinstance(page.data[0], meshapi.ResponsesListItem)
