"""Checked by ``mypy --strict`` in ``scripts/lint``, never run: the gateway's signals are typed
on every kind of value, and the options that ask for them are typed keywords; every ``type:
ignore`` below marks a mistake mypy must catch."""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from meshapi import AsyncMeshAPI, DeprecationNotice, MeshAPI, ResponseMeta


def signals(client: MeshAPI) -> List[Optional[object]]:
    messages = [{"role": "user", "content": "hi"}]
    reply = client.chat.completions.create(
        model="openai/gpt-4o", models=["a/b"], messages=messages, skip_cache=True
    )
    meta: ResponseMeta = reply.meta
    attempts: Optional[int] = meta.routing_attempts
    hit: Optional[bool] = meta.cache_hit
    notice: Optional[DeprecationNotice] = meta.deprecation
    sunset: Optional[datetime] = notice.sunset if notice is not None else None
    with client.chat.completions.stream(model="auto", messages=messages, memories=["m"]) as s:
        streamed: ResponseMeta = s.meta
    page: ResponseMeta = client.batches.list().meta
    raw: ResponseMeta = client.models.with_raw_response.list().meta
    fresh: ResponseMeta = client.usage.summary(refresh=True).meta
    fell_back: bool = meta.fell_back
    return [attempts, hit, sunset, streamed, page, raw, fresh, fell_back]


def wrong_option_types(client: MeshAPI) -> None:
    client.models.list(skip_cache="yes")  # type: ignore[arg-type]
    client.usage.summary(refresh=1)  # type: ignore[arg-type]
    client.models.free(memorys=["m"])  # type: ignore[call-arg]


async def async_signals(client: AsyncMeshAPI) -> Optional[str]:
    reply = await client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], memories="m"
    )
    return reply.meta.fallback_from
