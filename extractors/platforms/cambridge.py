"""Cambridge Core (www.cambridge.org/core): author rows with their own affiliations, the
structured abstract, keywords, the licence, and the references list.

Skipped on purpose: the render banner ("Hostname: page-component-...", "Total loading time"),
"Rights & Permissions [Opens in a new window]", the correspondence note and figure captions.
"""

from __future__ import annotations

from typing import Any

from extractors.platforms import engine
from extractors.platforms.sections import RUN_IN_LABEL

NAME = "cambridge"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("cambridge.org",)
MARKERS = ("div.contributors-details", "div.row.author dt",
           "meta[name=citation_publisher][content*='Cambridge University Press']")

TABLE: dict[str, Any] = {
    "title": ["h1#maincontent::text", "#maincontent h1::text", "h1.article-title::text"],
    "authors": {
        "item": ["div.contributors-details div.row.author", "div.author"],
        "name": ["dt.title", "dt", ".contributor-type__contributor"],
        # one affiliation per text node or element inside the flex box, after its label
        "affiliations": ["./dd//div[contains(@class, 'd-sm-flex')]//text()[normalize-space()]",
                         "div.affiliation", "span.affiliation"],
        "ignore": r"^affiliations?\s*:?$|@|^\*$",
        "orcid": ["a[href*='orcid.org']::attr(href)"],
        "drop": ["sup", "span.corresp", "span.label"],
    },
    "abstract_sections": {
        "root": ["div.abstract[data-abstract-type=normal]", "div.abstract"],
        "heading": ["h3", "h4", "div.title", RUN_IN_LABEL],
    },
    "keywords": ["div.keywords a", "div.keywords span.keyword", ".keywords__pill"],
    "license": [".open-access a[href*='creativecommons.org/licenses']::attr(href)",
                "a[rel=license]::attr(href)",
                ".article-information a[href*='creativecommons.org/licenses']::attr(href)"],
    "references": {
        "item": ["div#references-list div.circle-list__item", "div.references div.ref"],
        "text": ["span.circle-list__item__grouped", "div.circle-list__item__content", "."],
        "drop": [".circle-list__item__number", "div.ref-link", ".ref-links"],
        "doi": ["a[href*='doi.org/']::attr(href)"],
    },
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    return engine.extract(tree, url, TABLE)
