"""The text layer: abstract, description and title read from the page's visible text.

Runs only for what the metadata layers left empty, and on the smallest subtree that holds it:
first an element the markup calls the abstract (class/id "abstract", a heading "Abstract"),
read directly; only if there is none, trafilatura on a copy of the main container with the
chrome (nav, cookie banners, share bars, "Talk to us"...) pruned away.
"""

from __future__ import annotations

import copy
import re
from urllib.parse import unquote

import lxml.html
from lxml.html import HtmlElement

from extractors.embedded.values import clean, doi_or_none, split_keywords
from extractors.html import SKIP_TAGS, block_text, is_hidden, iter_lines, tokens
from extractors.jats import abstract_from_element
from extractors.record import Section

# --- chrome: the page furniture that must never reach a record -----------------------------

# Not <form>: ASP.NET and old CMS pages wrap the whole page in one.
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "menu", "dialog"})
CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search",
                          "dialog", "alertdialog", "menu", "toolbar"})
CHROME_TOKEN = re.compile(
    r"(?:^|[-_])(?:cookies?|consent|gdpr|banner|breadcrumbs?|share|sharing|social|toolbar|"
    r"skip(?:link)?s?|navbar|nav|menu|footer|sidebar|newsletter|modal|popup|feedback|"
    r"advert|ads|recommend\w*|metrics|altmetric|hostname|page-component)(?:$|[-_])"
)
# Lines of text that are furniture wherever they appear (seen in the seeds and fixtures).
CHROME_TEXT: tuple[str, ...] = (
    r"^talk to us\b", r"^schedule a call\b", r"^join us for a \d+ min session",
    r"^disclaimer: all third-party content", r"^hostname: page-component",
    r"\brender date: \d{4}-", r"\bhas data issue: (?:true|false)", r"^spring til\b",
    r"^(?:hovedindhold|indholdsfortegnelse|sidefod|dansk da|english en)$",
    r"^(?:引用|收藏|相关论文|被引[:：]?\s*\d*|共\s*\d+\s*条|分享|下载|导出)$",
    r"^skip to (?:main )?content\b", r"^(?:jump to|back to top)\b",
    r"^(?:share|share on \w+|share via e-?mail|tweet|print|email)$",
    r"^rights (?:&|and) permissions\b", r"\[opens in a new window\]", r"^search for this author in",
    r"^(?:log in|sign in|sign up|register|subscribe)$",
    r"^(?:download|view) (?:pdf|citation|article)\b",
    r"\b(?:we|this (?:web)?site) uses? cookies\b", r"^(?:accept|reject|manage) (?:all )?cookies",
    r"^cookie (?:settings|preferences|policy)\b",
    # Article furniture inside abstract boxes: dates, DOI and copyright lines.
    r"^(?:received|accepted|published|revised)(?: online)?:? \d{1,2}\.? \w+ \d{4}\b",
    r"^doi:?\s*\S+$", r"^(?:https?://)?(?:dx\.)?doi\.org/\S+$", r"^(?:copyright\s*)?©\s*\d{4}\b",
    r"^this is an open[- ]access article\b", r"distributed under the terms of the creative commons",
    # Citation snippets pages show beside the work (BibTeX boxes).
    r"^@\w+\s*\{", r"^\w+\s*=\s*\{[^}]*\}?,?$",
)
# Anchored rules are tried at the start only; the few that may sit mid-line scan the line.
_CHROME_START = re.compile("|".join(f"(?:{p[1:]})" for p in CHROME_TEXT if p.startswith("^")),
                           re.I)
_CHROME_ANYWHERE = re.compile("|".join(f"(?:{p})" for p in CHROME_TEXT if not p.startswith("^")),
                              re.I)
MAX_CHROME_LINE = 600  # characters: furniture is short; longer lines are content
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
_ABSTRACT_XPATH = (
    '//*[contains(translate(@class, "ABSTRCT", "abstrct"), "abstract")'
    ' or contains(translate(@id, "ABSTRCT", "abstrct"), "abstract")'
    ' or @itemprop="abstract" or @property="abstract" or @role="doc-abstract"]'
)
# Second choice when nothing is called "abstract": a box the markup calls the work's description.
_DESCRIPTION_XPATH = (
    '//*[@itemprop="description" or contains(@class, "paper-description")'
    ' or contains(@class, "article-description") or contains(@class, "record-description")'
    ' or contains(@class, "project-description") or contains(@class, "item-description")]'
)
_NOT_ABSTRACT = re.compile(
    r"graphical|visual|video|reference|related|keyword|highlight|tldr|teaser|link|btn|button|"
    r"toggle|title|heading|label|^form|flags?$|help|lang|img|image|figure|tab$|tabs|menu|nav|"
    r"pill|trigger|expand|preview|truncat|translat|search|filter"
)
# Inside an abstract box: figures, keyword lists, subject tags and buttons are not the abstract.
BOX_NOISE = re.compile(
    r"graphical|visual|video|figure|^img|image|keyword|btn|button|toggle|tldr|highlights|physh|"
    r"subject|taxonom|disciplin|download|metrics"
)
BOX_NOISE_TAGS = frozenset({"figure", "img", "picture"})
_NOT_BOX_TAGS = frozenset({"a", "button", "input", "textarea", "label", "select", "option", "img",
                           "h1", "h2", "h3", "h4", "h5", "h6", "nav", "meta", "link", "script",
                           "style", "form"})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
