"""Publisher-written Markdown, rendered and sanitised for the page."""

from __future__ import annotations

import functools
import html

import markdown as md
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr", "abbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


def render_markdown(text: str) -> str:
    """HTML for a description: Markdown, then nh3 keeps only harmless tags,
    attributes and link schemes (raw HTML and javascript: links are dropped)."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
    )


@functools.lru_cache(maxsize=4096)
def plain_summary(text: str, length: int = 240) -> str:
    """The first words of a description as plain text (for result lists and feeds)."""
    # only the start is shown: render no more Markdown than needed (long descriptions are slow to parse)
    head = (text or "")[: length * 3]
    stripped = nh3.clean(md.markdown(head), tags=set())
    stripped = html.unescape(" ".join(stripped.split()))
    return stripped if len(stripped) <= length else stripped[: length - 1].rsplit(" ", 1)[0] + "…"
