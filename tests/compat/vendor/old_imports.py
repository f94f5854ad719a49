"""Imports from meshapi 0.1.11's own modules, and its ``MeshAPIConfig``: the HTTP client
made from a config, resource classes made from that client (and ``RealtimeResource`` from
the config itself), as code that composed its own client did. Each old module warns once."""

from __future__ import annotations

import os

from meshapi._errors import MeshAPIError
from meshapi._http import MeshAPIConfig, SyncHttpClient
from meshapi._types import ChatCompletionParams, ChatMessage, ModelInfo
from meshapi.resources.chat import ChatResource
from meshapi.resources.models import ModelsResource
from meshapi.resources.realtime import RealtimeMessage, RealtimeResource

BASE_URL = os.environ["MESHAPI_BASE_URL"]
TOKEN = os.environ["MESHAPI_TOKEN"]


def main() -> None:
    config = MeshAPIConfig(base_url=BASE_URL + "/", token=TOKEN, timeout=30.0, max_retries=2)
    print(config.base_url == BASE_URL, TOKEN not in repr(config))
    http = SyncHttpClient(config)
    chat = ChatResource(http)
    reply = chat.completions.create(
        ChatCompletionParams(model="mesh/echo", messages=[ChatMessage(role="user", content="hi")])
    )
    print(reply.choices[0].message.content)
    models = ModelsResource(http)
    model: ModelInfo = models.get("openai/gpt-4o-mini")
    print(model.id)
    try:
        models.get("no-such/model")
    except MeshAPIError as e:
        print(e.status, e.error_code)
    http.close()

    realtime = RealtimeResource(config)
    with realtime.connect(model="openai/gpt-realtime") as session:
        first: RealtimeMessage = session.receive()
        print(first.event["type"] if first.event else None)


if __name__ == "__main__":
    main()
