"""Wiley Online Library: an Atypon site of its own cut (loa-authors popups, h3 sub-titles in
article-section__abstract, badge keywords, data-bib-id references)."""

from __future__ import annotations

from typing import Any

from extractors.platforms import engine
from extractors.platforms.sections import RUN_IN_LABEL

NAME = "wiley"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("onlinelibrary.wiley.com", "wiley.com")
MARKERS = ("meta[property='og:site_name'][content='Wiley Online Library']", "div.loa-authors")

TABLE: dict[str, Any] = {
    "authors": {
        "item": [
            "div.loa-authors span.accordion__closed",
            "div.loa-wrapper div.accordion-tabbed__tab-mobile",
            "div.accordion-tabbed__tab-mobile",
        ],
        "name": ["a.author-name span", "a.author-name", "a"],
        "affiliations": ["div.author-info > p:not(.author-type):not(.author-name)",
                         "./p[not(@class)]"],
        "ignore": r"^(?:correspond|e-?mail|address reprint|contribution|joint first|†joint)",
        "orcid": ["a[href*='orcid.org']::attr(href)"],
        "drop": ["div.bottom-info", "a[href^='mailto:']"],
    },
    "abstract_sections": {
        "root": ["section.article-section__abstract div.article-section__content",
                 "div.abstract-group section.article-section__abstract"],
        "heading": ["h3", RUN_IN_LABEL],
    },
    "keywords": ["section.keywords li", "section.keywords a"],
    "references": {
        "item": ["section#references-section li[data-bib-id]", "ul.rlist.separator > li[data-bib-id]"],
        "drop": [".extra-links", ".getFTR", ".accessionId"],
        "doi": ["a[href*='doi.org/']::attr(href)"],
    },
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    return engine.extract(tree, url, TABLE)
