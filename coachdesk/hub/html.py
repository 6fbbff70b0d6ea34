"""A very small HTML builder for the dashboard: every string is escaped unless it is already
`Markup` (the output of `el`, `join` or `escape`), so a practice name, a user's name or a query
parameter can never become markup. There is no other way to write HTML in the hub: no template
with holes to forget an escape in."""

from __future__ import annotations

import html
from collections.abc import Iterable

_VOID = frozenset({"br", "circle", "hr", "input", "line", "link", "meta", "rect"})


class Markup(str):
    """Text that is already HTML (escaped or built here)."""

    __slots__ = ()


Child = Markup | str | int | None


def escape(value: object) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


def join(children: Iterable[Child]) -> Markup:
    return Markup("".join(escape(c) for c in children if c is not None))


def el(tag: str, *children: Child, **attrs: object) -> Markup:
    """<tag attrs>children</tag>. `class_` and `for_` stand for class and for; an attribute that is
    None or False is left out, True writes the bare name."""
    written = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        written_name = name.rstrip("_").replace("_", "-") if name.endswith("_") else name
        if value is True:
            written.append(f" {written_name}")
        else:
            written.append(f' {written_name}="{escape(value)}"')
    if tag in _VOID:
        # Self-closed: inside inline SVG (foreign content) a bare <circle> would swallow what follows.
        return Markup(f"<{tag}{''.join(written)} />")
    return Markup(f"<{tag}{''.join(written)}>{join(children)}</{tag}>")
