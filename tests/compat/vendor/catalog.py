"""The model catalog as meshapi 0.1.11 read it: ``list`` with its named filters, ``free``,
``paid``, ``search`` with a params object, and ``get`` by id (also as ``model_id=``)."""

from __future__ import annotations

import os
from typing import List

from meshapi import MeshAPI, MeshAPIError, ModelInfo, ModelSearchParams

BASE_URL = os.environ["MESHAPI_BASE_URL"]
TOKEN = os.environ["MESHAPI_TOKEN"]


def main() -> None:
    client = MeshAPI(base_url=BASE_URL, token=TOKEN)
    all_models: List[ModelInfo] = client.models.list()
    free = client.models.free()
    paid = client.models.paid()
    print("free + paid == all:", len(free) + len(paid) == len(all_models))
    only_free = client.models.list(free=True)
    print("free filter:", all(m.is_free for m in only_free), len(only_free) == len(free))
    embedding = client.models.list(type="embedding", provider="openai")
    print("embedding ids:", len(embedding) > 0 and all("embedding" in m.id for m in embedding))

    page = client.models.search(ModelSearchParams(q="gpt", free=False, sort="name", limit=10))
    print("search:", page.total is not None and page.total >= len(page.items), bool(page.brands))

    gpt = client.models.get("openai/gpt-4o-mini")
    same = client.models.get(model_id="openai/gpt-4o-mini")
    print(gpt.id, gpt.id == same.id, gpt.pricing is not None)
    try:
        client.models.get("no-such/model")
    except MeshAPIError as e:
        print(f"[{e.status}] {e.error_code}")
    client.close()


if __name__ == "__main__":
    main()
