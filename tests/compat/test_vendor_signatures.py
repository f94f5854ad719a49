"""Every method meshapi 0.1.11 had takes its arguments as it did: by position in its order,
and by keyword under its names (``create(params=...)``, ``get(model_id=...)``), on the
blocking and the async client. The programs in ``tests/compat/vendor/`` call them so; this
checks every one of them, from the table of its resources (``PEER_SDK.md`` §1.2)."""

from __future__ import annotations

import inspect
import re
from typing import Any, Dict, List, Set, Tuple

import pytest

import meshapi
import meshapi.types
from meshapi import AsyncMeshAPI, MeshAPI
from meshapi_core.realtime import endpoints as realtime_endpoints

# resource -> method -> (its parameters by position, its keyword-only parameters)
VENDOR_METHODS: Dict[str, Dict[str, Tuple[List[str], List[str]]]] = {
    "chat.completions": {"create": (["params"], []), "stream": (["params"], [])},
    "responses": {
        "create": (["params"], []),
        "stream": (["params"], []),
        "list": ([], ["after", "limit"]),
        "get": (["response_id"], []),
    },
    "embeddings": {"create": (["params"], [])},
    "compare": {"create": (["params"], []), "stream": (["params"], [])},
    "batches": {
        "create": (["params"], []),
        "list": ([], ["after", "limit"]),
        "get": (["batch_id"], []),
        "cancel": (["batch_id"], []),
    },
    "models": {
        "list": ([], ["free", "type", "provider"]),
        "free": ([], []),
        "paid": ([], []),
        "search": (["params"], []),
        "get": (["model_id"], []),
    },
    "templates": {
        "create": (["params"], []),
        "list": ([], []),
        "get": (["template_id"], []),
        "update": (["template_id", "params"], []),
        "delete": (["template_id"], []),
    },
    "images": {
        "generate": (["params"], []),
        "stream": (["params"], []),
        "edit": (["params"], []),
    },
    "videos": {
        "generate": (["params"], []),
        "list": (["params"], []),
        "retrieve": (["task_id"], []),
    },
    "audio": {
        "synthesize": (["params"], []),
        "transcribe": (["file", "params"], ["filename"]),
        "get_transcription": (["transcription_id"], []),
        "translate": (["file", "params"], ["filename"]),
        "audio_translate": (["file", "params"], ["filename"]),
        "list_voices": (["params"], []),
        "get_voice": (["voice_id"], []),
    },
    "rag": {
        "init_upload": (["params"], []),
        "list": (["limit", "offset"], []),
        "get": (["file_id"], []),
        "embed": (["params"], []),
        "search": (["params"], []),
        "upload_file": ([], ["file_name", "mime_type", "content", "embed", "metadata"]),
    },
    "moderations": {"create": (["params"], [])},
    "web": {"search": (["params"], [])},
    "router": {"select": (["params"], [])},
    "realtime": {"connect": ([], ["model"])},
}

# Where the model has a field of the same name, ``params=`` arrives among the keywords and a
# params object there is taken as the params (meshapi_core.params.bind): these take
# ``*args, **kwargs``, typed by overloads.
THROUGH_KEYWORDS = {("templates", "create", "params"), ("templates", "update", "params")}
# rag.list(limit, offset) is an overload over rag.list(params, **fields).
POSITIONAL_OVERLOAD = {("rag", "list")}

NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def keywords_of(parameter: inspect.Parameter) -> Set[str]:
    """The keywords a ``**kwargs: Unpack[SomeTypedDict]`` parameter takes."""
    found = re.search(r"Unpack\[(\w+)\]", str(parameter.annotation))
    if found is None:
        return set()
    name = found.group(1)
    typed = getattr(realtime_endpoints, name, None) or getattr(meshapi.types, name)
    return set(typed.__annotations__) | {
        key for base in typed.__mro__ for key in getattr(base, "__annotations__", {})
    }


def cases() -> List[Any]:
    return [
        pytest.param(kind, resource, method, id=f"{kind}-{resource}.{method}")
        for kind in ("sync", "async")
        for resource, methods in VENDOR_METHODS.items()
        for method in methods
    ]


@pytest.fixture(scope="module")
def clients() -> Dict[str, Any]:
    return {
        "sync": MeshAPI(base_url="http://127.0.0.1:9", token="rsk_test"),
        "async": AsyncMeshAPI(base_url="http://127.0.0.1:9", token="rsk_test"),
    }


def resolve(client: Any, path: str) -> Any:
    for part in path.split("."):
        client = getattr(client, part)
    return client


@pytest.mark.parametrize(("kind", "resource", "method"), cases())
def test_vendor_method_takes_its_arguments_as_it_did(
    clients: Dict[str, Any], kind: str, resource: str, method: str
) -> None:
    positional, keyword_only = VENDOR_METHODS[resource][method]
    signature = inspect.signature(getattr(resolve(clients[kind], resource), method))
    parameters = list(signature.parameters.values())
    variadic = [p for p in parameters if p.kind is inspect.Parameter.VAR_KEYWORD]
    keywords = keywords_of(variadic[0]) if variadic else set()
    if (resource, method) in POSITIONAL_OVERLOAD:  # its implementation: (params, offset, /)
        assert [p.kind for p in parameters[:2]] == [inspect.Parameter.POSITIONAL_ONLY] * 2
        return
    for index, name in enumerate(positional):
        if (resource, method, name) in THROUGH_KEYWORDS:
            assert variadic and str(variadic[0].annotation) == "Any"
            continue
        parameter = signature.parameters[name]
        assert parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, name
        assert parameters.index(parameter) == index, f"{name} is not argument {index + 1}"
    for name in keyword_only:
        named = name in signature.parameters and signature.parameters[name].kind in NAMED
        assert named or name in keywords, f"{resource}.{method} takes no {name}="
