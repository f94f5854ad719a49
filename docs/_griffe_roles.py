"""Render the SDK's docstrings for the reference pages.

The docstrings are written for readers of the source: Sphinx roles for cross-references
(``:class:`~meshapi_core.http.Timeout```), interactive examples (``>>> ...``), ``::`` literal
blocks, and citations of the gateway's contract (````docs/gateway/api.md`` §12``). This griffe
extension turns them into what mkdocstrings renders:

- roles become autorefs links (``[Timeout][meshapi_core.http.Timeout]``), which
  ``mkdocs build --strict`` checks, so a reference to a name that does not exist fails the
  build;
- examples become fenced ``pycon`` blocks and literal blocks fenced ``python`` blocks;
- citations become links to the cited section (the pages under ``docs/gateway/`` give each
  numbered section an id such as ``api-12``), checked the same way;
- a pydantic model gets its fields as a table (name, type, default, wire name), built from
  the model itself, instead of one heading per field.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import re
import sys
from typing import Any, Dict, List, Optional, Tuple

import griffe

_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj):`(~?)([\w.]+)`")
_BLOCK_INTRO = re.compile(r"^(?P<indent>\s*)(?P<text>.*\S)?::\s*$")
_DOCTEST_DIRECTIVE = re.compile(r"\s*#\s*doctest:.*$")
_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. code-block::\s*(?P<lang>\w+)\s*$")
_CITATION = re.compile(
    r"``docs/(?P<page>gateway/(?P<area>api|errors|streaming|control-plane)|design)\.md``"
    r"(?: §(?P<section>\d+(?:\.\d+)?))?"
)


class RolesExtension(griffe.Extension):
    """Rewrites every docstring once the object tree is complete."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring; give a pydantic model its table of fields."""
        if obj.is_class:
            _tabulate_fields(obj)  # type: ignore[arg-type]
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value, obj)


def _qualify(target: str, obj: griffe.Object) -> Optional[str]:
    """The path ``target`` is rendered under, or ``None`` for a name that is not ours."""
    if "." not in target and target not in _OURS:  # one of our packages is not a bare name
        if hasattr(builtins, target):
            return None  # ``ValueError``, ``RuntimeError``: Python's, not linked
        # A bare name: the object's own class or module is where it lives (or is imported).
        for scope in (obj if obj.is_class else obj.parent, obj.module):
            member = getattr(scope, "members", {}).get(target) if scope is not None else None
            if member is not None:
                target = member.target_path if member.is_alias else f"{scope.path}.{target}"
                break
        else:
            return f"{obj.module.path}.{target}"
    if target.split(".", 1)[0] not in _OURS:
        return None
    return _canonical(target)


def _canonical(target: str) -> str:
    """Where ``target`` is defined, so that a name re-exported by ``meshapi`` or
    ``meshapi.types`` links to the one place the reference renders it."""
    parts = target.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        break
    else:
        return target
    path, owner = value.__name__, value
    for name in parts[split:]:
        value = getattr(owner, name, _MISSING)
        if value is _MISSING:
            return target
        defined = getattr(value, "__module__", None) or ""
        ours = defined.split(".", 1)[0] in _OURS
        if inspect.ismodule(value):
            path = value.__name__
        elif (inspect.isclass(value) and ours) or (
            inspect.isfunction(value) and inspect.ismodule(owner)
        ):
            path = f"{defined}.{value.__qualname__}"
        elif inspect.ismodule(owner):
            path = _defining_module(owner, name, value) + f".{name}"
        else:
            path = f"{path}.{name}"
        owner = value
    return path


def _defining_module(module: Any, name: str, value: Any) -> str:
    """The module that defines the constant or alias ``module.name``: the deepest of our
    modules that exports the same object under that name."""
    found = module.__name__
    for other in list(sys.modules.values()):
        other_name = getattr(other, "__name__", "")
        if (
            other_name.split(".", 1)[0] in _OURS
            and name in getattr(other, "__all__", ())
            and getattr(other, name, _MISSING) is value
            and other_name.count(".") > found.count(".")
        ):
            found = other_name
    return found


_MISSING = object()


_OURS = ("meshapi", "meshapi_core", "meshapi_httpx", "meshapi_aiohttp", "meshapi_wsproto")


def _cite(match: re.Match[str]) -> str:
    """A citation of the contract or the design as a link to the cited section."""
    area, section = match.group("area"), match.group("section")
    shown = match.group(0).replace("``", "`")
    if area is None:
        return f"[{shown}][design]"
    return f"[{shown}][{area}-{section}]" if section else f"[{shown}][gateway-{area}]"


def _links(line: str, obj: griffe.Object) -> str:
    def link(match: re.Match[str]) -> str:
        short, target = match.group(1), match.group(2)
        shown = target.rsplit(".", 1)[-1] if short else target
        path = _qualify(target, obj)
        if path is None:
            return f"`{shown}`"  # Python's or another library's name: shown, not linked
        return f"[`{shown}`][{path}]"

    return _CITATION.sub(_cite, _ROLE.sub(link, line))


