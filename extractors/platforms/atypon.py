"""Atypon Literatum journals: Taylor & Francis, SAGE, ACP and other societies.

Three generations of the same platform are in use: the classic one (T&F until ~2023:
NLM_contrib-group, abstractSection, article-card "recommended" boxes), the accordion one
(loa-accordion author popups, hlFld-Abstract with h2 section titles, references__item) and
SAGE's "core" pages (RDFa property= attributes). Each row below lists all three.
"""

from __future__ import annotations

from typing import Any

from extractors.platforms import engine
from extractors.platforms.sections import RUN_IN_LABEL

NAME = "atypon"
PRIORITY = 30  # lower is tried first: hosts before generic software
HOSTS = ("tandfonline.com", "journals.sagepub.com", "acpjournals.org", "liebertpub.com",
         "journals.uchicago.edu", "ahajournals.org", "pubs.rsna.org", "ascopubs.org")
MARKERS = ("span.NLM_contrib-group", "div.hlFld-Abstract", "section.core-authors",
           "div.loa-accordion")

TABLE: dict[str, Any] = {
    "authors": {
        "item": [
            "section.core-authors div[property=author]", ".core-authors [property=author]",
            "div.loa-accordion div.accordion-tabbed__tab",
            "span.NLM_contrib-group span.contribDegrees",
        ],
        "name": ["a.author-name span", "a.author-name::attr(title)", "a.entryAuthor::text",
                 "./a[1]"],
        "given": ["[property=givenName]"],
        "family": ["[property=familyName]"],
        "affiliations": [
            "[property=affiliation] [property=name]",
            "[property=affiliation]",
            "div.author-info > p:not(.author-type)",
            "span.overlay",
        ],
        "orcid": ["a[href*='orcid.org']::attr(href)"],
        "drop": ["div.bottom-info", "span.overlay a", ".corresponding-author"],
    },
    "abstract_sections": {
        "root": ["section#abstract", "div.hlFld-Abstract", "div.abstractSection",
                 "div.abstractInFull"],
        "heading": ["h2.article-section__title", "section section > h3", "h3", RUN_IN_LABEL],
        "drop": [".visual-abstract__figure", "figure", "a.scroll-offset"],
    },
    "keywords": [
        "section#keywords li", "section[property=keywords] li", "section.core-keywords li",
        "section.article__keyword li", "div.abstractKeywords a", "div.hlFld-KeywordText a",
    ],
    "references": {
        "item": [
            "section#bibliography div[role=listitem]",
            "li.references__item",
            "ul.references > li",
        ],
        "text": ["div.citation-content", "span.references__note"],
        "title": ["span.references__article-title"],
        "doi": ["a[href*='doi.org/']::attr(href)"],
        "drop": [".label", ".references__suffix", ".external-links", ".xlinks-container"],
    },
    "related": {
        "item": ["div.article-card", "div.relatedArt div.relatedItem"],
        "title": [".hlFld-Title a", ".art_title a", "a.ref"],
        "url": [".hlFld-Title a::attr(href)", ".art_title a::attr(href)", "a.ref::attr(href)"],
        "drop": [".article-type", ".access-icon"],
    },
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    return engine.extract(tree, url, TABLE)
