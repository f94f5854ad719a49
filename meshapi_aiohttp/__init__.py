"""The aiohttp transport for the MeshAPI SDK: :class:`AiohttpTransport` (asyncio only).

It moves bytes and maps aiohttp's exceptions to the SDK's own; everything else (URLs,
headers, retries, decoding) is the core's. Choose it by name and the SDK makes and closes
its own session::

    from meshapi import AsyncMeshAPI

    async with AsyncMeshAPI(token="rsk_...", transport="aiohttp") as client:
        resp = await client.chat.completions.create(
            {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
        )

or bring your own session (proxies, TLS, limits), which the SDK uses and never closes::

    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=20)) as session:
        client = AsyncMeshAPI(token="rsk_...", aiohttp_session=session)

Realtime sessions (``client.realtime``) do not use the session: each opens a connection of
its own, outside the session's pool, with :mod:`meshapi_wsproto`, as on every transport.
"""

from ._transport import AiohttpStreamResponse, AiohttpTransport

__all__ = ["AiohttpStreamResponse", "AiohttpTransport"]
