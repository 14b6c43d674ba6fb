"""R Discovery (discovery.researcher.life) paper pages: an aggregator that shows the abstract
as one flat text ("Abstract Purpose The purpose ... Methods The study ..."), often ending in
the publisher's citation line ("Published in Journal of Sociology and Social Policy, 2022,
Vol. 43 No. 1/2, pp. 197-213. https://doi.org/..."). The flat text is split on the labels of
structured abstracts and the citation line read into container, year, volume, issue, pages
and DOI. "Talk to us", "Schedule a call" and the disclaimer are left where they are."""

from __future__ import annotations

import re
from typing import Any

from extractors.platforms import engine
from extractors.platforms.sections import abstract_text, split_labelled
from extractors.text.citation import parse_citation

NAME = "rdiscovery"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("discovery.researcher.life", "researcher.life")
MARKERS = ("meta[property='og:site_name'][content='R Discovery']",)

TABLE: dict[str, Any] = {
    "title": ["h1.paper-title", "h1"],
    "authors": {"item": ["div.paper-authors a.author-name", "ul.authors li"], "name": ["."]},
    "abstract": ["section.paper-abstract div.abstract-text", "div.abstract-text"],
    "keywords": ["div.paper-topics a", "ul.topics li"],
    "container": ["a.journal-name", "span.journal-name"],
    "citation_count": ["span.citation-count"],
    "related": {
        "item": ["section.similar-papers li", "div.related-papers li"],
        "title": ["a.paper-link", "a"],
        "url": ["a.paper-link::attr(href)", "a::attr(href)"],
        "parts": [["a.paper-link", "a"], ["span.authors"], ["span.source"]],
    },
}

_CITATION_LINE = re.compile(r"\s*Published in [^\n]{4,300}\s*$")


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    out = engine.extract(tree, url, TABLE)
    abstract, citation = citation_line(out.get("abstract", ""))
    for field, value in citation.items():
        out.setdefault(field, value)
    if sections := split_labelled(abstract):
        out["abstract_sections"] = sections
        abstract = abstract_text(sections)
    if abstract:
        out["abstract"] = abstract
    return out


def citation_line(text: str) -> tuple[str, dict[str, str]]:
    """(the text without a trailing 'Published in ...' line, the fields that line gives)."""
    m = _CITATION_LINE.search(text or "")
    fields = parse_citation(m.group(0)) if m else {}
    if not fields:
        return text, {}
    return text[:m.start()].rstrip(), fields
