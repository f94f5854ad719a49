"""The floor: raw httpx and raw aiohttp doing the least a correct client must do.

Per request: build the JSON body (``json.dumps``), send it with the SDK's timeouts, check the
status, ``json.loads`` the reply. Per stream: split the body on blank lines, take each ``data: `` payload,
``json.loads`` it, stop caring at ``[DONE]`` (and fail if it never came). No typed objects,
no retries, no error mapping: what any client pays before it adds anything of its own.

Kinds: ``httpx`` (sync), ``httpx-async``, ``httpx-trio`` (the same client under trio),
``aiohttp``.
"""

from __future__ import annotations

import json
from typing import Any, List, Optional

from _common import PROMPT, main

HEADERS = {
    "authorization": "Bearer rsk_bench",
    "content-type": "application/json",
    "accept": "application/json",
}
STREAM_HEADERS = {**HEADERS, "accept": "text/event-stream"}


def _body(n: Optional[int], model: Optional[str]) -> bytes:
    body: dict = {"model": model or "bench", "messages": [{"role": "user", "content": PROMPT}]}
    if n is not None:
        body["stream"] = True
        body["max_tokens"] = n
    return json.dumps(body).encode()


def _content(reply: bytes) -> str:
    return json.loads(reply)["choices"][0]["message"]["content"]


class _Splitter:
    """Minimal SSE: frames end at a blank line, payloads follow ``data: ``."""

    def __init__(self) -> None:
        self.buf = b""
        self.done = False
        self.parts: List[str] = []

    def feed(self, data: bytes) -> None:
        *frames, self.buf = (self.buf + data).split(b"\n\n")
        for frame in frames:
            if self.done or not frame.startswith(b"data: "):
                continue
            payload = frame[6:]
            if payload == b"[DONE]":
                self.done = True
            else:
                self.parts.append(json.loads(payload)["choices"][0]["delta"].get("content") or "")

    def end(self) -> List[str]:
        if not self.done:
            raise RuntimeError("the stream ended before [DONE]")
        return self.parts


class HttpxSync:
    """Raw ``httpx.Client``."""

    def __init__(self, base_url: str, pool: Optional[int]) -> None:
        import httpx

        self.url = base_url + "/v1/chat/completions"
        self.client = httpx.Client(timeout=600)

    def complete(self) -> str:
        r = self.client.post(self.url, content=_body(None, None), headers=HEADERS)
        if r.status_code != 200:
            raise RuntimeError(r.status_code)
        return _content(r.content)

    def stream(self, n: int, model: Optional[str]) -> List[str]:
        splitter = _Splitter()
        with self.client.stream(
            "POST", self.url, content=_body(n, model), headers=STREAM_HEADERS
        ) as r:
            if r.status_code != 200:
                raise RuntimeError(r.status_code)
            for data in r.iter_bytes():
                splitter.feed(data)
        return splitter.end()

    def close(self) -> None:
        self.client.close()


class HttpxAsync:
    """Raw ``httpx.AsyncClient``."""

    def __init__(self, base_url: str, pool: Optional[int]) -> None:
        import httpx

        self.url = base_url + "/v1/chat/completions"
        if pool is None:
            self.client = httpx.AsyncClient(timeout=600)
        else:
            limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
            self.client = httpx.AsyncClient(timeout=600, limits=limits)

    async def complete(self) -> str:
        r = await self.client.post(self.url, content=_body(None, None), headers=HEADERS)
        if r.status_code != 200:
            raise RuntimeError(r.status_code)
        return _content(r.content)

    async def stream(self, n: int, model: Optional[str]) -> List[str]:
        splitter = _Splitter()
        async with self.client.stream(
            "POST", self.url, content=_body(n, model), headers=STREAM_HEADERS
        ) as r:
            if r.status_code != 200:
                raise RuntimeError(r.status_code)
            async for data in r.aiter_bytes():
                splitter.feed(data)
        return splitter.end()

    async def aclose(self) -> None:
        await self.client.aclose()


class Aiohttp:
    """Raw ``aiohttp.ClientSession``, set up as the SDK's own session is."""

    def __init__(self, base_url: str, pool: Optional[int]) -> None:
        import aiohttp

        self.url = base_url + "/v1/chat/completions"
        # The SDK's defaults: 10 s to connect, 600 s per read, no total (a read timeout is part
        # of being correct, and aiohttp pays for it on every read).
        timeout = aiohttp.ClientTimeout(total=None, connect=60, sock_connect=10, sock_read=600)
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=pool or 100),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=timeout,
        )

    async def complete(self) -> str:
        async with self.session.post(self.url, data=_body(None, None), headers=HEADERS) as r:
            if r.status != 200:
                raise RuntimeError(r.status)
            return _content(await r.read())

    async def stream(self, n: int, model: Optional[str]) -> List[str]:
        splitter = _Splitter()
        async with self.session.post(self.url, data=_body(n, model), headers=STREAM_HEADERS) as r:
            if r.status != 200:
                raise RuntimeError(r.status)
            async for data in r.content.iter_any():
                splitter.feed(data)
        return splitter.end()

    async def aclose(self) -> None:
        await self.session.close()


def make(kind: str, base_url: str, pool: Optional[int]) -> Any:
    """The floor client of ``kind``."""
    kinds = {"httpx": HttpxSync, "httpx-async": HttpxAsync, "httpx-trio": HttpxAsync, "aiohttp": Aiohttp}
    return kinds[kind](base_url, pool)


if __name__ == "__main__":
    main(make, {"httpx": False, "httpx-async": True, "httpx-trio": True, "aiohttp": True})
