"""MDPI journals: authors with superscript numbers into a numbered affiliation list, the
abstract with bold run-in labels, keywords and the html-references list."""

from __future__ import annotations

from typing import Any

from extractors.platforms import engine

NAME = "mdpi"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("mdpi.com",)
MARKERS = ("div.art-authors span.inlineblock", "div.art-affiliations")

TABLE: dict[str, Any] = {
    "authors": {
        "item": ["div.art-authors span.inlineblock"],
        "name": ["div.profile-card-drop", "a.sciprofiles-link__link span.sciprofiles-link__name",
                 "a"],
        "affiliation_keys": ["sup"],
        "orcid": ["a[href*='orcid.org']::attr(href)"],
        "drop": ["sup"],
    },
    "affiliation_index": {
        "item": ["div.art-affiliations div.affiliation"],
        "key": ["div.affiliation-item sup", "sup"],
        "text": ["div.affiliation-name"],
    },
    "abstract_sections": {"root": ["div.art-abstract"], "heading": ["./b", "./strong"]},
    "keywords": ["div.art-keywords a"],
    "references": {
        "item": ["div.html-references ol > li", "ol.html-references > li"],
        "text": ["span.html-reference"],
        "doi": ["a[href*='doi.org/']::attr(href)"],
    },
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    return engine.extract(tree, url, TABLE)
