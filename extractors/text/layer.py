"""The text layer as one step: what the page's visible text adds to the metadata layers.

`text_layer(tree, partials, url)` fills what the embedded and platform layers left empty,
cheapest first: title and DOI, byline and citation (on pages whose metadata names neither),
then the abstract from an element the markup calls the abstract, the page's own description,
a description or introduction box, and trafilatura only for projects, whose description is
their main text. `drop_cut_abstracts` first takes away metadata "abstracts" that are only
the start of the page's own text cut off (blog teasers).
"""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement
from rapidfuzz import fuzz

from extractors.embedded.values import is_teaser
from extractors.text.abstract import (
    abstract_box,
    abstract_from_box,
    description_box,
    description_from_text,
)
from extractors.text.header import citation_block, header_fields
from extractors.text.labelled import labelled_fields
from extractors.text.page import doi_from_urls, doi_in_header, page_headings, page_title

Partial = tuple[str, dict[str, Any]]
MIN_DESCRIPTION = 50  # characters: shorter descriptions are taglines
CUT_PROBE = 60  # characters of a description's end looked for in the page's text
_SENTENCE_END = re.compile(r"[.!?…)\]\"”’»]\s*$")
# Work types whose description is the page's main text (trafilatura may read it).
PROSE_DESCRIBED = frozenset({"project"})
# Fields the page's header or citation block may fill when no metadata gives them.
BYLINE_FIELDS = frozenset({"authors", "container", "published"})
# Sources that name the site, not the work's container: used only when nothing else says.
WEAK_SOURCES = frozenset({"embedded:og"})


def text_layer(tree: HtmlElement, partials: list[Partial], url: str) -> list[Partial]:
    """Page-text partials for what the metadata left empty: title, DOI, byline and citation,
    then abstract, cheapest first (an abstract element, then the page's own description;
    trafilatura only for pages whose work is described by their main text: projects)."""
    have = {k for _, p in partials for k, v in p.items() if v}
    out: list[Partial] = []
    if "title" not in have and (labelled := labelled_fields(tree)):
        out.append(("text:labels", labelled))
        have |= {k for k, v in labelled.items() if v}
    if "title" not in have and (title := page_title(tree)):
        out.append(("text:html", {"title": title}))
    else:  # the heading or <title> may hold the subtitle the metadata left off
        container = next((p["container"] for _, p in partials if p.get("container")), None)
        for heading in page_headings(tree, container):
            out.append(("text:html", {"title": heading}))
    title = next((p["title"] for _, p in [*partials, *out] if p.get("title")), "")
    if BYLINE_FIELDS - have and not _has_metadata(partials):
        for source, read in (("text:header", header_fields), ("text:citation", citation_block)):
            found = {k: v for k, v in read(tree, title).items() if k not in have}
            if found:
                out.append((source, found))
                have |= set(found)
    if "doi" not in have:
        if doi := doi_from_urls(tree, url):
            out.append(("text:url", {"doi": doi}))
        elif doi := doi_in_header(tree):
            out.append(("text:html", {"doi": doi}))
    if "abstract" in have:
        return out
    if (box := abstract_box(tree)) is not None:
        abstract, sections, keywords = abstract_from_box(box)
        if abstract:
            return [*out, ("text:html", {"abstract": abstract, "abstract_sections": sections,
                                         "keywords": keywords})]
    for source, found in partials:
        if _describes(found.get("description"), title):
            return [*out, (source, {"abstract": found["description"]})]
    if (box := description_box(tree)) is not None:
        abstract, sections, keywords = abstract_from_box(box)
        if abstract:
            return [*out, ("text:html", {"abstract": abstract, "abstract_sections": sections,
                                         "keywords": keywords})]
    kind = next((p["type"] for _, p in partials if p.get("type")), None)
    if kind not in PROSE_DESCRIBED:
        return out  # body prose is no abstract: blog posts, news, galleys have none
    description = description_from_text(tree)
    paragraphs = description.split("\n\n")
    if paragraphs and fuzz.ratio(paragraphs[0].casefold(), title.casefold()) > 90:
        description = "\n\n".join(paragraphs[1:])  # the heading repeated as a paragraph
    if description:
        out.append(("text:trafilatura", {"abstract": description}))
    return out


def _has_metadata(partials: list[Partial]) -> bool:
    """The page names its work's authors or container in embedded metadata (then a byline
    or citation line printed on it adds nothing and may belong to another work)."""
    return any(p.get("authors") or p.get("container") for s, p in partials
               if s.startswith("embedded:") and s not in WEAK_SOURCES)


def drop_cut_abstracts(tree: HtmlElement, partials: list[Partial]) -> list[Partial]:
    """Page metadata whose abstract or description is the start of the page's own text, cut
    off ("... the exekutiv"): a teaser of the body, not an abstract."""
    out = []
    for source, found in partials:
        for field in ("abstract", "description"):
            text = found.get(field)
            if source.startswith("embedded:") and text and _cut_short(text, tree):
                found = {k: v for k, v in found.items()
                         if k not in (field, "abstract_sections" if field == "abstract" else "")}
        out.append((source, found))
    return out


def _cut_short(text: str, tree: HtmlElement) -> bool:
    if _SENTENCE_END.search(text) or len(text) < MIN_DESCRIPTION:
        return False
    body = tree.find("body")
    if body is None:
        return False
    page = " ".join(body.xpath("string()").split())
    probe = " ".join(text.split())[-CUT_PROBE:]
    at = page.find(probe)
    rest = page[at + len(probe): at + len(probe) + 2] if at >= 0 else ""
    return bool(rest) and (rest[0].isalnum() or rest[0] == " " and rest[1:].islower())


def _describes(description: str | None, title: str) -> bool:
    """A page's own description fits as an abstract: it is about the work (shares a content
    word with the title) and is more than the title again (not "Abstract page for: <title>").
    Site-wide boilerplate ("Founded in 1920, the NBER is...") fails the first test."""
    if not description or len(description) < MIN_DESCRIPTION or is_teaser(description):
        return False  # "... weiterlesen →", "…": a teaser cut short, not a description
    if not title:
        return True
    if title.casefold() in description.casefold() and len(description) < len(title) + 80:
        return False
    words = {w for w in re.findall(r"\w{5,}", title.casefold())}
    return not words or bool(words & set(re.findall(r"\w{5,}", description.casefold())))
