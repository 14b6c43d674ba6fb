"""Semantic Scholar paper pages: the DOI, citation count, the references list (title, link,
authors, venue, year) and related papers. Meta tags carry title and authors; TLDRs and the
"Excerpt" buttons are not citation text and are dropped."""

from __future__ import annotations

from typing import Any

from extractors.platforms import engine

NAME = "semanticscholar"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("semanticscholar.org",)
MARKERS = ("meta[name=s2-ui-version]", "div.fresh-paper-detail-page__header")

_PAPER_ROW: dict[str, Any] = {
    "title": ["h3.cl-paper-title"],
    "parts": [["h3.cl-paper-title"], ["span.cl-paper-authors a"],
              ["a.cl-paper-venue", "span.cl-paper-venue"], ["span.cl-paper-pubdates"]],
    "url": ["a[data-test-id=citation-paper-title]::attr(href)", "a.cl-paper-title::attr(href)",
            "h3.cl-paper-title/ancestor::a[1]/@href"],
    "drop": [".tldr-abstract-replacement", ".cl-paper-controls", ".cl-paper-controls__flags",
             "button", ".cl-paper-action"],
}

TABLE: dict[str, Any] = {
    "doi": ["[data-test-id=paper-doi]"],
    "citation_count": ["//h2[contains(normalize-space(), 'Citation')]",
                       "[data-test-id=scorecard-citation-intent]"],
    "references": {"item": ["div[data-test-id=reference] div.cl-paper-row"], **_PAPER_ROW},
    "related": {"item": ["#related-papers div.cl-paper-row", "div.similar-papers div.cl-paper-row"],
                **_PAPER_ROW},
    "keywords": ["[data-test-id=paper-fields-of-study] span", "span.paper-meta-item__fos"],
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    return engine.extract(tree, url, TABLE)
