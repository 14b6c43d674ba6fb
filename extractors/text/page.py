"""Title and DOI from the page's own text, for pages whose metadata leaves them out."""

from __future__ import annotations

import re
from urllib.parse import unquote

from lxml.html import HtmlElement

from extractors.embedded.values import clean, doi_or_none
from extractors.html import block_text, iter_lines
from extractors.text.chrome import is_chrome, is_chrome_text

# Atypon, Wiley, SAGE, T&F, ACS URLs carry the DOI: /doi/10..., /doi/abs/10..., /doi/full/10...
_DOI_PATH = re.compile(r"/doi/(?:abs/|full/|pdf/|epdf/|book/|chapter/)?(10\.\d{4,9}/[^?#\s]+)",
                       re.I)
_LABELLED_DOI = re.compile(r"(?:\bdoi\s*:?\s*|doi\.org/)(10\.\d{4,9}/[^\s\"'<>]+)", re.I)
LONG_PARAGRAPH = 200
_TITLE_SPLIT = re.compile(r"\s+(?:\||::|»)\s+")
_SOFT_SPLIT = re.compile(r"\s+[-–—]\s+(?=[^-–—]*$)")  # the last " - " of a segment


def title_segments(title: str) -> list[str]:
    """"Work | Site", "Work - site/123": the parts of a <title>, site names split off."""
    parts = [p for p in _TITLE_SPLIT.split(clean(title)) if p]
    out = []
    for part in parts:
        m = _SOFT_SPLIT.search(part)
        out.append(part[: m.start()] if m and len(part) - m.end() <= 40 and m.start() >= 10
                   else part)
    return out


def page_headings(tree: HtmlElement, container: str | None = None) -> list[str]:
    """The first <h1> and the <title> (cut before the journal's name or a " | Site" part):
    where a work's full title shows when its metadata gives only the main title."""
    out = []
    for h1 in tree.xpath("//h1")[:3]:
        if len(text := clean(" ".join(block_text(h1)))) >= 8:
            out.append(text)
            break
    for title in tree.xpath("/html/head/title")[:1]:
        text = _TITLE_SPLIT.split(clean(title.text_content()))[0]
        if container and f": {container}" in text:
            text = text[: text.index(f": {container}")]
        if len(text) >= 8:
            out.append(text)
    return out


def page_title(tree: HtmlElement) -> str:
    """The work's title from headings and <title>, for pages with no metadata naming it."""
    whole, segments = "", []
    for title in tree.xpath("/html/head/title")[:1]:
        whole = clean(title.text_content())
        segments = sorted(title_segments(whole), key=len, reverse=True)
    headings = [clean(" ".join(block_text(h))) for h in tree.xpath("//h1|//h2")[:6]]
    headings = [h for h in headings if 8 <= len(h) <= 400 and not is_chrome_text(h)]
    for candidate in filter(None, [whole, *segments]):  # a heading the <title> repeats
        if any(h.casefold() == candidate.casefold() for h in headings):
            return candidate
    if segments and len(segments[0]) >= 8:
        return segments[0]
    return headings[0] if headings else ""


def doi_from_urls(tree: HtmlElement, url: str) -> str | None:
    """The DOI in the page's own URL, canonical link or og:url (publisher /doi/ paths)."""
    urls = [url, *tree.xpath('/html/head/link[@rel="canonical"]/@href'),
            *tree.xpath('/html/head/meta[@property="og:url"]/@content')]
    for candidate in urls:
        text = unquote(str(candidate))
        if m := _DOI_PATH.search(text):
            return doi_or_none(m.group(1))
        if re.match(r"^https?://(?:dx\.)?doi\.org/", text):
            return doi_or_none(text)
    return None


def doi_in_header(tree: HtmlElement) -> str | None:
    """A DOI printed with its label ("doi:10...", a doi.org link) in the text above the first
    long paragraph: where a page states its own. Later DOIs are references'."""
    body = tree.find("body")
    if body is None:
        return None
    for line in iter_lines(body, drop=is_chrome):
        if len(line) > LONG_PARAGRAPH:
            return None
        if m := _LABELLED_DOI.search(line):
            return doi_or_none(m.group(1))
    return None
