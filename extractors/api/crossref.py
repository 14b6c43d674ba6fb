"""Crossref REST API: /works/<doi> (message-type "work"), /works searches and cursor pages
("work-list"), and the bare work object of content negotiation (CSL-JSON transform)."""

from __future__ import annotations

import re
from typing import Any

from extractors.api._common import (
    as_list,
    build_record,
    date_from_parts,
    dig,
    doi_or_none,
    keep,
    language,
    make_author,
    plain,
    to_int,
    unique,
    work_type,
)
from extractors.jats import abstract_from_markup
from extractors.record import Record, Reference

NAME = "crossref"
HOSTS = ("api.crossref.org",)
# Publication dates, most telling first: "issued" is Crossref's earliest known publication.
DATE_FIELDS = ("issued", "published", "published-print", "published-online")
# Licence entries by content version; a Creative Commons URL wins over all of them. Text-
# and-data-mining licences are left out: they are not the reader's licence (Springer even
# files its TDM URL under "vor").
LICENSE_ORDER = ("vor", "unspecified", "am", "stm-asf")
TDM = re.compile(r"tdm|text-and-data-mining", re.I)
BOOK_TYPES = frozenset({"chapter", "book"})


def sniff(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    if "message-type" in data and "message" in data:
        return True
    return bool(data.get("DOI")) and (data.get("source") == "Crossref" or "member" in data)


def parse_crossref(url: str, data: dict[str, Any] | list[Any]) -> list[Record]:
    """Works in a Crossref response; [] for errors and for non-work messages."""
    if not isinstance(data, dict):
        return []
    if "message" in data:
        if data.get("status") != "ok":
            return []
        kind, message = data.get("message-type"), data.get("message")
        if kind == "work":
            items = [message]
        elif kind == "work-list":
            items = as_list(dig(message, "items"))
        else:
            return []
    else:
        items = [data]
    return keep(_work(url, item) for item in items if isinstance(item, dict))


def _work(url: str, m: dict[str, Any]) -> Record:
    kind = work_type(m.get("type"))
    abstract, sections = abstract_from_markup(m.get("abstract"))
    issns = _by_type(m, "issn-type", "ISSN")
    isbns = _by_type(m, "isbn-type", "ISBN")
    values = {
        "type": kind,
        "title": _title(m),
        "authors": [a for a in map(_author, as_list(m.get("author"))) if a],
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(m.get("DOI")),
        "identifiers": {k: v for k, v in (("issn", issns[0] if issns else None),
                                          ("eissn", issns[1] if len(issns) > 1 else None),
                                          ("isbn", isbns[0] if isbns else None)) if v},
        "container": _container(m, kind),
        "publisher": plain(m.get("publisher")),
        "volume": plain(m.get("volume")),
        "issue": plain(m.get("issue")) or plain(dig(m, "journal-issue", "issue")),
        "pages": plain(m.get("page")) or plain(m.get("article-number")),
        "published": next(filter(None, (date_from_parts(m.get(f)) for f in DATE_FIELDS)), None),
        "keywords": unique(plain(s) for s in as_list(m.get("subject"))),
        "language": language(m.get("language")),
        "license": _license(as_list(m.get("license"))),
        "citation_count": to_int(m.get("is-referenced-by-count")),
        "references": [r for r in map(_reference, as_list(m.get("reference"))) if r],
        "funding": unique(map(_funder, as_list(m.get("funder")))),
    }
    return build_record(url, NAME, values)


def _title(m: dict[str, Any]) -> str | None:
    title, subtitle = plain(m.get("title")), plain(m.get("subtitle"))
    if title and subtitle and not title.casefold().endswith(subtitle.casefold()):
        return f"{title}: {subtitle}"
    return title


def _author(a: Any) -> Any:
    if not isinstance(a, dict):
        return None
    affiliations = [x.get("name") for x in as_list(a.get("affiliation")) if isinstance(x, dict)]
    return make_author(name=a.get("name"), given=a.get("given"), family=a.get("family"),
                       affiliations=affiliations, orcid=a.get("ORCID"))


def _container(m: dict[str, Any], kind: str | None) -> str | None:
    titles = [t for t in as_list(m.get("container-title")) if isinstance(t, str) and t.strip()]
    if not titles:
        return plain(m.get("short-container-title")) or plain(m.get("container-title-short"))
    # Chapters list the series first and the book last ("Synthese Library", "<book>").
    return plain(titles[-1] if kind in BOOK_TYPES else titles[0])


def _by_type(m: dict[str, Any], typed: str, flat: str) -> list[str]:
    """ISSNs/ISBNs, print first: from issn-type/isbn-type where given, else the flat list."""
    pairs = [(x.get("type"), x.get("value")) for x in as_list(m.get(typed)) if isinstance(x, dict)]
    pairs.sort(key=lambda p: p[0] != "print")
    values = [v for _, v in pairs if isinstance(v, str)] or as_list(m.get(flat))
    return unique(plain(v) for v in values)


def _license(entries: list[Any]) -> str | None:
    usable = [e for e in entries if isinstance(e, dict) and isinstance(e.get("URL"), str)]
    for entry in usable:
        if "creativecommons.org" in entry["URL"]:
            return entry["URL"].strip()
    for version in LICENSE_ORDER:
        for entry in usable:
            if entry.get("content-version") == version and not TDM.search(entry["URL"]):
                return entry["URL"].strip()
    return None


def _reference(ref: Any) -> Reference | None:
    if not isinstance(ref, dict):
        return None
    text = plain(ref.get("unstructured"))
    doi = doi_or_none(ref.get("DOI"))
    title = plain(ref.get("article-title")) or plain(ref.get("volume-title"))
    if not (text or doi or title):
        return None
    return Reference(text=text, doi=doi, title=title)


def _funder(funder: Any) -> str | None:
    name = plain(dig(funder, "name"))
    awards = unique(plain(a) for a in as_list(dig(funder, "award")))
    if name and awards:
        return f"{name} ({', '.join(awards)})"
    return name
