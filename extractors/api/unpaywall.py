"""Unpaywall API v2 (/v2/<doi>) and its snapshot records: open-access status and locations."""

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
    to_bool,
    work_type,
)
from extractors.record import Record

NAME = "unpaywall"
HOSTS = ("api.unpaywall.org",)


def sniff(data: Any) -> bool:
    if isinstance(data, list) and data:  # snapshot / JSON Lines
        data = data[0]
    return isinstance(data, dict) and "doi" in data and (
        "oa_status" in data or "z_authors" in data or "best_oa_location" in data)


def parse_unpaywall(url: str, data: dict[str, Any] | list[Any]) -> list[Record]:
    """One record per Unpaywall DOI object (a list for snapshot lines); [] for errors."""
    items = as_list(data) if isinstance(data, list) else [data]
    return keep(_record(url, d) for d in items
                if isinstance(d, dict) and not d.get("error") and d.get("doi"))


def _record(url: str, d: dict[str, Any]) -> Record:
    best = d.get("best_oa_location") if isinstance(d.get("best_oa_location"), dict) else {}
    issns = [s.strip() for s in str(d.get("journal_issns") or "").split(",") if s.strip()]
    issn = plain(d.get("journal_issn_l")) or (issns[0] if issns else None)
    values = {
        "type": work_type(d.get("genre")),
        "title": plain(d.get("title")),
        "authors": [a for a in map(_author, as_list(d.get("z_authors"))) if a],
        "doi": doi_or_none(d.get("doi")),
        "identifiers": {"issn": issn} if issn else {},
        "container": plain(d.get("journal_name")),
        "publisher": plain(d.get("publisher")),
        "published": iso_date(d.get("published_date")) or iso_date(d.get("year")),
        "license": plain(best.get("license")),
        "open_access": to_bool(d.get("is_oa")),
    }
    return build_record(url, NAME, values)


def _author(a: Any) -> Any:
    if not isinstance(a, dict):
        return None
    affiliations = [dig(x, "name") for x in as_list(a.get("affiliation"))]
    return make_author(name=a.get("name"), given=a.get("given"), family=a.get("family"),
                       affiliations=affiliations, orcid=a.get("ORCID"))
