"""mkdocs hooks: the build fails while a public name has no docstring of its own, or is
missing from the reference.

The reference pages render docstrings, so a public name without one would be a hole in
them that nothing reports. Before every build, :func:`on_pre_build` lists every such name and
raises :class:`~mkdocs.exceptions.PluginError` naming them all; ``tests/docs`` runs the same
check, so the test suite reports it too. After the build, :func:`on_post_build` checks that
every public name (below) was rendered on some reference page, so a new module or class
cannot go unlisted: the error names the page to add it to.

What counts as public:

- every name in ``meshapi.__all__`` and ``meshapi.types.__all__``;
- every name in the ``__all__`` of each public module (no ``_`` in its dotted path) of
  ``meshapi_core``, ``meshapi_httpx``, ``meshapi_aiohttp``, ``meshapi_wsproto`` and
  ``meshapi.testing`` (a module
  without ``__all__``: the public names it defines itself);
- the resources and the surfaces that hold them (``meshapi/_async/resources``, the sync twins
  generated from them, ``surface``);
- the public methods and properties of every class above that our packages define, including
  those it inherits from our own base classes (pydantic's and the standard library's are
  documented there).

"Its own docstring" is the one written at the definition, as griffe reads the source (which is
what the reference shows): a string after an assignment documents a constant or an alias; a
dataclass's generated signature is not a docstring, nor is a base class's.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

ROOT = Path(__file__).resolve().parents[1]
OURS = ("meshapi", "meshapi_core", "meshapi_httpx", "meshapi_aiohttp", "meshapi_wsproto")
_PUBLIC_TREES = (
    "meshapi_core",
    "meshapi_httpx",
    "meshapi_aiohttp",
    "meshapi_wsproto",
    "meshapi.testing",
)
_RESOURCE_TREES = ("meshapi._async.resources", "meshapi._sync.resources")
_SURFACES = ("meshapi._async.surface", "meshapi._sync.surface")


def _ours(module_name: Optional[str]) -> bool:
    return bool(module_name) and module_name.split(".", 1)[0] in OURS  # type: ignore[union-attr]


def _walk(package: str) -> Iterator[str]:
    """``package`` and every module under it, by dotted name."""
    yield package
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), package + "."):
        if info.name.endswith("__main__"):
            continue
        yield info.name


def checked_modules() -> List[str]:
    """The modules whose public names are checked, by dotted name."""
    names = ["meshapi", "meshapi.types", *_SURFACES]
    for tree in _PUBLIC_TREES:
        names += [m for m in _walk(tree) if not any(p.startswith("_") for p in m.split("."))]
    for tree in _RESOURCE_TREES:
        names += [m for m in _walk(tree) if m != tree]
    return list(dict.fromkeys(names))


def _public_names(module: Any) -> List[str]:
    explicit = getattr(module, "__all__", None)
    if explicit is not None:
        return [n for n in explicit if not n.startswith("__")]
    names = []
    for name, value in list(vars(module).items()):
        if name.startswith("_") or inspect.ismodule(value):
            continue
        defined_in = getattr(value, "__module__", None)
        if (inspect.isclass(value) or inspect.isfunction(value)) and defined_in != module.__name__:
            continue  # imported, documented where it is defined
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            if name in getattr(module, "__annotations__", {}) or _assigned_here(module, name):
                names.append(name)
            continue
        names.append(name)
    return names


def _assigned_here(module: Any, name: str) -> bool:
    """Whether ``name`` is assigned at the top of ``module``'s source (not imported)."""
    import ast

    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return False
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


class _Source:
    """The docstrings as written in the source, read with griffe (as mkdocstrings does)."""

    def __init__(self) -> None:
        import griffe

        self._griffe = griffe
        self._loader = griffe.GriffeLoader(search_paths=[str(ROOT)])
        self._packages: Dict[str, Any] = {}

    def _package(self, name: str) -> Any:
        if name not in self._packages:
            self._packages[name] = self._loader.load(name)
        return self._packages[name]

    def find(self, path: str) -> Any:
        """The griffe object at ``path`` (aliases followed), or ``None``."""
        top, _, rest = path.partition(".")
        obj = self._package(top)
        for part in rest.split(".") if rest else []:
            try:
                obj = obj.members[part]
            except KeyError:
                return None
            while obj.is_alias:
                try:
                    obj = obj.target
                except Exception:  # an alias griffe cannot resolve: look it up from the top
                    return self.find(obj.target_path) if obj.target_path != path else None
        return obj

    def has_docstring(self, path: str) -> Optional[bool]:
        """Whether the definition at ``path`` has a docstring; ``None`` if griffe lacks it."""
        obj = self.find(path)
        if obj is None:
            return None
        return bool(obj.docstring and obj.docstring.value.strip())


