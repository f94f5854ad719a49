"""The typed dicts of the dict and keyword forms (``meshapi/types/_dicts.py``, generated) tell
the truth about what a call needs: a field is ``Required[...]`` in ``XParamsDict`` and in
``XArgs`` exactly when the model has no default for it, and the methods' overloads that take
the keywords refuse a call without it (``tests/typing/check_required.py``). The
annotations are evaluated, so ``__required_keys__`` says it at run time too (3.11+: the
reference pages read it)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from typing import List, Set, Type

import pytest
from typing_extensions import Required, get_origin, get_type_hints

import meshapi.types
import meshapi_core.models
from meshapi_core.models.base import RequestModel

SKIPPED_FIELDS = {"stream"}  # set by the method (create(stream=True), stream()), never a keyword


def request_models() -> List[Type[RequestModel]]:
    found = []
    for info in pkgutil.iter_modules(meshapi_core.models.__path__):
        module = importlib.import_module(f"meshapi_core.models.{info.name}")
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if (
                inspect.isclass(value)
                and issubclass(value, RequestModel)
                and value is not RequestModel
                and value.__module__ == module.__name__
                and value.__name__ == name
            ):
                found.append(value)
    return found


def required_keys(typed_dict: type) -> Set[str]:
    hints = get_type_hints(typed_dict, include_extras=True)
    return {name for name, hint in hints.items() if get_origin(hint) is Required}


def args_name(model: str) -> str:
    return (model[: -len("Params")] if model.endswith("Params") else model) + "Args"


MODELS = request_models()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_field_without_default_is_required_in_both_dicts(model: Type[RequestModel]) -> None:
    model.model_rebuild()
    expected = {
        name
        for name, info in model.model_fields.items()
        if info.is_required() and name not in SKIPPED_FIELDS
    }
    for typed_dict in (
        getattr(meshapi.types, f"{model.__name__}Dict"),
        getattr(meshapi.types, args_name(model.__name__)),
    ):
        assert required_keys(typed_dict) == expected
        if sys.version_info >= (3, 11):  # typing.TypedDict reads Required[...] from 3.11 on
            assert typed_dict.__required_keys__ == expected


def test_some_models_have_required_fields_and_the_options_never_are() -> None:
    with_required = [m for m in MODELS if any(f.is_required() for f in m.model_fields.values())]
    assert len(with_required) > 30
    assert required_keys(meshapi.types.ModerationArgs) == {"input"}
    assert required_keys(meshapi.types.ChatCompletionParseArgs) == {"messages"}
    assert required_keys(meshapi.types.RequestOptions) == set()
