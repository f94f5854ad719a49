"""How the reference renders docstrings: roles become checked links to where a name is
defined, citations link to the cited section, examples are fenced, models get field tables."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

griffe = pytest.importorskip("griffe")

ROOT = Path(__file__).resolve().parents[2]


def load_extension() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "docs_griffe_roles", ROOT / "docs" / "_griffe_roles.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


roles = load_extension()


@pytest.fixture(scope="module")
def core() -> Any:
    return griffe.GriffeLoader(search_paths=[str(ROOT)]).load("meshapi_core")


@pytest.mark.parametrize(
    ("target", "defined_at"),
    [
        ("meshapi.types.ChatCompletionParams", "meshapi_core.models.chat.ChatCompletionParams"),
        ("meshapi.MeshAPI", "meshapi._client.MeshAPI"),
        ("meshapi.MeshAPI.with_options", "meshapi._client.MeshAPI.with_options"),
        ("meshapi.types.ChatRole", "meshapi_core.models.chat.ChatRole"),
        ("meshapi_core.http.Timeout", "meshapi_core.http.Timeout"),
        ("meshapi.testing.faults", "meshapi.testing.faults"),
    ],
)
def test_a_name_links_to_where_it_is_defined(target: str, defined_at: str) -> None:
    assert roles._canonical(target) == defined_at


def test_roles_become_links_and_foreign_names_stay_text(core: Any) -> None:
    retry = core["retry"]
    text = roles.rewrite(
        "A :class:`~meshapi_core.errors.MeshAPIError`, a :exc:`ValueError`, "
        "an :class:`httpx.Client` and :class:`RetryPolicy`.",
        retry,
    )
    assert "[`MeshAPIError`][meshapi_core.errors.MeshAPIError]" in text
    assert "a `ValueError`," in text
    assert "an `httpx.Client`" in text
    assert "[`RetryPolicy`][meshapi_core.retry.RetryPolicy]" in text


def test_citations_link_to_the_cited_section(core: Any) -> None:
    text = roles.rewrite(
        "(``docs/gateway/api.md`` §12, ``docs/gateway/errors.md``, ``docs/design.md``)",
        core["retry"],
    )
    assert "[`docs/gateway/api.md` §12][api-12]" in text
    assert "[`docs/gateway/errors.md`][gateway-errors]" in text
    assert "[`docs/design.md`][design]" in text


def test_examples_are_fenced_without_doctest_directives(core: Any) -> None:
    text = roles.rewrite(
        "Example:\n\n>>> 1 + 1   # doctest: +SKIP\n2\n\nLiteral::\n\n    code()\n", core["retry"]
    )
    assert "```pycon\n>>> 1 + 1\n2\n```" in text
    assert "```python\ncode()\n```" in text


def test_a_model_gets_a_table_of_its_fields(core: Any) -> None:
    params = core["models.chat.ChatCompletionParams"]
    roles._tabulate_fields(params)
    docstring = params.docstring.value
    assert "\nAttributes:\n" in docstring
    assert "    messages: The conversation (required). Required." in docstring
    assert "    upstream_timeout: The gateway's own time limit" in docstring
    assert "On the wire: `timeout`." in docstring
    assert params.members["upstream_timeout"].docstring is None  # said once, in the table
    parsed = params.docstring.parse("google")
    (table,) = [section for section in parsed if section.kind.value == "attributes"]
    types = {attribute.name: str(attribute.annotation) for attribute in table.value}
    assert types["messages"] == "List[ChatMessage]"  # from the source, so it links


def test_an_inherited_field_is_described_by_the_class_that_declares_it(core: Any) -> None:
    # Whichever table is built first: the declaring class's own (which takes the docstring
    # off its member) or an inheriting one's.
    create, update = core["models.keys.KeyCreateParams"], core["models.keys.KeyUpdateParams"]
    roles._tabulate_fields(create)
    roles._tabulate_fields(core["models.base.RequestModel"])
    roles._tabulate_fields(update)
    for model in (create, update):
        docstring = model.docstring.value
        assert "    rpm_limit: Requests per minute, at most 1,000" in docstring  # private base
        assert "    extra_body: Fields to send as they are" in docstring  # RequestModel's
    page = core["models.admin_keys.AdminKeyPage"]  # a generic base: CursorPage[AdminKey]
    roles._tabulate_fields(page)
    assert "    has_more: Whether another page follows" in page.docstring.value


def test_an_inherited_field_links_names_where_it_is_declared() -> None:
    # A keyword form's per-call options are declared by RequestOptions, in the core: a bare
    # name in their docstrings is looked up there, not in the typed dicts' module.
    loader = griffe.GriffeLoader(search_paths=[str(ROOT)])
    loader.load("meshapi_core")
    dicts = loader.load("meshapi.types._dicts")
    args = dicts["ChatCompletionArgs"]
    roles._tabulate_fields(args)
    docstring = args.docstring.value
    assert "    temperature: Sampling temperature: 0 to 2" in docstring  # its own keys
    assert "[`CREDENTIAL_HEADERS`][meshapi_core.config.CREDENTIAL_HEADERS]" in docstring


def test_a_typed_dict_gets_one_too(core: Any) -> None:
    settings = core["config.ClientSettings"]
    roles._tabulate_fields(settings)
    assert "    max_retries: Retries after a transient failure" in settings.docstring.value
    assert "Optional key." in settings.docstring.value


def test_a_required_key_of_a_keyword_form_is_shown_required() -> None:
    loader = griffe.GriffeLoader(search_paths=[str(ROOT)])
    loader.load("meshapi_core")
    args = loader.load("meshapi.types._dicts")["ModerationArgs"]
    roles._tabulate_fields(args)
    lines = args.docstring.value.splitlines()
    assert next(line for line in lines if line.startswith("    input: ")).endswith("Required.")
    assert next(line for line in lines if line.startswith("    model: ")).endswith("Optional key.")
