"""Markdown rendered safely: raw HTML is escaped and unsafe link schemes are refused."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

# "js-default" disables raw HTML and validates links (no javascript:, vbscript:, data:).
_renderer = MarkdownIt("js-default", {"linkify": False, "typographer": False})


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML that is safe to put in a page."""
    return Markup(_renderer.render(text or ""))