MIN_ABSTRACT = 80  # characters; shorter boxes are labels or empty shells
MAX_ABSTRACT = 20_000  # longer "abstract" boxes are full texts or whole pages
MAX_DESCRIPTION = 3000
MIN_PARAGRAPH = 80
_MAIN_XPATHS = ("//main", '//*[@role="main"]', "//article", '//*[@id="content"]',
                '//*[@id="main-content"]', '//*[@id="main"]', "//body")
_SPACES = re.compile(r"\s+")
# Atypon, Wiley, SAGE, T&F, ACS URLs carry the DOI: /doi/10..., /doi/abs/10..., /doi/full/10...
_DOI_PATH = re.compile(r"/doi/(?:abs/|full/|pdf/|epdf/|book/|chapter/)?(10\.\d{4,9}/[^?#\s]+)",
                       re.I)
_LABELLED_DOI = re.compile(r"(?:\bdoi\s*:?\s*|doi\.org/)(10\.\d{4,9}/[^\s\"'<>]+)", re.I)
LONG_PARAGRAPH = 200
_TITLE_SPLIT = re.compile(r"\s+(?:\||::|»)\s+")
_SOFT_SPLIT = re.compile(r"\s+[-–—]\s+(?=[^-–—]*$)")  # the last " - " of a segment


def is_chrome(el: HtmlElement) -> bool:
    """Page furniture by its markup: nav/footer/aside, landmark roles, cookie/share/menu boxes."""
    if not isinstance(el.tag, str):
        return False
    if el.tag in CHROME_TAGS or (el.get("role") or "").lower() in CHROME_ROLES:
        return True
    return is_hidden(el) or any(CHROME_TOKEN.search(t) for t in tokens(el))


def is_chrome_text(line: str) -> bool:
    if len(line) > MAX_CHROME_LINE:
        return False
    return _CHROME_START.match(line) is not None or _CHROME_ANYWHERE.search(line) is not None


def strip_chrome_lines(text: str) -> str:
    """The text without furniture paragraphs (a last guard whatever layer produced it)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    kept = [p for p in paragraphs if not is_chrome_text(clean(p))]
    return "\n\n".join(p.strip() for p in kept)


def _prune(root: HtmlElement, box: bool = False) -> HtmlElement:
    """Remove skipped tags, hidden boxes, chrome and chrome lines from `root` (a copy);
    with `box`, also what sits inside abstract boxes without being abstract (BOX_NOISE)."""
    doomed = []
    for el in root.iter():
        if el is root or not isinstance(el.tag, str):
            continue
        if el.tag in SKIP_TAGS or is_chrome(el):
            doomed.append(el)
        elif box and (el.tag in BOX_NOISE_TAGS or any(BOX_NOISE.search(t) for t in tokens(el))):
            doomed.append(el)
        elif len(el) <= 3 and is_chrome_text(_SPACES.sub(" ", el.text_content()[:300]).strip()):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()  # keeps the tail text
    return root


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
    boxes = [el for el in tree.xpath(_ABSTRACT_XPATH) if _is_box(el) and not _in_chrome(el)]
    for find in (lambda: _innermost(boxes), lambda: _box_after_heading(tree),
                 lambda: _innermost([e for e in tree.xpath(_DESCRIPTION_XPATH) if not _in_chrome(e)])):
        if (box := find()) is not None:
            return box
    return None


def _innermost(boxes: list[HtmlElement]) -> HtmlElement | None:
    """The first box of a plausible size, descending while a nested box keeps most of it."""
    for box in boxes:
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


def _in_chrome(el: HtmlElement) -> bool:
    """Inside page furniture; an article's own <header>/<footer> is not furniture."""
    ancestors = [a for a in el.iterancestors() if isinstance(a.tag, str)]
    in_work = any(a.tag in ("article", "main") for a in ancestors)
    return any((a.tag in CHROME_TAGS and not (in_work and a.tag in ("header", "footer")))
               or (a.get("role") or "") in CHROME_ROLES for a in ancestors)


def _box_after_heading(tree: HtmlElement) -> HtmlElement | None:
    """A heading "Abstract"/"Summary"/"摘要": its section, or the siblings up to the next heading."""
    for heading in tree.xpath("//h1|//h2|//h3|//h4|//h5|//h6|//dt"):
        label = clean(heading.text_content()).rstrip(":：").strip().casefold()
        if label not in ABSTRACT_HEADINGS or _in_chrome(heading):
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
    pruned = _prune(copy.deepcopy(box), box=True)
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
        body.append(_prune(copy.deepcopy(part)))
    html = lxml.html.Element("html")
    html.append(body)
    doc = trafilatura.bare_extraction(html, fast=True,
                                      include_comments=False, include_tables=False,
                                      with_metadata=False)
    text = getattr(doc, "text", None) or ""
    out: list[str] = []
    for line in (clean(x) for x in text.split("\n")):
        if len(line) < MIN_PARAGRAPH or is_chrome_text(line):
            continue
        if out and sum(map(len, out)) + len(line) > MAX_DESCRIPTION:
            break
        out.append(line)
    return "\n\n".join(out)


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
    for title in tree.xpath("//head/title")[:1]:
        text = _TITLE_SPLIT.split(clean(title.text_content()))[0]
        if container and f": {container}" in text:
            text = text[: text.index(f": {container}")]
        if len(text) >= 8:
            out.append(text)
    return out


def page_title(tree: HtmlElement) -> str:
    """The work's title from headings and <title>, for pages with no metadata naming it."""
    whole, segments = "", []
    for title in tree.xpath("//head/title")[:1]:
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
    urls = [url, *tree.xpath('//head/link[@rel="canonical"]/@href'),
            *tree.xpath('//head/meta[@property="og:url"]/@content')]
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
