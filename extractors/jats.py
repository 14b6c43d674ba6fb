"""Abstracts and inline markup to plain text, with structured abstracts split into sections.

Crossref serves abstracts as JATS fragments (`<jats:sec><jats:title>Purpose</jats:title>
<jats:p>...`), Europe PMC as HTML (`<h4>Objective</h4>...`), DataCite and titles carry inline
HTML (`<i>KRAS</i>`), and page text often holds labels inline ("Purpose The purpose of...").
One walker over an lxml tree serves fragments and page subtrees alike. Hand-written because
neither trafilatura nor lxml.html.clean keep heading/paragraph structure as labelled sections.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from lxml import etree

from extractors.encoding import repair_c1
from extractors.record import Section

MAX_MARKUP = 500_000  # characters; longer input is cut before parsing (bounded work)
MAX_DEPTH = 200  # deeper subtrees are read as flat text (no recursion limit on hostile trees)

HEADING_TAGS = frozenset({"title", "h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = frozenset({
    "abstract", "trans-abstract", "sec", "section", "p", "div", "list", "list-item", "li", "ul",
    "ol", "br", "table", "tr", "disp-quote", "blockquote", "article", "body", "statement",
})
SKIP_TAGS = frozenset({"script", "style", "head", "object", "alternatives-graphic"})
BOLD_TAGS = frozenset({"b", "strong", "bold"})
# Headings that name the whole abstract rather than a part of it.
GENERIC_HEADINGS = frozenset({"abstract", "summary", "background and abstract", "resumen",
                              "résumé", "zusammenfassung", "sammendrag", "resumé", "摘要"})

# Labels of structured abstracts (Emerald, IMRaD, clinical), for plain text with labels inline.
SECTION_LABELS: tuple[str, ...] = (
    "Background", "Introduction", "Context", "Purpose", "Aims", "Aim", "Objectives", "Objective",
    "Design/methodology/approach", "Design", "Setting", "Settings", "Participants", "Methods",
    "Method", "Methodology", "Approach", "Interventions", "Measurements", "Main outcome measures",
    "Results", "Findings", "Research limitations/implications", "Limitations",
    "Practical implications", "Social implications", "Policy implications", "Implications",
    "Originality/value", "Value", "Discussion", "Conclusions", "Conclusion", "Interpretation",
    "Trial registration", "Support/Funding Source", "Funding",
)

_PREFIX = re.compile(r"<(/?)[A-Za-z][\w.-]*:")  # <jats:p> -> <p>, </mml:math> -> </math>
_XMLNS = re.compile(r"\s+xmlns(?::[\w.-]+)?\s*=\s*(\"[^\"]*\"|'[^']*')")
_ATTR_PREFIX = re.compile(r"(\s)[A-Za-z][\w.-]*:([\w.-]+\s*=)")  # xlink:href= -> href=
_BARE_LT = re.compile(r"<(?![A-Za-z/!?])")  # "p < .001" in abstracts
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_BARE_AMP = re.compile(r"&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)")  # "R & D"
_XML_ENTITIES = frozenset({"lt", "gt", "amp", "quot", "apos"})
_SPACE = re.compile(r"\s+")
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?])(?=\s|$)|\s+([)\]}])")
_SPACE_AFTER = re.compile(r"([(\[{])\s+")
# "Abstract: ...", "ABSTRACT\n...", "Abstract Purpose ...": the word names the text; in
# "Summary of association tests ..." it is the text's first word and stays.
_LEADING_GENERIC = re.compile(
    r"^\s*(?:abstract|summary)(?:\s*[:.\-–—]\s*|[ \t]*\n\s*|\s+(?=(?-i:[A-Z0-9“\"'(]))|\s*$)", re.I)
# A keyword list run on at the end of an abstract ("... communal areas.Keywords: a, b, c").
_KEYWORDS_TAIL = re.compile(
    r"(?:(?<=[.!?])|\s+)(?:key\s?words?|index terms|mots[- ]cl[ée]s|palabras clave|"
    r"palavras[- ]chave|schlagw[öo]rter|n[øo]gleord)\s*[:：—–]\s*(?P<keywords>[^\n.]{1,500})\.?\s*$",
    re.I)
_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                          load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)


def clean_text(text: str | None) -> str:
    """Collapse whitespace and the spaces pretty-printed markup leaves inside brackets."""
    if not text:
        return ""
    text = _SPACE.sub(" ", repair_c1(text)).strip()
    text = _SPACE_BEFORE.sub(lambda m: m.group(1) or m.group(2), text)
    return _SPACE_AFTER.sub(r"\1", text)


def markup_to_text(markup: str | None) -> str:
    """One line of plain text from a title or name that may hold inline markup or entities."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return clean_text(markup)
    root = _parse_fragment(markup)
    if root is None:
        return clean_text(html.unescape(markup))
    parts = _Parts()
    _walk(root, parts)
    parts.flush()
    return clean_text(" ".join(piece for label, paras in parts.sections
                               for piece in ([label] if label else []) + paras))


