"""Open Journal Systems article pages (OJS 3 default theme, and OJS 2's #articleAbstract):
authors with affiliations and ORCIDs, abstract, keywords, references."""

from __future__ import annotations

import re
from typing import Any

from extractors.platforms import engine
from extractors.platforms.sections import RUN_IN_LABEL

NAME = "ojs"
PRIORITY = 60  # lower is tried first: hosts before generic software
MARKERS = ("meta[name=generator][content*='Open Journal Systems']", "div.obj_article_details",
           "div#articleAbstract")
URL_PATTERN = re.compile(r"/index\.php/[^/]+/article/view/")

TABLE: dict[str, Any] = {
    "authors": {
        "item": ["div.obj_article_details section.authors ul.authors > li",
                 "section.item.authors ul.authors > li", "ul.authors > li"],
        "name": ["span.name"],
        "affiliations": ["span.affiliation"],
        "orcid": ["span.orcid a::attr(href)", "a[href*='orcid.org']::attr(href)"],
    },
    "abstract_sections": {
        "root": ["section.item.abstract", "div#articleAbstract > div"],
        "heading": ["h3", RUN_IN_LABEL],
        "drop": ["h2.label"],
    },
    "keywords": ["section.item.keywords span.value", "div#articleSubject > div"],
    "references": {
        "item": ["section.item.references div.value > p", "div#articleCitations > div > p"],
        "doi": ["a[href*='doi.org/']::attr(href)"],
    },
}


def matches(url: str, tree: Any) -> bool:
    return bool(URL_PATTERN.search(url or "")) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    return engine.extract(tree, url, TABLE)
