"""CSL-JSON: the item format citeproc engines (Zotero, Pandoc, citeproc-py) format from."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from extractors.record import Author, Record

from .common import citation_keys, date_parts, kind_of, name_parts, one_line, page_range

# Record.identifiers keys -> CSL variables.
IDENTIFIERS = {"isbn": "ISBN", "issn": "ISSN", "pmid": "PMID", "pmcid": "PMCID"}


def _name(author: Author) -> dict[str, str]:
    family, given = name_parts(author)
    if family:
        return {"family": family, "given": given} if given else {"family": family}
    return {"literal": one_line(author.name)}


def csl_item(record: Record, key: str) -> dict[str, Any]:
    start, end = page_range(record.pages)
    parts = date_parts(record.published)
    item: dict[str, Any] = {
        "id": key,
        "type": kind_of(record).csl,
        "title": one_line(record.title),
        "author": [_name(a) for a in record.authors],
        "issued": {"date-parts": [parts]} if parts else None,
        "container-title": record.container,
        "publisher": record.publisher or record.organisation,
        "volume": record.volume,
        "issue": record.issue,
        "page": f"{start}-{end}" if end else start,
        "DOI": record.doi,
        "URL": record.source_url,
        "abstract": record.abstract,
        "keyword": ", ".join(k for k in record.keywords if k) or None,
        "language": record.language,
    }
    for name, variable in IDENTIFIERS.items():
        item[variable] = record.identifiers.get(name)
    return {k: v for k, v in item.items() if v not in (None, "", [])}


def write_csl_json(records: Iterable[Record], stream: TextIO) -> None:
    items = [csl_item(record, key) for key, record in citation_keys(records)]
    json.dump(items, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