def rewrite(text: str, obj: griffe.Object) -> str:
    """``text`` with roles and citations as links, examples and literal blocks fenced."""
    lines = text.splitlines()
    out: List[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(_DOCTEST_DIRECTIVE.sub("", lines[i]))
                i += 1
            out.append(f"{indent}```")
            continue
        directive = _DIRECTIVE.match(line)
        intro = _BLOCK_INTRO.match(line) if not directive else None
        if directive or (intro and not stripped.startswith(">>>")):
            indent = (directive or intro).group("indent")  # type: ignore[union-attr]
            if intro is not None and intro.group("text"):
                out.append(f"{indent}{_links(intro.group('text'), obj)}:")
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            block: List[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(indent + " ")):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            body_indent = min(len(b) - len(b.lstrip()) for b in block if b.strip()) if block else 0
            lang = directive.group("lang") if directive else "python"
            out.append("")
            out.append(f"{indent}```{lang}")
            out += [f"{indent}{b[body_indent:]}" if b.strip() else "" for b in block]
            out.append(f"{indent}```")
            out.append("")
            continue
        out.append(_links(line, obj))
        i += 1
    return "\n".join(out)


# --- pydantic models: the fields as a table -------------------------------------------------


def _runtime_class(obj: griffe.Class) -> Optional[type]:
    if obj.module.path.split(".", 1)[0] not in _OURS or obj.parent is not obj.module:
        return None
    try:
        value = getattr(importlib.import_module(obj.module.path), obj.name, None)
    except Exception:
        return None
    return value if inspect.isclass(value) else None


def _default(info: Any) -> str:
    from pydantic_core import PydanticUndefined

    if info.default_factory is not None:
        try:
            shown = repr(info.default_factory())  # a fresh one for each instance
        except TypeError:  # a factory that takes the validated data
            return "computed from the other fields"
    elif info.default is PydanticUndefined:
        return "required"
    else:
        shown = repr(info.default)
    return f"default `{shown if len(shown) <= 40 else shown[:37] + '...'}`"


def _fields(cls: type) -> List[Tuple[str, str, Optional[str]]]:
    """``cls``'s fields as (name, what it defaults to, wire name), for a pydantic model or a
    TypedDict; empty for any other class."""
    import pydantic
    from typing_extensions import is_typeddict

    if issubclass(cls, pydantic.BaseModel):
        return [
            (name, _default(info), info.alias if info.alias != name else None)
            for name, info in cls.model_fields.items()
        ]
    if is_typeddict(cls):
        required = getattr(cls, "__required_keys__", frozenset())
        return [
            (name, "required" if name in required else "optional key", None)
            for name in cls.__annotations__
        ]
    return []


def _field_doc(obj: griffe.Class, cls: type, name: str) -> Optional[Tuple[str, griffe.Object]]:
    """The first paragraph of the docstring of field ``name`` of ``cls``, from the class
    that declares it (``cls`` itself or a base, a private one included), with the member it
    documents (where a bare name in it is looked up).

    The declaring class's own table takes the docstring off the member (no heading of its
    own) and keeps the paragraph in the member's ``extra``, where the tables of the classes
    that inherit the field find it, whichever table is built first."""
    owner = next((c for c in cls.__mro__ if name in vars(c).get("__annotations__", {})), None)
    if owner is None:
        return None
    try:
        declaring = obj if owner is cls else obj.modules_collection.get_member(owner.__module__)
        for part in [] if owner is cls else owner.__qualname__.split("."):
            declaring = declaring.members[part]
        member = declaring.members.get(name)
        if member is None:  # a TypedDict's key, declared by a base (flattened at run time)
            member = declaring.all_members.get(name)
            owner = None  # another class's member: its own table takes the docstring off
        if member is not None and member.is_alias:
            member = member.final_target
    except Exception:
        return None
    if member is None:
        return None
    kept: Dict[str, Any] = member.extra.setdefault("meshapi_field", {})
    if "doc" not in kept:
        if member.docstring is None:
            return None
        kept["doc"] = member.docstring.value.split("\n\n")[0]
    if owner is cls:
        member.docstring = None  # said in the table: no heading of its own
    doc: str = kept["doc"]
    return doc, member


def _tabulate_fields(obj: griffe.Class) -> None:
    """Give a pydantic model's or a TypedDict's docstring an ``Attributes`` section listing
    its fields, which mkdocstrings renders as one table (each field's type comes from its
    annotation in the source, linked), instead of one heading per documented field. An
    inherited field is described by the docstring of the class that declares it."""
    cls = _runtime_class(obj)
    if cls is None or obj.docstring is None:
        return
    rows = []
    for name, default, wire in _fields(cls):
        words = []
        found = _field_doc(obj, cls, name)
        if found is not None:
            first, member = found
            words.append(_links(" ".join(first.split()), member))
        if wire:
            words.append(f"On the wire: `{wire}`.")
        words.append(default[0].upper() + default[1:] + ".")
        rows.append(f"    {name}: {' '.join(words)}")
    if rows:
        obj.docstring.value = obj.docstring.value.rstrip() + "\n\nAttributes:\n" + "\n".join(rows)
