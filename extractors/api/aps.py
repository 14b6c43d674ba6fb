"""APS harvest API (harvest.aps.org/v2/journals/articles/...): article metadata as JSON, a
"data" list of articles with authors (persons and collaborations), numbered affiliations,
abstract as HTML, journal, volume, issue, first page and rights."""

from __future__ import annotations

from typing import Any

from extractors.api._common import (
    as_list,
    build_record,
    dig,
    doi_or_none,
    iso_date,
    keep,
    make_author,
    plain,
    unique,
    work_type,
)
from extractors.jats import abstract_from_markup
from extractors.record import Record

NAME = "aps"
HOSTS = ("harvest.aps.org",)


def sniff(data: Any) -> bool:
    items = data.get("data") if isinstance(data, dict) else None
    first = items[0] if isinstance(items, list) and items else None
    return (isinstance(first, dict) and isinstance(first.get("journal"), dict)
            and isinstance(first.get("identifiers"), dict) and "authors" in first)


def parse_aps(url: str, data: dict[str, Any] | list[Any]) -> list[Record]:
    """One record per article of the response's "data" list; [] for errors."""
    if not isinstance(data, dict):
        return []
    return keep(_article(url, a) for a in as_list(data.get("data")) if isinstance(a, dict))


def _article(url: str, a: dict[str, Any]) -> Record:
    affiliations = {x.get("id"): plain(x.get("name")) for x in as_list(a.get("affiliations"))
                    if isinstance(x, dict)}
    abstract, sections = abstract_from_markup(_value(a.get("abstract")))
    licences = [x for x in as_list(dig(a, "rights", "licenses")) if isinstance(x, dict)]
    values = {
        "type": work_type(a.get("articleType") or a.get("type")),
        "title": plain(_value(a.get("title"))),
        "authors": [x for x in (_author(p, affiliations) for p in as_list(a.get("authors"))) if x],
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(dig(a, "identifiers", "doi")) or doi_or_none(a.get("id")),
        "container": plain(dig(a, "journal", "name")),
        "publisher": plain(dig(a, "publisher", "name")),
        "volume": plain(dig(a, "volume", "number")),
        "issue": plain(dig(a, "issue", "number")),
        "pages": plain(a.get("pageStart")),
        "published": iso_date(a.get("date")),
        "keywords": unique(plain(dig(s, "label")) for s in
                           as_list(dig(a, "classificationSchemes", "subjectAreas"))),
        "license": next((plain(x.get("url")) for x in licences if x.get("url")), None),
        "open_access": True if dig(a, "rights", "creativeCommons") is True else None,
        "funding": unique(plain(dig(f, "funderName")) for f in as_list(a.get("fundings"))),
    }
    return build_record(url, NAME, values)


def _value(field: Any) -> Any:
    """{"value": "<p>...</p>", "format": "html"} or a bare string."""
    return field.get("value") if isinstance(field, dict) else field


def _author(p: Any, affiliations: dict[Any, str | None]) -> Any:
    if not isinstance(p, dict):
        return None
    affs = [affiliations.get(i) for i in as_list(p.get("affiliationIds"))]
    if p.get("type") == "Person" and p.get("surname"):
        return make_author(given=p.get("firstname"), family=p.get("surname"), affiliations=affs)
    return make_author(name=p.get("name"), affiliations=affs)  # a collaboration
