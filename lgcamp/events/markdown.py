"""Markdown rendered safely: raw HTML is escaped and unsafe link schemes are refused."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

# "js-default" disables raw HTML and validates links (no javascript:, vbscript:, data:).
_renderer = MarkdownIt("js-default", {"linkify": False, "typographer": False})


@lru_cache(maxsize=512)
def _render(text: str) -> str:
    # A pure function of the text, so memoising it can never serve a stale page; rendering is
    # the largest part of an event page's work.
    return _renderer.render(text)


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML that is safe to put in a page."""
    return Markup(_render(text or ""))