def abstract_from_markup(markup: str | None) -> tuple[str, list[Section]]:
    """(plain abstract, sections) from a JATS or HTML fragment; sections only when structured."""
    if not markup or not markup.strip():
        return "", []
    if "<" not in markup:
        return abstract_from_text(html.unescape(markup))
    root = _parse_fragment(markup)
    if root is None:
        return abstract_from_text(html.unescape(markup))
    return abstract_from_element(root)


def abstract_from_element(element: etree._Element) -> tuple[str, list[Section]]:
    """(plain abstract, sections) from a parsed subtree: a JATS <abstract> or an HTML <div>."""
    parts = _Parts()
    _walk(element, parts)
    parts.flush()
    blocks = [(label, "\n\n".join(paras)) for label, paras in parts.sections if paras]
    labelled = [(label, text) for label, text in blocks if label]
    if len(labelled) < 2:  # one heading is a title, not a structure
        text = "\n\n".join(text for _, text in blocks)
        return abstract_from_text(text) if len(blocks) == 1 else (text, [])
    sections = [Section(label=label, text=text) for label, text in labelled]
    return join_sections(blocks), sections


def abstract_from_text(text: str | None, labels: Iterable[str] = SECTION_LABELS,
                       ) -> tuple[str, list[Section]]:
    """(plain abstract, sections) from plain text whose structure is only labels in the text.

    "Abstract Purpose The purpose ... Methods The study ..." gives Purpose and Methods
    sections; a leading "Abstract" is dropped. Paragraph breaks are kept.
    """
    if not text:
        return "", []
    text = _LEADING_GENERIC.sub("", text.strip(), count=1)
    paragraphs = [clean_text(p) for p in re.split(r"\n\s*\n", text)]
    flat = "\n\n".join(p for p in paragraphs if p)
    sections = split_labelled_text(text, labels)
    if len(sections) < 2:
        return flat, []
    return join_sections([(s.label, s.text) for s in sections]), sections


def split_labelled_text(text: str, labels: Iterable[str] = SECTION_LABELS) -> list[Section]:
    """Sections of plain text by known labels at the start, after a line break or a sentence.

    A label counts when followed by ':' / a dash / a line break, or by a capitalised word.
    """
    pattern = _label_pattern(tuple(labels))
    text = _LEADING_GENERIC.sub("", text.strip(), count=1)
    matches = list(pattern.finditer(text))
    if not matches or text[: matches[0].start()].strip():
        return []  # unlabelled text first: not a structured abstract
    sections = []
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        body = text[match.end(): following.start() if following else len(text)]
        body = clean_text(body)
        if body:
            sections.append(Section(label=match.group("label"), text=body))
    return sections


def split_keywords_tail(text: str) -> tuple[str, list[str]]:
    """(abstract, keywords) for an abstract that ends with its keyword list."""
    m = _KEYWORDS_TAIL.search(text or "")
    if not m or not text[: m.start()].strip():
        return text, []
    keywords = [k.strip() for k in re.split(r"[;,]", m.group("keywords")) if k.strip()]
    return text[: m.start()].rstrip(), keywords


