"""The latest ``openai`` SDK from PyPI, in its own virtualenv, pointed at the bench server.

Kinds: ``sync`` (``OpenAI``) and ``async`` (``AsyncOpenAI``), on the SDK's defaults; for the
many-open-streams workload the async client gets a pool as big as the floor's.
"""

from __future__ import annotations

from typing import Any, List, Optional

import openai
from _common import PROMPT, main

MESSAGES = [{"role": "user", "content": PROMPT}]


class Sync:
    """``openai.OpenAI``."""

    def __init__(self, base_url: str) -> None:
        self.client = openai.OpenAI(base_url=base_url + "/v1", api_key="rsk_bench")

    def complete(self) -> str:
        reply = self.client.chat.completions.create(model="bench", messages=MESSAGES)
        return reply.choices[0].message.content or ""

    def stream(self, n: int, model: Optional[str]) -> List[str]:
        parts = []
        for chunk in self.client.chat.completions.create(
            model=model or "bench", messages=MESSAGES, max_tokens=n, stream=True
        ):
            parts.append(chunk.choices[0].delta.content or "")
        return parts

    def close(self) -> None:
        self.client.close()


class Async:
    """``openai.AsyncOpenAI``."""

    def __init__(self, base_url: str, pool: Optional[int]) -> None:
        http_client = None
        if pool is not None:
            try:
                import httpx2 as httpx  # what recent openai releases are built on
            except ImportError:
                import httpx
            limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
            http_client = openai.DefaultAsyncHttpxClient(limits=limits)
        self.client = openai.AsyncOpenAI(
            base_url=base_url + "/v1", api_key="rsk_bench", http_client=http_client
        )

    async def complete(self) -> str:
        reply = await self.client.chat.completions.create(model="bench", messages=MESSAGES)
        return reply.choices[0].message.content or ""

    async def stream(self, n: int, model: Optional[str]) -> List[str]:
        parts = []
        async for chunk in await self.client.chat.completions.create(
            model=model or "bench", messages=MESSAGES, max_tokens=n, stream=True
        ):
            parts.append(chunk.choices[0].delta.content or "")
        return parts

    async def aclose(self) -> None:
        await self.client.close()


def make(kind: str, base_url: str, pool: Optional[int]) -> Any:
    """The openai client of ``kind``."""
    return Sync(base_url) if kind == "sync" else Async(base_url, pool)


if __name__ == "__main__":
    main(make, {"sync": False, "async": True})
