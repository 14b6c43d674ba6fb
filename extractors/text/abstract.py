"""Abstracts read from the page: the element the markup calls the abstract, read directly;
failing that, trafilatura on a copy of the start of the main container, chrome pruned."""

from __future__ import annotations

import copy
import re

import lxml.html
from lxml.html import HtmlElement

from extractors.embedded.values import clean, split_keywords
from extractors.html import tokens
from extractors.jats import abstract_from_element
from extractors.record import Section
from extractors.text.chrome import in_chrome, is_chrome_text, prune, strip_chrome_lines

KEYWORDS_LINE = re.compile(
    r"^(?:key\s?words?|mots[- ]cl[ée]s|schlagw[öo]rter|stichw[öo]rter|n[øo]gleord|emneord|"
    r"palabras clave|palavras-chave|关键词|關鍵詞)\s*[:：]\s*(.+)$", re.I)
_LEADING_HEADING = re.compile(r"^\s*(?:abstract|summary|résumé|resumen|resumo|zusammenfassung|"
                              r"sammendrag|摘要)\s*[:：.]\s*", re.I)

# Headings that introduce an abstract, in the languages of the corpus.
ABSTRACT_HEADINGS = frozenset({
    "abstract", "summary", "résumé", "resume", "resumé", "resumen", "resumo", "riassunto",
    "zusammenfassung", "kurzfassung", "sammendrag", "sammanfattning", "abstrakt", "tiivistelmä",
    "samenvatting", "摘要", "内容摘要", "概要", "要旨", "초록", "аннотация", "structured abstract",
})
# Attribute-axis paths: libxml2 tests an attribute node far faster than an element predicate
# ("//*[contains(@class, ...)]" costs milliseconds on a large page; this, a tenth of that).
_ABSTRACT_XPATH = (
    '//@class[contains(translate(., "ABSTRCT", "abstrct"), "abstract")]/..'
    ' | //@id[contains(translate(., "ABSTRCT", "abstrct"), "abstract")]/..'
    ' | //@itemprop[. = "abstract"]/.. | //@property[. = "abstract"]/..'
    ' | //@role[. = "doc-abstract"]/..'
)
# Second choice when nothing is called "abstract": a box the markup calls the work's description
# (itemprop, "*-description") or its introduction ("page-header__intro", "standfirst", "lede").
_DESCRIPTION_XPATH = (
    '//@itemprop[. = "description"]/..'
    ' | //@class[contains(., "description") or contains(., "intro")'
    ' or contains(., "standfirst") or contains(., "lede")]/..'
)
_DESCRIPTION_TOKEN = re.compile(r"(?:paper|article|record|project|item)-description$|"
                                r"(?:^|[-_])(?:intro|standfirst|lede)$")
# An image standing for the heading (HTML galleys: <img alt="Abstract">).
_HEADING_IMAGE = (
    '//img[translate(normalize-space(@alt), "ABCDEFGHIJKLMNOPQRSTUVWXYZ",'
    ' "abcdefghijklmnopqrstuvwxyz")="abstract" or translate(normalize-space(@alt),'
    ' "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")="summary"]'
)
_NOT_ABSTRACT = re.compile(
    r"graphical|visual|video|reference|related|keyword|highlight|tldr|teaser|link|btn|button|"
    r"toggle|title|heading|label|^form|flags?$|help|lang|img|image|figure|tab$|tabs|menu|nav|"
    r"pill|trigger|expand|preview|truncat|translat|search|filter"
)
_NOT_BOX_TAGS = frozenset({"a", "button", "input", "textarea", "label", "select", "option", "img",
                           "h1", "h2", "h3", "h4", "h5", "h6", "nav", "meta", "link", "script",
                           "style", "form"})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
MIN_ABSTRACT = 80  # characters; shorter boxes are labels or empty shells
MAX_ABSTRACT = 20_000  # longer "abstract" boxes are full texts or whole pages
MAX_DESCRIPTION = 3000
MIN_PARAGRAPH = 80
# After the opening paragraphs, lines that end a description: author contact blocks and
# citation lines ("2024. Title, The Journal of Finance, vol 79(2), pages 1055-1085").
_NOT_PROSE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\borcid\b|\bvol\.? ?\d+\s*\(\d+\)|"
                        r"\bpages? \d+\s*[-–]\s*\d+|\bpp\. ?\d+", re.I)
_MAIN_XPATHS = ("//main", '//*[@role="main"]', "//article", '//*[@id="content"]',
                '//*[@id="main-content"]', '//*[@id="main"]', "//body")
_SPACES = re.compile(r"\s+")


# --- abstract ------------------------------------------------------------------------------


def _length(el: HtmlElement) -> int:
    """Characters of text under `el`, whitespace runs counted once (cheap: string() is C)."""
    return len(_SPACES.sub(" ", el.xpath("string()")).strip())


def _is_box(el: HtmlElement) -> bool:
    if not isinstance(el.tag, str) or el.tag in _NOT_BOX_TAGS:
        return False
    marks = tokens(el)
    if el.get("itemprop") == "abstract" or el.get("role") == "doc-abstract":
        return not any(_NOT_ABSTRACT.search(t) for t in marks)
    return any("abstract" in t for t in marks) and not any(_NOT_ABSTRACT.search(t) for t in marks)


def _under(el: HtmlElement, ancestor: HtmlElement) -> bool:
    return any(a is ancestor for a in el.iterancestors())


def abstract_box(tree: HtmlElement) -> HtmlElement | None:
    """The element holding the page's abstract, innermost that still holds most of it."""
    boxes = [el for el in tree.xpath(_ABSTRACT_XPATH) if _is_box(el) and not in_chrome(el)]
    box = _innermost(boxes)
    return box if box is not None else _box_after_heading(tree)


