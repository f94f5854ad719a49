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
    """What to search for (required): 1 to 2,000 characters."""
    model: Optional[str] = None
    """The model that runs the native search (the gateway's default runs as
    ``perplexity/sonar``)."""
    provider: Optional[Literal["native", "tavily"]] = None
    """``None`` (the default) tries the native engine first, then Tavily."""
    max_results: Optional[int] = Field(default=None, ge=1, le=20)
    """How many results: 1 to 20 (the gateway's default: 5)."""
    search_depth: Optional[Literal["basic", "advanced"]] = None
    """``basic`` (the gateway's default) or ``advanced``; Tavily only."""
    include_domains: Optional[List[str]] = None
    """Only results from these domains."""
    exclude_domains: Optional[List[str]] = None
    """No results from these domains."""
    include_answer: Optional[bool] = None
    """Also write an answer from the results (the gateway's default: false)."""


class WebSearchResultItem(ResponseModel):
    """One hit: ``title``, ``url``, an excerpt (``content``), and a ``score`` and
    ``published_date`` where the engine gives them."""

    title: Optional[str] = None
    """The page's title."""
    url: Optional[str] = None
    """The page's URL."""
    content: Optional[str] = None
    """An excerpt of the page."""
    score: Optional[float] = None
    """How relevant the page is, where the engine says."""
    published_date: Optional[str] = None
    """When the page was published, where the engine says."""


class WebSearchResponse(ResponseModel):
    """The hits, which ``provider`` served them (``native`` or ``tavily``; a string, so a
    new engine never breaks decoding), and an ``answer`` when one was asked for."""

    query: Optional[str] = None
    """The query searched."""
    provider: Optional[str] = None
    """The engine that served the results: ``native`` or ``tavily``."""
    answer: Optional[str] = None
    """An answer written from the results, with ``include_answer=True``."""
    results: List[WebSearchResultItem] = Field(default_factory=list)
    """The hits."""
    request_id: Optional[str] = None
    """The gateway's id of the search."""
