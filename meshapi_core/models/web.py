"""Web search: ``POST /v1/web/search`` (``docs/gateway/api.md`` §9).

Every option but ``query`` is left to the gateway unless given (its defaults: 5 results,
``basic`` depth, no answer; 0.1.11 sent those defaults on every call, overriding the
gateway's).
"""

from __future__ import annotations

from typing import List, Literal, Optional

from pydantic import Field

from .base import RequestModel, ResponseModel

__all__ = ["WebSearchParams", "WebSearchResponse", "WebSearchResultItem"]


class WebSearchParams(RequestModel):
    """The body of ``POST /v1/web/search``.

    >>> WebSearchParams(query="python sdk", max_results=3).to_json_dict()
    {'query': 'python sdk', 'max_results': 3}
    """

    query: str = Field(min_length=1, max_length=2000)
    model: Optional[str] = None
    provider: Optional[Literal["native", "tavily"]] = None
    """``None`` (the default) tries the native engine first, then Tavily."""
    max_results: Optional[int] = Field(default=None, ge=1, le=20)
    search_depth: Optional[Literal["basic", "advanced"]] = None
    """Tavily only."""
    include_domains: Optional[List[str]] = None
    exclude_domains: Optional[List[str]] = None
    include_answer: Optional[bool] = None


class WebSearchResultItem(ResponseModel):
    """One hit: ``title``, ``url``, an excerpt (``content``), and a ``score`` and
    ``published_date`` where the engine gives them."""

    title: Optional[str] = None
    url: Optional[str] = None
    content: Optional[str] = None
    score: Optional[float] = None
    published_date: Optional[str] = None


class WebSearchResponse(ResponseModel):
    """The hits, which ``provider`` served them (``native`` or ``tavily``; a string, so a
    new engine never breaks decoding), and an ``answer`` when one was asked for."""

    query: Optional[str] = None
    provider: Optional[str] = None
    answer: Optional[str] = None
    results: List[WebSearchResultItem] = Field(default_factory=list)
    request_id: Optional[str] = None