def description_box(tree: HtmlElement) -> HtmlElement | None:
    """The first box the markup calls the work's description or introduction: the page's
    summary when nothing is called its abstract (and its own description does not fit)."""
    return _innermost([e for e in tree.xpath(_DESCRIPTION_XPATH)
                       if (e.get("itemprop") == "description"
                           or any(_DESCRIPTION_TOKEN.search(t) for t in tokens(e)))
                       and not in_chrome(e)])


def _innermost(boxes: list[HtmlElement]) -> HtmlElement | None:
    """The first box of a plausible size, descending while a nested box keeps most of it."""
    for box in boxes:
        size = _length(box)
        if size == 0 and box.tag == "p":  # <p id=abstract><p>text</p></p>: the parser closed
            box = box.getnext()          # the empty box; the text is its next sibling
            if box is None or box.tag != "p":
                continue
            size = _length(box)
        if not MIN_ABSTRACT <= size <= MAX_ABSTRACT:
            continue
        while True:  # descend while a nested box keeps most of the text
            inner = next((b for b in boxes if b is not box and _under(b, box)
                          and _length(b) >= 0.6 * size), None)
            if inner is None:
                return box
            box, size = inner, _length(inner)
    return None


def _box_after_heading(tree: HtmlElement) -> HtmlElement | None:
    """A heading "Abstract"/"Summary"/"摘要": its section, or the siblings up to the next heading."""
    for image in tree.xpath(_HEADING_IMAGE):
        parent = image.getparent()
        if parent is not None and parent.tag == "p" and not in_chrome(image) \
                and MIN_ABSTRACT <= _length(parent) <= MAX_ABSTRACT:
            return parent
    for heading in tree.xpath("//h1|//h2|//h3|//h4|//h5|//h6|//dt"):
        label = clean(heading.text_content()).rstrip(":：").strip().casefold()
        if label not in ABSTRACT_HEADINGS or in_chrome(heading):
            continue
        parent = heading.getparent()
        if parent is not None and parent.tag not in ("body", "main", "article", "html"):
            if MIN_ABSTRACT <= _length(parent) - len(label) <= MAX_ABSTRACT:
                return parent
        box = lxml.html.Element("div")
        level = heading.tag
        for sib in heading.itersiblings():
            if not isinstance(sib.tag, str):
                continue
            if sib.tag in _HEADINGS and (level == "dt" or sib.tag <= level) or sib.tag == "dt":
                break
            box.append(copy.deepcopy(sib))
            box[-1].tail = sib.tail
        if MIN_ABSTRACT <= _length(box) <= MAX_ABSTRACT:
            return box
    return None


def abstract_from_box(box: HtmlElement) -> tuple[str, list[Section], list[str]]:
    """(abstract, sections, keywords) read from the abstract element, without chrome.

    A "Keywords: a; b" paragraph inside the box is split off as keywords."""
    pruned = prune(copy.deepcopy(box), box=True)
    text, sections = abstract_from_element(pruned)
    keywords: list[str] = []
    kept = []
    for paragraph in strip_chrome_lines(text).split("\n\n"):
        if m := KEYWORDS_LINE.match(paragraph.strip()):
            keywords = split_keywords(m.group(1))
        else:
            kept.append(paragraph)
    text = _LEADING_HEADING.sub("", "\n\n".join(kept), count=1)
    sections = [s for s in sections if not is_chrome_text(s.text)
                and not KEYWORDS_LINE.match(s.text)]
    return text, sections, keywords


# --- description (trafilatura fallback) and title -------------------------------------------


def main_container(tree: HtmlElement) -> HtmlElement | None:
    """The smallest landmark that holds the page's main text."""
    for xpath in _MAIN_XPATHS:
        found = [el for el in tree.xpath(xpath) if _length(el) >= MIN_ABSTRACT]
        if found:
            return max(found, key=_length) if xpath == "//article" else found[0]
    return None


def _leading_parts(container: HtmlElement, budget: int = 4 * MAX_DESCRIPTION) -> list[HtmlElement]:
    """The container's first children, enough to hold `budget` characters of text: a full text
    of 80,000 characters need not be copied and cleaned to describe it in 3,000."""
    while True:
        children = [c for c in container if isinstance(c.tag, str)]
        total = _length(container)
        big = [c for c in children[:50] if _length(c) >= 0.9 * total]
        if len(big) != 1:
            break
        container = big[0]  # a wrapper holding nearly all the text: look inside it
    parts, size = [], 0
    for child in children:
        parts.append(child)
        size += _length(child)
        if size >= budget:
            break
    return parts


def description_from_text(tree: HtmlElement) -> str:
    """The first paragraphs of the main text (trafilatura on the pruned main container)."""
    import trafilatura  # imported late: most pages never need it

    container = main_container(tree)
    if container is None:
        return ""
    body = lxml.html.Element("body")
    for part in _leading_parts(container):
        body.append(prune(copy.deepcopy(part)))
    html = lxml.html.Element("html")
    html.append(body)
    doc = trafilatura.bare_extraction(html, fast=True,
                                      include_comments=False, include_tables=False,
                                      with_metadata=False)
    text = getattr(doc, "text", None) or ""
    out: list[str] = []
    for line in (clean(x) for x in text.split("\n")):
        if is_chrome_text(line):
            continue
        if len(line) < MIN_PARAGRAPH:
            if out:  # a heading after the opening paragraphs: the next section starts
                break
            continue  # bylines, dates, labels above the text
        if out and (sum(map(len, out)) + len(line) > MAX_DESCRIPTION or _NOT_PROSE.search(line)):
            break
        out.append(line)
    return "\n\n".join(out)

