"""Tree helpers: parse a page once (bounded), and read text out of it the way a reader sees it.

Every layer gets the one tree `parse_html` returns and must not modify it; code that prunes
(the trafilatura fallback) works on a copy of the smallest subtree it needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from extractors.embedded.values import clean

# Beyond this a page is cut: no landing page comes near it, and libxml2 already stops nesting
# at depth 256, so a hostile page costs at most one linear parse of this many characters.
MAX_HTML_CHARS = 20_000_000

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)

BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody "
    "td th thead tfoot tr ul caption".split()
)
SKIP_TAGS = frozenset(
    "script style noscript template button input select option textarea svg canvas iframe "
    "object embed head title meta link map area audio video source track".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def html_parser() -> lxml.html.HTMLParser:
    """An HTML parser that never touches the network and keeps libxml2's size limits."""
    return lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, huge_tree=False,
        default_doctype=False,
    )


def parse_html(text: str) -> HtmlElement | None:
    """The page's root element, or None when there is no markup at all (empty document)."""
    text = _XML_DECL.sub("", text[:MAX_HTML_CHARS], count=1).replace("\x00", "")
    if not text.strip():
        return None
    try:
        root = lxml.html.document_fromstring(text, parser=html_parser())
    except (lxml.etree.ParserError, ValueError):
        return None
    return root if isinstance(root, HtmlElement) else None


def base_url(tree: HtmlElement, url: str) -> str:
    """The URL relative links resolve against: <base href> joined onto the page URL."""
    for href in tree.xpath("/html/head/base/@href")[:1]:
        return urljoin(url, str(href).strip())
    return url


def absolute(href: str | None, base: str) -> str | None:
    href = clean(href)
    if not href or href.startswith(("javascript:", "mailto:", "#", "data:")):
        return None
    return urljoin(base, href)


def is_hidden(el: HtmlElement) -> bool:
    """Hidden from readers: `hidden`, aria-hidden, or an inline display:none."""
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def tokens(el: HtmlElement) -> list[str]:
    """An element's id and class tokens, lower-cased: what its markup says it is."""
    out = (el.get("class") or "").lower().split()
    if el.get("id"):
        out.append(el.get("id").lower())
    return out


def iter_lines(
    el: HtmlElement, drop: Callable[[HtmlElement], bool] | None = None
) -> Iterator[str]:
    """The element's text as paragraphs, lazily: block elements break lines, skipped and
    hidden parts (and those `drop` rejects) are left out, inline whitespace collapses.

    Hand-written rather than `itertext()` because that glues block elements together and
    reads <script>, buttons and hidden boxes as if they were text. Lazy so that a caller
    looking for something near the top stops reading there.
    """
    parts: list[str] = []
    skipped: HtmlElement | None = None  # its "end" event comes right after its "start"
    walker = lxml.etree.iterwalk(el, events=("start", "end"))
    for event, node in walker:
        if not isinstance(node.tag, str):  # comments and processing instructions
            if event == "end" and node is not el and node.tail:
                parts.append(node.tail)
            continue
        tag = node.tag.lower()
        if event == "start":
            if tag in SKIP_TAGS or (node is not el and (is_hidden(node) or (drop and drop(node)))):
                walker.skip_subtree()
                skipped = node
                continue
            if tag in BLOCK_TAGS:
                yield from _flush(parts)
            if node.text:
                parts.append(node.text)
            continue
        if node is skipped:
            skipped = None
        elif tag in BLOCK_TAGS:
            yield from _flush(parts)
        if node is not el and node.tail:
            parts.append(node.tail)
    yield from _flush(parts)


def _flush(parts: list[str]) -> Iterator[str]:
    line = clean("".join(parts))
    parts.clear()
    if line:
        yield line


def block_text(el: HtmlElement, drop: Callable[[HtmlElement], bool] | None = None) -> list[str]:
    """All of `iter_lines`: the element's paragraphs."""
    return list(iter_lines(el, drop))


def text_of(el: HtmlElement) -> str:
    """All of an element's readable text on one line."""
    return " ".join(block_text(el))


def first(items: Iterable[HtmlElement]) -> HtmlElement | None:
    return next(iter(items), None)
