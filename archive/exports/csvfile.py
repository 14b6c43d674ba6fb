"""CSV for spreadsheets: one row per record, flat columns, lists joined with "; ".

Cells that a spreadsheet would run as a formula (starting = + - @, tab or CR) get a
leading apostrophe: titles and abstracts come from the web (OWASP "CSV injection").
Open the output stream with newline="" (the csv module writes its own CRLF); for Excel,
encoding "utf-8-sig" makes it read UTF-8.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from extractors.record import Record

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _join(values: Iterable[str]) -> str:
    return "; ".join(v for v in values if v)


def _bool(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


def _relevance(record: Record) -> Any:
    return (record.relevance or {}).get("score")


# column -> how to get it from a Record. Order here is column order.
COLUMNS: dict[str, Callable[[Record], Any]] = {
    "type": lambda r: r.type,
    "title": lambda r: r.title,
    "authors": lambda r: _join(a.name for a in r.authors),
    "year": lambda r: r.year,
    "published": lambda r: r.published,
    "container": lambda r: r.container,
    "publisher": lambda r: r.publisher,
    "organisation": lambda r: r.organisation,
    "volume": lambda r: r.volume,
    "issue": lambda r: r.issue,
    "pages": lambda r: r.pages,
    "doi": lambda r: r.doi,
    "identifiers": lambda r: _join(f"{k}:{v}" for k, v in sorted(r.identifiers.items())),
    "keywords": lambda r: _join(r.keywords),
    "language": lambda r: r.language,
    "license": lambda r: r.license,
    "open_access": lambda r: _bool(r.open_access),
    "citation_count": lambda r: r.citation_count,
    "relevance_score": _relevance,
    "abstract": lambda r: r.abstract,
    "source_url": lambda r: r.source_url,
    "warc_file": lambda r: r.provenance.warc_file,
    "warc_record_id": lambda r: r.provenance.warc_record_id,
    "fetched_at": lambda r: r.provenance.fetched_at,
}


def safe_cell(value: Any) -> str:
    """The value as spreadsheet text that cannot start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(records: Iterable[Record], stream: TextIO) -> None:
    writer = csv.writer(stream)
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow(safe_cell(get(record)) for get in COLUMNS.values())
