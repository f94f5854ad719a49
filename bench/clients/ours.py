"""This SDK, as its documentation shows it: typed params in, typed replies and chunks out.

Kinds: ``httpx`` (``MeshAPI``), ``httpx-async``, ``httpx-trio`` (under trio) and ``aiohttp``
(``AsyncMeshAPI``), on their defaults; for the many-open-streams workload they are handed a client or session with a pool
as big as the floor's.
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
    """``MeshAPI`` on its default httpx transport."""

    def __init__(self, base_url: str) -> None:
        self.client = MeshAPI(base_url=base_url, token="rsk_bench")

    def complete(self) -> str:
        reply = self.client.chat.completions.create(_params(None, None))
        return reply.choices[0].message.content or ""

    def stream(self, n: int, model: Optional[str]) -> List[str]:
        parts = []
        for chunk in self.client.chat.completions.stream(_params(n, model)):
            parts.append(chunk.choices[0].delta.content)
        return parts

    def close(self) -> None:
        self.client.close()


class Async:
    """``AsyncMeshAPI`` on httpx or aiohttp."""

    def __init__(self, base_url: str, transport: str, pool: Optional[int]) -> None:
        self._own: Any = None
        if pool is None:
            self.client = AsyncMeshAPI(base_url=base_url, token="rsk_bench", transport=transport)  # type: ignore[arg-type]
        elif transport == "httpx":
            import httpx

            limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
            self._own = httpx.AsyncClient(limits=limits)
            self.client = AsyncMeshAPI(base_url=base_url, token="rsk_bench", httpx_client=self._own)
        else:
            import aiohttp

            self._own = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=pool), cookie_jar=aiohttp.DummyCookieJar()
            )
            self.client = AsyncMeshAPI(
                base_url=base_url, token="rsk_bench", transport="aiohttp", aiohttp_session=self._own
            )

    async def complete(self) -> str:
        reply = await self.client.chat.completions.create(_params(None, None))
        return reply.choices[0].message.content or ""

    async def stream(self, n: int, model: Optional[str]) -> List[str]:
        parts = []
        async for chunk in self.client.chat.completions.stream(_params(n, model)):
            parts.append(chunk.choices[0].delta.content)
        return parts

    async def aclose(self) -> None:
        await self.client.aclose()
        if self._own is not None:
            await (self._own.aclose() if hasattr(self._own, "aclose") else self._own.close())


def make(kind: str, base_url: str, pool: Optional[int]) -> Any:
    """Our client of ``kind``."""
    if kind == "httpx":
        return Sync(base_url)
    return Async(base_url, "aiohttp" if kind == "aiohttp" else "httpx", pool)


if __name__ == "__main__":
    main(make, {"httpx": False, "httpx-async": True, "httpx-trio": True, "aiohttp": True})
