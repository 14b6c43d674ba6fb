"""Aggregator JSON records like seed 003: flat keys (title, authors as one string, doi,
abstract, journal{name, volume, pages}, publicationDate, isOpenAccess, citationCount...),
as Chinese literature aggregators serve Semantic Scholar or PubMed data."""

from __future__ import annotations

import re
from typing import Any

from extractors.api._common import (
    as_list,
    build_record,
    doi_or_none,
    iso_date,
    keep,
    make_author,
    plain,
    to_bool,
    to_int,
    unique,
    work_type,
)
from extractors.jats import abstract_from_markup
from extractors.record import Author, Record

NAME = "aggregator"
HOSTS: tuple[str, ...] = ()  # many small sites; recognised by shape only
SIGNATURE = ("PeriodicalName", "publicationDate", "journal", "platform", "PMCID")
VOLUME_ISSUE = re.compile(r"^\s*(\d+)\s+(\d+)\s*$")  # "26 1": volume 26, issue 1


def sniff(data: Any) -> bool:
    if isinstance(data, list) and data:
        data = data[0]
    return (isinstance(data, dict) and isinstance(data.get("title"), str)
            and isinstance(data.get("authors"), str) and "doi" in data
            and any(k in data for k in SIGNATURE))


def parse_aggregator(url: str, data: dict[str, Any] | list[Any]) -> list[Record]:
    items = as_list(data) if isinstance(data, list) else [data]
    return keep(_record(url, d) for d in items if isinstance(d, dict))


def _record(url: str, d: dict[str, Any]) -> Record:
    journal = d.get("journal") if isinstance(d.get("journal"), dict) else {}
    volume, issue = plain(journal.get("volume")), None
    split = VOLUME_ISSUE.match(volume or "")
    if split:
        volume, issue = split.groups()
    pages = plain(journal.get("pages"))
    abstract, sections = abstract_from_markup(d.get("abstract") if isinstance(
        d.get("abstract"), str) else None)
    pmcid = plain(d.get("PMCID"))
    values = {
        "type": work_type(d.get("publicationTypes")),
        "title": plain(d.get("title")),
        "authors": _authors(d.get("authors")),
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(d.get("doi")) or doi_or_none(d.get("DOIUrl")),
        "identifiers": {"pmcid": pmcid} if pmcid else {},
        "container": plain(journal.get("name")) or plain(d.get("PeriodicalName")),
        "volume": volume,
        "issue": issue,
        "pages": pages if pages and pages.strip("0") else None,  # "0" means unknown
        "published": iso_date(d.get("publicationDate")) or iso_date(d.get("EPubDate")),
        "keywords": unique(plain(f) for f in as_list(d.get("fieldsOfStudy"))),
        "open_access": to_bool(d.get("isOpenAccess")),
        "citation_count": to_int(d.get("citationCount")),
    }
    return build_record(url, NAME, values)


def _authors(value: Any) -> list[Author]:
    """"A B, C D" or "A B; C D"; names in capitals ("THERESA ANASTI") are title-cased."""
    if not isinstance(value, str) or not value.strip():
        return []
    parts = re.split(r"\s*;\s*", value) if ";" in value else re.split(r"\s*,\s*", value)
    if len(parts) > 1 and any(len(p.split()) < 2 for p in parts):
        parts = [value]  # "Family, Given": one name, not two
    authors = []
    for part in parts:
        part = part.strip()
        if part.isupper():
            part = part.title()
        author = make_author(name=part, family=part.split()[-1] if " " in part else None)
        if author:
            authors.append(author)
    return authors