def join_sections(blocks: Iterable[tuple[str | None, str]]) -> str:
    """The one-string form of a structured abstract: "Label: text" paragraphs."""
    out = []
    for label, text in blocks:
        out.append(f"{label}: {text}" if label else text)
    return "\n\n".join(out)


_label_cache: dict[tuple[str, ...], re.Pattern[str]] = {}


def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    if labels not in _label_cache:
        alternation = "|".join(re.escape(x) for x in sorted(labels, key=len, reverse=True))
        _label_cache[labels] = re.compile(
            r"(?:^|(?<=\n)|(?<=[.!?]\s)|(?<=[.!?][\"”’)]\s))"
            rf"(?P<label>{alternation})"
            r"(?:\s*[:–—]\s*|\s+-\s+|[ \t]*\n\s*|\s+(?=[A-Z0-9“\"'(]))"
        )
    return _label_cache[labels]


class _Parts:
    """Accumulates (label, paragraphs) while walking a tree."""

    def __init__(self) -> None:
        self.sections: list[tuple[str | None, list[str]]] = [(None, [])]
        self.buffer: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self.buffer.append(text)

    def flush(self) -> None:
        paragraph = clean_text("".join(self.buffer))  # inline runs join as written
        self.buffer = []
        if paragraph:
            self.sections[-1][1].append(paragraph)

    def heading(self, label: str) -> None:
        self.flush()
        label = clean_text(label).rstrip(":.").strip()
        labelled = any(name for name, _ in self.sections)
        if not label or label.casefold() in GENERIC_HEADINGS and not labelled:
            label = None  # "Abstract" over the text; a closing "Summary" section keeps its name
        if label is None and not self.sections[-1][1]:
            return
        if self.sections[-1][0] is None and not self.sections[-1][1]:
            self.sections[-1] = (label, [])
        else:
            self.sections.append((label, []))


def _local(tag: object) -> str | None:
    if not isinstance(tag, str):
        return None  # comment or processing instruction
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _walk(element: etree._Element, parts: _Parts, depth: int = 0) -> None:
    tag = _local(element.tag)
    if tag is None or tag in SKIP_TAGS:
        return
    if depth > MAX_DEPTH:
        parts.add("".join(element.itertext()))
        return
    if tag in HEADING_TAGS:
        parts.heading("".join(element.itertext()))
        return
    block = tag in BLOCK_TAGS
    if block:
        parts.flush()
        if tag == "p" and _bold_lead(element, parts):
            children = list(element)[1:]
            parts.add(element[0].tail)
        else:
            parts.add(element.text)
            children = list(element)
    else:
        parts.add(element.text)
        children = list(element)
    for child in children:
        _walk(child, parts, depth + 1)
        parts.add(child.tail)
    if block:
        parts.flush()


def _bold_lead(element: etree._Element, parts: _Parts) -> bool:
    """`<p><b>Background:</b> text</p>`: the bold run is the section label."""
    if (element.text or "").strip() or not len(element) or _local(element[0].tag) not in BOLD_TAGS:
        return False
    label = clean_text("".join(element[0].itertext()))
    known = label.rstrip(":.").strip().casefold() in {x.casefold() for x in SECTION_LABELS}
    if not (label.endswith(":") or known) or len(label) > 60:
        return False
    parts.heading(label)
    return True


def _parse_fragment(markup: str) -> etree._Element | None:
    text = markup[:MAX_MARKUP]
    text = _XMLNS.sub("", text)
    text = _PREFIX.sub(r"<\1", text)
    text = _ATTR_PREFIX.sub(r"\1\2", text)
    text = _BARE_LT.sub("&lt;", text)
    text = _BARE_AMP.sub("&amp;", text)
    text = _ENTITY.sub(_entity, text)
    try:
        return etree.fromstring(f"<fragment>{text}</fragment>".encode(), _PARSER)
    except etree.XMLSyntaxError:
        return None


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    decoded = html.unescape(match.group(0))
    return html.escape(decoded, quote=False) if decoded != match.group(0) else ""
