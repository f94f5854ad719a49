"""``client.templates`` on every client kind: CRUD, chat through a template, the errors."""

from __future__ import annotations

from typing import Any

import pytest

from meshapi import (
    CreateTemplateParams,
    MeshAPIError,
    NotFoundError,
    PermissionDeniedError,
    Template,
    TemplateSummary,
    UpdateTemplateParams,
    ValidationError,
)
from meshapi.testing.pytest_plugin import GatewayFixture

from .calls import call
from .conftest import Api, Runner


def test_crud(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        made = await call(
            api,
            lambda c: c.templates.create(
                CreateTemplateParams(
                    name="support",
                    system="You help {{ customer }}.",
                    messages=[{"role": "user", "content": "Hello, I am {{ customer }}."}],
                    model="openai/gpt-4o-mini",
                    params={"max_tokens": 50},
                    variables=["customer"],
                )
            ),
        )
        got = await call(api, lambda c: c.templates.get(made.id))
        listed = await call(api, lambda c: c.templates.list())
        changed = await call(
            api, lambda c: c.templates.update(made.id, UpdateTemplateParams(description="d"))
        )
        renamed = await call(api, lambda c: c.templates.update(made.id, name="helpdesk"))
        await call(api, lambda c: c.templates.delete(made.id))
        with pytest.raises(NotFoundError) as gone:
            await call(api, lambda c: c.templates.get(made.id))
        return made, got, listed, changed, renamed, gone.value

    made, got, listed, changed, renamed, gone = run(scenario)
    assert isinstance(made, Template) and TemplateSummary is Template
    assert made.name == "support" and made.is_global is False
    assert made.messages == [{"role": "user", "content": "Hello, I am {{ customer }}."}]
    assert made.created_at and made.org_id is None
    assert got == made and listed == [made]
    assert changed.description == "d" and changed.system == made.system
    assert renamed.name == "helpdesk" and renamed.description == "d"
    assert gone.error_code == "not_found"
    requests = meshapi_gateway.gateway.requests
    assert [(r.method, r.status) for r in requests] == [
        ("POST", 201),
        ("GET", 200),
        ("GET", 200),
        ("PATCH", 200),
        ("PATCH", 200),
        ("DELETE", 204),
        ("GET", 404),
    ]
    assert requests[3].json == {"description": "d"}  # only what was set is sent
    assert requests[4].json == {"name": "helpdesk"}
    assert requests[3].headers["idempotency-key"]


def test_chat_with_a_template(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        await call(
            api,
            lambda c: c.templates.create(
                name="math", system="You answer {{ who }}.", model="openai/gpt-4o-mini"
            ),
        )
        reply = await call(
            api,
            lambda c: c.chat.completions.create(
                template="math",
                variables={"who": "Ada"},
                messages=[{"role": "user", "content": "What is 2+2?"}],
            ),
        )
        with pytest.raises(ValidationError) as missing:
            await call(
                api,
                lambda c: c.chat.completions.create(
                    template="math", messages=[{"role": "user", "content": "hi"}]
                ),
            )
        return reply, missing.value

    reply, missing = run(scenario)
    assert reply.model == "openai/gpt-4o-mini"  # the template's model: the request named none
    assert reply.choices[0].message.content == "2 + 2 = 4."
    chat = meshapi_gateway.gateway.requests[1]
    assert chat.json["template"] == "math" and chat.json["variables"] == {"who": "Ada"}
    assert chat.messages[0] == {"role": "system", "content": "You answer Ada."}
    assert missing.status == 422 and missing.details[0]["loc"] == ["body", "variables", "who"]


def test_errors(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    shared = meshapi_gateway.gateway.add_template("house-style", system="Be brief.", is_global=True)

    async def scenario(api: Api) -> Any:
        await call(api, lambda c: c.templates.create(name="mine"))
        with pytest.raises(MeshAPIError) as taken:
            await call(api, lambda c: c.templates.create(name="mine"))
        with pytest.raises(PermissionDeniedError) as read_only:
            await call(api, lambda c: c.templates.delete(shared["id"]))
        with pytest.raises(NotFoundError):
            await call(api, lambda c: c.templates.update("no-such-id", description="x"))
        with pytest.raises(MeshAPIError) as bad:
            await call(api, lambda c: c.templates.create(name=""))
        return taken.value, read_only.value, bad.value

    taken, read_only, bad = run(scenario)
    assert (taken.status, taken.error_code) == (409, "conflict")
    assert read_only.error_code == "forbidden"
    assert isinstance(bad, ValueError) and bad.param == "name"  # refused before sending
    assert len(meshapi_gateway.gateway.requests) == 4


def test_a_dashboard_session_manages_templates(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        made = await call(api, lambda c: c.templates.create(name="from-the-dashboard"))
        return await call(api, lambda c: c.templates.list(team_id="none")), made

    none, made = run(scenario, token=meshapi_gateway.jwt)
    assert none == [] and made.owner
    assert meshapi_gateway.gateway.last_request.query == {"team_id": ["none"]}
