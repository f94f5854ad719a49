"""The vendor's SDK, ``meshapi`` 0.1.11 from PyPI, in its own virtualenv.

Kinds: ``sync`` (``MeshAPI``) and ``async`` (``AsyncMeshAPI``), on their defaults; for the
many-open-streams workload the async client is handed an ``httpx.AsyncClient`` with a pool as
big as the floor's (with the base URL: the vendor SDK sends paths relative to it).
"""

from __future__ import annotations

from typing import Any, List, Optional

from _common import PROMPT, main

from meshapi import AsyncMeshAPI, ChatCompletionParams, ChatMessage, MeshAPI


def _params(n: Optional[int], model: Optional[str]) -> ChatCompletionParams:
    return ChatCompletionParams(
        model=model or "bench", messages=[ChatMessage(role="user", content=PROMPT)], max_tokens=n
    )


class Sync:
    """``meshapi.MeshAPI`` 0.1.11."""

    def __init__(self, base_url: str) -> None:
        self.client = MeshAPI(base_url=base_url, token="rsk_bench")

    def complete(self) -> str:
        reply = self.client.chat.completions.create(_params(None, None))
        return reply.choices[0].message.content or ""

    def stream(self, n: int, model: Optional[str]) -> List[str]:
        parts = []
        for chunk in self.client.chat.completions.stream(_params(n, model)):
            parts.append(chunk.choices[0].delta.content or "")
        return parts

    def close(self) -> None:
        self.client.close()


class Async:
    """``meshapi.AsyncMeshAPI`` 0.1.11."""

    def __init__(self, base_url: str, pool: Optional[int]) -> None:
        import httpx

        own = None
        if pool is not None:
            limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
            own = httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits)
        self.client = AsyncMeshAPI(base_url=base_url, token="rsk_bench", async_httpx_client=own)

    async def complete(self) -> str:
        reply = await self.client.chat.completions.create(_params(None, None))
        return reply.choices[0].message.content or ""

    async def stream(self, n: int, model: Optional[str]) -> List[str]:
        parts = []
        async for chunk in self.client.chat.completions.stream(_params(n, model)):
            parts.append(chunk.choices[0].delta.content or "")
        return parts

    async def aclose(self) -> None:
        await self.client.aclose()


def make(kind: str, base_url: str, pool: Optional[int]) -> Any:
    """The vendor client of ``kind``."""
    return Sync(base_url) if kind == "sync" else Async(base_url, pool)


if __name__ == "__main__":
    main(make, {"sync": False, "async": True})
