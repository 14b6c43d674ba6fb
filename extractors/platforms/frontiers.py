"""Frontiers (www.frontiersin.org): numbered affiliations in ul.notes, the abstract,
keywords and the References blocks (citation text plus CrossRef link)."""

from __future__ import annotations

from typing import Any

from extractors.platforms import engine
from extractors.platforms.sections import RUN_IN_LABEL

NAME = "frontiers"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("frontiersin.org",)
MARKERS = ("div.JournalAbstract div.authors", "meta[name=citation_publisher][content='Frontiers']")

TABLE: dict[str, Any] = {
    "authors": {
        "item": ["div.JournalAbstract div.authors span.author", "div.authors span.author"],
        "name": ["a"],
        "affiliation_keys": ["sup"],
        "drop": ["sup"],
    },
    "affiliation_index": {
        "item": ["div.JournalAbstract ul.notes > li", "ul.notes > li"],
        "key": ["sup"],
        "drop": ["sup"],
    },
    "abstract_sections": {
        "root": ["div.JournalAbstract div.abstract-text", "div.JournalAbstract"],
        "heading": [RUN_IN_LABEL],
        "drop": ["h1", "div.authors", "ul.notes", "div.article-header-container", "p.keywords",
                 "div.keywords"],
    },
    "keywords": ["div.keywords a", "p.keywords a"],
    "references": {
        "item": ["div.References"],
        "text": ["p.ReferencesCopy1"],
        "doi": ["a[href*='doi.org/']::attr(href)"],
    },
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    return engine.extract(tree, url, TABLE)
