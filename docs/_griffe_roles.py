"""Render the SDK's docstrings for the reference pages.

The docstrings are written for readers of the source: Sphinx roles for cross-references
(``:class:`~meshapi_core.http.Timeout```), interactive examples (``>>> ...``) and ``::``
literal blocks. This griffe extension turns them into what mkdocstrings renders: autorefs
links (``[Timeout][meshapi_core.http.Timeout]``, which ``mkdocs build --strict`` checks, so a
reference to a name that does not exist fails the build), fenced ``pycon`` and ``python``
blocks.
"""

from __future__ import annotations

import re
from typing import Any, List

import griffe

_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj):`(~?)([\w.]+)`")
_BLOCK_INTRO = re.compile(r"^(?P<indent>\s*)(?P<text>.*\S)?::\s*$")
_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. code-block::\s*(?P<lang>\w+)\s*$")


class RolesExtension(griffe.Extension):
    """Rewrites every docstring once the object tree is complete."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value, obj)


def _qualify(target: str, obj: griffe.Object) -> str:
    if "." in target:
        return target
    # A bare name: the object's own module (or class) is where it lives.
    for scope in (obj if obj.is_class else obj.parent, obj.module):
        if scope is not None and target in getattr(scope, "members", {}):
            return f"{scope.path}.{target}"
    return f"{obj.module.path}.{target}"


_OURS = ("meshapi", "meshapi_core", "meshapi_httpx", "meshapi_aiohttp")


def _links(line: str, obj: griffe.Object) -> str:
    def link(match: "re.Match[str]") -> str:
        short, target = match.group(1), match.group(2)
        shown = target.rsplit(".", 1)[-1] if short else target
        if "." in target and target.split(".", 1)[0] not in _OURS:
            return f"`{shown}`"  # another library's name: shown, not linked (offline build)
        return f"[`{shown}`][{_qualify(target, obj)}]"

    return _ROLE.sub(link, line)


def rewrite(text: str, obj: griffe.Object) -> str:
    """``text`` with roles as links and examples and literal blocks fenced."""
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
                out.append(lines[i])
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
