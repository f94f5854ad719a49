"""Files for retrieval as meshapi 0.1.11 handled them, on the async client: register and PUT
by hand, ``upload_file`` in one call, embed, poll, search, and ``list(limit, offset)``."""

from __future__ import annotations

import asyncio
import os

import httpx

from meshapi import (
    AsyncMeshAPI,
    BulkEmbedRequest,
    InitUploadRequest,
    InitUploadResponse,
    RagFileStatus,
    SearchRequest,
)

BASE_URL = os.environ["MESHAPI_BASE_URL"]
TOKEN = os.environ["MESHAPI_TOKEN"]

HANDBOOK = (
    b"Parental leave is sixteen weeks, paid in full.\n\n"
    b"The office opens at nine. Lunch is served at noon."
)


async def main() -> None:
    async with AsyncMeshAPI(base_url=BASE_URL, token=TOKEN) as client:
        upload: InitUploadResponse = await client.rag.init_upload(
            InitUploadRequest(file_name="notes.txt", mime_type="text/plain", embed=False)
        )
        # The one change typing asks for: replies type a field the gateway may leave out as
        # Optional, where 0.1.11 said str.
        assert upload.signed_url is not None
        async with httpx.AsyncClient() as storage:
            put = await storage.put(
                upload.signed_url,
                content=b"Nothing to see.",
                headers={"Content-Type": "text/plain"},
            )
            put.raise_for_status()

        handbook = await client.rag.upload_file(
            file_name="handbook.txt", mime_type="text/plain", content=HANDBOOK, embed=False
        )
        embedded = await client.rag.embed(BulkEmbedRequest(file_ids=[handbook.file_id], wait=True))
        print("embedded:", [r.embedding_status for r in embedded.results])

        status: RagFileStatus = await client.rag.get(handbook.file_id)
        same = await client.rag.get(file_id=handbook.file_id)
        print(status.file_name, status.embedding_status, same.file_id == status.file_id)

        results = await client.rag.search(SearchRequest(query="parental leave weeks", top_k=5))
        for r in results.results[:1]:
            print(f"{r.score:.4f}  {r.text}")

        page = await client.rag.list(10, 0)
        print(f"{page.total} total files:", sorted(f.file_name or "" for f in page.files))
        first = await client.rag.list(1, 1)
        print(len(first.files), first.offset)


if __name__ == "__main__":
    asyncio.run(main())
