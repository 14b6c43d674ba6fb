"""Emerald Insight (www.emerald.com/insight): contributor blocks with affiliations, the
structured abstract Emerald requires (Purpose, Design/methodology/approach, Findings...),
keywords and references. Two layouts: the 2019-2024 one (contrib-type="author",
intent_contributor_affiliate, #abstract) and the 2025 one (al-author-name, abstract section)."""

from __future__ import annotations

from typing import Any

from extractors.platforms import engine
from extractors.platforms.sections import RUN_IN_LABEL

NAME = "emerald"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("emerald.com", "emeraldinsight.com")
MARKERS = ("span.intent_contributor_affiliate", "div[contrib-type=author] a.contrib-search")

TABLE: dict[str, Any] = {
    "authors": {
        "item": ["div[contrib-type=author]", "div.al-author-name"],
        "given": ["span.given-names"],
        "family": ["span.surname"],
        "name": ["a.contrib-search", "a.linked-name", "a"],
        "affiliations": ["span.intent_contributor_affiliate", "div.al-author-info-wrap div.aff"],
        "split": r",\s+and\s+|\)\s*\(",
        "orcid": ["a[href*='orcid.org']::attr(href)"],
    },
    "abstract_sections": {
        "root": ["section#abstract", "div#abstract", "section.abstract"],
        "heading": ["h3", "div.Abstract__block__title", ".sec-title", RUN_IN_LABEL],
    },
    "keywords": ["ul#keywords_list .intent_text", "div.intent_keywords .intent_text",
                 "li .intent_text", "div.content-metadata-keywords a"],
    "references": {
        "item": ["div#references ol > li", "div.intent_references li", "div.ref-list div.ref-content"],
        "doi": ["a[href*='doi.org/']::attr(href)"],
        "drop": [".intent_reference_links", ".ref-links"],
    },
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    out = engine.extract(tree, url, TABLE)
    for author in out.get("authors", []):  # "(University of X, City, Country)" -> no brackets
        author.affiliations = [a.strip("() ") for a in author.affiliations]
    return out
