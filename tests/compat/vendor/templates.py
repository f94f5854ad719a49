"""Prompt templates as meshapi 0.1.11 managed them: create, list, get, update and delete
with its params classes, the ids by position and by keyword, and a chat that fills one."""

from __future__ import annotations

import os

from meshapi import (
    ChatCompletionParams,
    ChatMessage,
    CreateTemplateParams,
    MeshAPI,
    MeshAPIError,
    TemplateSummary,
    UpdateTemplateParams,
)

BASE_URL = os.environ["MESHAPI_BASE_URL"]
TOKEN = os.environ["MESHAPI_TOKEN"]


def main() -> None:
    client = MeshAPI(base_url=BASE_URL, token=TOKEN)
    created: TemplateSummary = client.templates.create(
        CreateTemplateParams(
            name="support-agent",
            system="You are a support agent for {{company}}. Be concise and friendly.",
            model="mesh/echo",
            variables=["company"],
        )
    )
    other = client.templates.create(
        params=CreateTemplateParams(name="greeter", system="Greet.", params={"temperature": 0.2})
    )
    print(created.name, other.name, other.params)

    reply = client.chat.completions.create(
        ChatCompletionParams(
            messages=[ChatMessage(role="user", content="How do I reset my password?")],
            template="support-agent",
            variables={"company": "Acme Corp"},
        )
    )
    print(reply.choices[0].message.content)

    names = sorted(t.name for t in client.templates.list())
    print(names)
    template_id = created.id
    print(
        client.templates.get(template_id).name, client.templates.get(template_id=template_id).name
    )
    updated = client.templates.update(template_id, UpdateTemplateParams(model="openai/gpt-4o"))
    print(updated.model)
    renamed = client.templates.update(
        template_id=template_id, params=UpdateTemplateParams(description="For Acme")
    )
    print(renamed.description, renamed.model)

    client.templates.delete(template_id)
    client.templates.delete(template_id=other.id)
    try:
        client.templates.get(template_id)
    except MeshAPIError as e:
        print(f"[{e.status}] {e.error_code}")
    client.close()


if __name__ == "__main__":
    main()
