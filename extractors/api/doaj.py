"""DOAJ (Directory of Open Access Journals) article API: search results and single articles,
each a `bibjson` record (as in DOAJ's API and its JSON data dump)."""

from __future__ import annotations

from typing import Any

from extractors.api._common import (
    as_list,
    build_record,
    doi_or_none,
    iso_date,
    keep,
    language,
    make_author,
    page_range,
    plain,
    unique,
)
from extractors.jats import abstract_from_markup
from extractors.record import Record

NAME = "doaj"
HOSTS = ("doaj.org",)
PATH = "/api/"
ISSN_TYPES = ("eissn", "pissn")


def sniff(data: Any) -> bool:
    items = data.get("results") if isinstance(data, dict) and "results" in data else data
    first = next((i for i in as_list(items) if isinstance(i, dict)), None)
    return isinstance(first, dict) and isinstance(first.get("bibjson"), dict)


def parse_doaj(url: str, data: dict[str, Any] | list[Any]) -> list[Record]:
    """Articles of a DOAJ response: a search page ({"results": [...]}), one article, or a
    list of articles (JSON Lines); [] for errors and empty results."""
    if isinstance(data, dict) and "results" in data:
        items = as_list(data.get("results"))
    else:
        items = as_list(data) if isinstance(data, list) else [data]
    return keep(_article(url, a) for a in items if isinstance(a, dict)
                and isinstance(a.get("bibjson"), dict))


def _article(url: str, article: dict[str, Any]) -> Record:
    bib = article["bibjson"]
    journal = bib.get("journal") if isinstance(bib.get("journal"), dict) else {}
    ids = [i for i in as_list(bib.get("identifier")) if isinstance(i, dict)]
    by_type = {str(i.get("type", "")).lower(): plain(i.get("id")) for i in reversed(ids)}
    abstract, sections = abstract_from_markup(bib.get("abstract") if isinstance(
        bib.get("abstract"), str) else None)
    licences = [x for x in as_list(journal.get("license")) if isinstance(x, dict)]
    year, month = plain(bib.get("year")), plain(bib.get("month"))
    values = {
        "type": "article",
        "title": plain(bib.get("title")),
        "authors": [a for a in (make_author(p.get("name"), affiliations=[p.get("affiliation")],
                                            orcid=p.get("orcid_id"))
                                for p in as_list(bib.get("author")) if isinstance(p, dict)) if a],
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(by_type.get("doi")),
        "identifiers": _identifiers(article, by_type),
        "container": plain(journal.get("title")),
        "publisher": plain(journal.get("publisher")),
        "volume": plain(journal.get("volume")),
        "issue": plain(journal.get("number")),
        "pages": page_range(bib.get("start_page"), bib.get("end_page")),
        "published": iso_date(f"{year}-{int(month):02d}" if year and month and month.isdigit()
                              and 1 <= int(month) <= 12 else year),
        "keywords": unique(plain(k) for k in as_list(bib.get("keywords"))),
        "language": language(plain(journal.get("language"))),
        "license": next((plain(x.get("url")) or plain(x.get("type")) for x in licences), None),
        "open_access": True,  # DOAJ lists open access journals only
    }
    return build_record(url, NAME, values)


def _identifiers(article: dict[str, Any], by_type: dict[str, str | None]) -> dict[str, str]:
    out = {"doaj": plain(article.get("id"))}
    out["issn"] = next((by_type[t] for t in ISSN_TYPES if by_type.get(t)), None)
    return {k: v for k, v in out.items() if v}
