"""PLOS journals: affiliations in per-author popups, subject-area terms, numbered references."""

from __future__ import annotations

from typing import Any

from extractors.platforms import engine
from extractors.platforms.sections import RUN_IN_LABEL

NAME = "plos"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("journals.plos.org", "plos.org")
MARKERS = ("ul#author-list a.author-name",)

TABLE: dict[str, Any] = {
    "authors": {
        "item": ["ul#author-list > li"],
        "name": ["a.author-name"],
        # the popup lists affiliations in one <p>, one per line
        "affiliations": ["p[id^=authAffiliations]::text"],
        "split": r",?\s*\n\s*",
        "orcid": ["a[href*='orcid.org']::attr(href)"],
    },
    "abstract_sections": {"root": ["div.abstract-content"], "heading": ["h3", RUN_IN_LABEL]},
    "keywords": ["a.taxo-term"],
    "references": {
        "item": ["ol.references > li"],
        "drop": ["span.order", "ul"],
        "doi": ["a[href*='doi.org/']::attr(href)"],
    },
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    return engine.extract(tree, url, TABLE)
