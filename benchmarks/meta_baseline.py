"""Baseline: a record read from Highwire (citation_*) and Dublin Core meta tags alone.

What a plain meta-tag reader (Zotero's embedded-metadata translator, Google Scholar's
inclusion rules) sees: no JSON-LD, no page text, no platform knowledge. Written with
lxml in a few lines on purpose, so the comparison measures what the tags carry.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import html

# Field -> meta names, first present wins (Highwire first, then DC / DCTERMS / PRISM).
TITLE = ("citation_title", "dc.title", "dcterms.title")
AUTHORS = ("citation_author", "citation_authors", "dc.creator", "dcterms.creator")
DOI = ("citation_doi", "prism.doi", "dc.identifier", "dcterms.identifier")
DATE = (
    "citation_publication_date", "citation_date", "citation_cover_date", "citation_online_date",
    "citation_year", "dc.date", "dcterms.issued", "dcterms.date", "prism.publicationdate",
    "dcterms.created", "dc.date.issued",
)
CONTAINER = (
    "citation_journal_title", "citation_conference_title", "citation_book_title",
    "citation_inbook_title", "citation_technical_report_institution", "citation_dissertation_institution",
    "prism.publicationname", "dc.relation.ispartof", "dcterms.ispartof", "dc.source",
)
ABSTRACT = ("citation_abstract", "dcterms.abstract", "dc.description", "dcterms.description")
VOLUME = ("citation_volume", "prism.volume", "dc.citation.volume")
ISSUE = ("citation_issue", "prism.number", "dc.citation.issue")
PUBLISHER = ("citation_publisher", "dc.publisher", "dcterms.publisher")

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def meta_tags(body: bytes) -> dict[str, list[str]]:
    """Every <meta name|property=... content=...>, names lower-cased, ':' read as '.'."""
    tree = html.fromstring(body, parser=html.HTMLParser(encoding=_encoding(body)))
    tags: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        name = meta.get("name") or meta.get("property")
        content = meta.get("content")
        if name and content and content.strip():
            key = name.strip().lower().replace(":", ".")
            tags.setdefault(key, []).append(" ".join(content.split()))
    return tags


def extract(url: str, body: bytes) -> dict[str, Any]:
    """Record fields from the meta tags of one HTML page (the scorer's field names)."""
    tags = meta_tags(body)

    def first(names: tuple[str, ...]) -> str | None:
        for name in names:
            if tags.get(name):
                return tags[name][0]
        return None

    authors: list[str] = []
    for name in AUTHORS:
        if tags.get(name):
            authors = [a for value in tags[name] for a in _split_authors(value)]
            break
    doi = None
    for name in DOI:
        for value in tags.get(name, []):
            found = _DOI.search(value)
            if found:
                doi = found.group(0)
                break
        if doi:
            break
    date = first(DATE)
    year = _YEAR.search(date) if date else None
    first_page, last_page = first(("citation_firstpage",)), first(("citation_lastpage",))
    pages = f"{first_page}-{last_page}" if first_page and last_page else first_page
    return {
        "title": first(TITLE),
        "authors": authors,
        "doi": doi,
        "year": int(year.group(1)) if year else None,
        "published": date,
        "container": first(CONTAINER),
        "abstract": first(ABSTRACT),
        "volume": first(VOLUME),
        "issue": first(ISSUE),
        "pages": pages,
        "publisher": first(PUBLISHER),
    }


def _split_authors(value: str) -> list[str]:
    """One tag may hold several names ('A; B' in citation_authors, 'A, B' in dcterms.creator)."""
    if ";" in value:
        return [a.strip() for a in value.split(";") if a.strip()]
    return [value]


def _encoding(body: bytes) -> str | None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "utf-8"