def _definition(module: Any, name: str, value: Any) -> Tuple[str, bool]:
    """Where ``module.name`` is defined (a dotted path), and whether that is in our code."""
    if inspect.ismodule(value):
        return value.__name__, _ours(value.__name__)
    if inspect.isclass(value) or inspect.isfunction(value):
        return f"{value.__module__}.{value.__qualname__}", _ours(value.__module__)
    return f"{module.__name__}.{name}", True


def _members(cls: type) -> Iterator[Tuple[type, str, Any]]:
    """The public methods and properties ``cls`` has from classes our packages define."""
    seen: Set[str] = set()
    for base in cls.__mro__:
        if not _ours(base.__module__):
            continue
        for name, value in vars(base).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if inspect.isfunction(value) or isinstance(value, (property, cached_property)):
                yield base, name, value


def _runtime_doc(value: Any) -> bool:
    if isinstance(value, property):
        value = value.fget
    elif isinstance(value, cached_property):
        value = value.func
    return bool(value.__dict__.get("__doc__") if inspect.isclass(value) else value.__doc__)


def missing_docstrings() -> List[str]:
    """Every public name without a docstring of its own, as ``module.name`` lines."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    source = _Source()
    missing: Dict[str, str] = {}
    classes: Dict[str, type] = {}
    for module_name in checked_modules():
        module = importlib.import_module(module_name)
        for name in _public_names(module):
            value = getattr(module, name)
            path, ours = _definition(module, name, value)
            if not ours or path in missing:
                continue
            documented = source.has_docstring(path)
            if documented is None:  # made at run time: what Python sees is all there is
                documented = _runtime_doc(value) if callable(value) else False
            if not documented:
                missing[path] = f"{module_name}.{name}"
            if inspect.isclass(value):
                classes[path] = value
    for cls in classes.values():
        for base, name, value in _members(cls):
            path = f"{base.__module__}.{base.__qualname__}.{name}"
            if path in missing:
                continue
            documented = source.has_docstring(path)
            if documented is None:
                documented = _runtime_doc(value)
            if not documented:
                missing[path] = path
    return sorted(
        path if shown == path else f"{path} (public as {shown})" for path, shown in missing.items()
    )


def public_definitions() -> Dict[str, str]:
    """Every public name of our packages, by the path it is defined at (the path the
    reference renders it under), with the name it is public as."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    source = _Source()
    found: Dict[str, str] = {}
    for module_name in checked_modules():
        module = importlib.import_module(module_name)
        for name in _public_names(module):
            value = getattr(module, name)
            path, ours = _definition(module, name, value)
            if not ours or inspect.ismodule(value):
                continue
            if not (inspect.isclass(value) or inspect.isfunction(value)):
                obj = source.find(path)
                path = obj.path if obj is not None else path
            found.setdefault(path, f"{module_name}.{name}")
    return found


VENDORED = ("assets/vendor/mermaid.min.js",)
"""The scripts the site ships (fetched, pinned, by ``scripts/docs-assets``), under docs/."""


def on_pre_build(config: Any, **kwargs: Any) -> None:
    """Refuse to build while any public name lacks its own docstring, or a script the site
    ships is not there."""
    from mkdocs.exceptions import PluginError

    absent = [name for name in VENDORED if not (Path(config["docs_dir"]) / name).is_file()]
    if absent:
        raise PluginError(
            f"{', '.join(absent)} is missing from docs/: run `bash scripts/docs-assets` "
            "(bash scripts/docs runs it)"
        )
    missing = missing_docstrings()
    if missing:
        listed = "\n  ".join(missing)
        raise PluginError(f"{len(missing)} public names have no docstring:\n  {listed}")


REFERENCE_SEARCH_BOOST = 0.3
"""How much a reference page (under ``reference/``) weighs in the site's search against a guide.

The reference repeats every word of the API in short headings (``retry_policy``,
``RetryEvent``...), which would otherwise rank above the guide a reader looks for ("retry"
should find "Errors and retries" first); the reference is a click away from the guide. A page
can set its own ``search: boost:`` in its front matter.
"""


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Rank the reference pages below the guides in the site's search."""
    if page.file.src_uri.startswith("reference/"):
        search = page.meta.setdefault("search", {})
        search.setdefault("boost", REFERENCE_SEARCH_BOOST)
    return markdown


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Refuse a build whose reference leaves out a public name."""
    from mkdocs.exceptions import PluginError

    autorefs = config.plugins.get("autorefs")
    rendered = set(getattr(autorefs, "_primary_url_map", {})) | set(
        getattr(autorefs, "_secondary_url_map", {})
    )
    if not rendered:  # autorefs changed its internals: nothing to check against
        return
    absent = sorted(
        path if shown == path else f"{path} (public as {shown})"
        for path, shown in public_definitions().items()
        if path not in rendered and shown not in rendered
    )
    if absent:
        listed = "\n  ".join(absent)
        raise PluginError(
            f"{len(absent)} public names are on no reference page (add a ::: directive for "
            f"them, or their module, to a page under docs/reference/):\n  {listed}"
        )
