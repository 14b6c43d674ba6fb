"""RIS (the tagged format EndNote, Zotero and Mendeley import).

Written by hand: a RIS record is "TAG  - value" lines, and doing it here keeps rispy a
test-only dependency (the tests read every export back with rispy). The container goes
in T2 for every type, as Zotero writes it; JO would read as an abbreviation there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from extractors.record import Record

from .common import date_parts, kind_of, name_parts, one_line, page_range

# Record.identifiers keys written as SN.
SN_IDENTIFIERS = ("isbn", "issn")


def _author(author) -> str:
    family, given = name_parts(author)
    if family:
        return f"{family}, {given}" if given else family
    return one_line(author.name)


def _ris_date(published: str | None) -> str | None:
    parts = date_parts(published)
    if not parts:
        return None
    fields = [f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:]]
    return "/".join(fields + [""] * (3 - len(fields))) + "/"  # 2020/09/15/, 2020/09//, 2020///


def _lines(record: Record) -> Iterator[tuple[str, str | None]]:
    start, end = page_range(record.pages)
    yield "TY", kind_of(record).ris
    yield "TI", record.title
    for author in record.authors:
        yield "AU", _author(author)
    yield "T2", record.container
    yield "PY", str(record.year) if record.year else None
    yield "DA", _ris_date(record.published)
    yield "VL", record.volume
    yield "IS", record.issue
    yield "SP", start
    yield "EP", end
    yield "PB", record.publisher or record.organisation
    yield "DO", record.doi
    yield "UR", record.source_url
    yield "AB", record.abstract
    for keyword in record.keywords:
        yield "KW", keyword
    yield "LA", record.language
    for name in SN_IDENTIFIERS:
        yield "SN", record.identifiers.get(name)
    yield "ER", ""


def write_ris(records: Iterable[Record], stream: TextIO) -> None:
    for record in records:
        for tag, value in _lines(record):
            text = one_line(value)
            if text or tag == "ER":
                stream.write(f"{tag}  - {text}\n")
        stream.write("\n")
