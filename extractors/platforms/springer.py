"""Springer Nature pages (link.springer.com, nature.com, BMC, SpringerOpen): the shared
c-article-* layout. Meta tags carry authors; this adds numbered affiliations, structured
abstract sections, keywords and the reference list with DOIs."""

from __future__ import annotations

from typing import Any

from extractors.platforms import engine

NAME = "springer"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("link.springer.com", "nature.com", "biomedcentral.com", "springeropen.com")
MARKERS = ("meta[name=citation_springer_api_url]", "ul.c-article-author-list")

TABLE: dict[str, Any] = {
    "authors": {
        "item": ["ul[data-test=authors-list] > li", "ul.c-article-author-list > li"],
        "name": ["a[data-test=author-name]", "[itemprop=name]"],
        "affiliation_keys": ["sup a::attr(href)"],
        "orcid": ["a[href*='orcid.org']::attr(href)"],
    },
    "affiliation_index": {
        "item": ["ol.c-article-author-affiliation__list > li"],
        "key": ["@id"],
        "text": ["p.c-article-author-affiliation__address"],
    },
    "abstract_sections": {
        "root": ["#Abs1-content", "section[data-title=Abstract] div.c-article-section__content"],
        "heading": ["h3"],
    },
    "keywords": ["ul.c-article-subject-list li", "[data-test=keywords] li"],
    "references": {
        "item": ["ol.c-article-references > li", "ol[data-test=references-list] > li"],
        "text": ["p.c-article-references__text", "p[id^=ref-CR]"],
        "doi": ["a[href*='doi.org/']::attr(href)"],
        "url": ["p.c-article-references__text a::attr(href)", "p[id^=ref-CR] a::attr(href)"],
    },
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    return engine.extract(tree, url, TABLE)
