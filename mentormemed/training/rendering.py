"""Markdown → sanitised HTML for module bodies (staff-authored, still never trusted)."""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set()}


def render_markdown(text: str) -> SafeString:
    """Render Markdown and strip anything outside a small allow-list (no scripts, styles, iframes, images).

    A ``# Heading`` in the body becomes h2 so the module title stays the page's only h1.
    """
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    html = html.replace("<h1", "<h2").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 — sanitised by nh3 just above
