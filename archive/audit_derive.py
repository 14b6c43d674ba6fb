"""Re-derive stored records from their archived responses and diff them field by field.

A record rests on the responses in `provenance.captures`. Those that gave evidence when it
was made (2xx answers, not robots.txt or redirect hops; for a page rendered in a browser,
the rendered DOM) are read back, extracted again with today's extractors and merged, as
the crawl did; the result is compared with the record as
stored in the WARC. A diff on a record made by another extractor version is reported as
explained by that version; any other diff means the record does not follow from its bytes.

Not compared: `provenance` (where and when, not what; its per-field sources are compared),
`relevance` (scored after extraction, by a pipeline), and fields whose source is
`input:...` (they came from what the user asked for, not from any response).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from archive.audit import DIFF, EXPLAINED, FAILURE, AuditReport
from archive.replay import load
from archive.replay_index import RecordRow, ReplayIndex
from archive.replay_rendered import RenderedPage, index_opener, is_dom, read_rendered
from extractors import EXTRACTOR_VERSION
from extractors.dispatch import extract
from extractors.errors import UnusableInput
from extractors.merge import merge_records
from extractors.record import Record

NOT_FROM_BYTES = frozenset({"provenance", "relevance"})
COMPARED = tuple(f.name for f in fields(Record) if f.name not in NOT_FROM_BYTES)
SHOWN_CHARS = 300  # of each value in a diff


@dataclass
class FieldDiff:
    field: str
    stored: Any
    derived: Any


def evidence(index: ReplayIndex, data: dict[str, Any]) -> tuple[list[Record], list[str]]:
    """The records extracted afresh from the responses a stored record rests on, and what
    stood in the way (a capture that is not in the archive).

    A page rendered in a browser was read from its DOM (a `urn:dom:` resource among the
    captures), not from the HTML served for it: the DOM is extracted again, with the
    headers the spider had, and the page's served responses are passed over."""
    prov = data.get("provenance", {})
    ids = list(dict.fromkeys(prov.get("captures") or [prov.get("warc_record_id")]))
    captures, problems = [], []
    for record_id in filter(None, ids):
        capture = index.capture(record_id)
        if capture is None:
            problems.append(f"capture {record_id} is not in the archive")
        else:
            captures.append(capture)
    rendered: dict[str, RenderedPage] = {}
    for capture in filter(is_dom, captures):
        try:
            rendered[capture.record_id] = read_rendered(index, index_opener(index), capture)
        except (OSError, ValueError) as error:
            problems.append(f"rendered DOM {capture.record_id} cannot be read: {error}")
    pages = {page.url for page in rendered.values()}
    inputs = []
    for capture in captures:
        if (page := rendered.get(capture.record_id)) is not None:
            inputs.append((page.url, page.headers, page.body))
        elif capture.record_type not in ("response", "revisit") or capture.uri in pages:
            continue
        elif urlsplit(capture.uri).path != "/robots.txt":
            stored = load(index, capture)
            if stored.status and 200 <= stored.status < 300:
                inputs.append((capture.uri, stored.http_headers, stored.body))
    records = []
    for url, header_list, body in inputs:
        headers: dict[str, str] = {}
        for name, value in header_list:
            headers.setdefault(name, value)  # the first of repeated headers, as Scrapy gives it
        try:
            extraction = extract(url, headers, body)
        except UnusableInput:
            continue
        if extraction.record is not None:
            records.append(extraction.record)
    return records, problems


def rederive(index: ReplayIndex, data: dict[str, Any]) -> tuple[Record | None, list[str]]:
    """The record made afresh, or None and why not (a missing capture makes any result
    a guess, so none is given)."""
    records, problems = evidence(index, data)
    if problems:
        return None, problems
    if not records:
        return None, ["no archived response it rests on yields a record"]
    return merge_records(records), []


def diff_records(stored: dict[str, Any], derived: dict[str, Any]) -> list[FieldDiff]:
    """Fields that differ, plus `provenance.fields` for fields whose source layer changed."""
    derived = json.loads(json.dumps(derived))  # the same JSON types as the stored copy
    sources = stored.get("provenance", {}).get("fields", {})
    from_input = {name for name, source in sources.items() if str(source).startswith("input:")}
    diffs = [FieldDiff(name, stored.get(name), derived.get(name))
             for name in COMPARED
             if name not in from_input and stored.get(name) != derived.get(name)]
    new_sources = derived.get("provenance", {}).get("fields", {})
    changed = sorted(name for name in set(sources) | set(new_sources)
                     if name not in from_input and name not in NOT_FROM_BYTES
                     and sources.get(name) != new_sources.get(name))
    if changed:
        diffs.append(FieldDiff("provenance.fields",
                               {n: sources.get(n) for n in changed},
                               {n: new_sources.get(n) for n in changed}))
    return diffs


def rederive_all(index: ReplayIndex, report: AuditReport) -> None:
    """Re-derive every record in `index` and report each diff."""
    for row in index.record_rows():
        rederive_row(index, row, report)


def rederive_row(index: ReplayIndex, row: RecordRow, report: AuditReport) -> None:
    derived, problems = rederive(index, row.data)
    if derived is None:
        report.add("rederive", FAILURE, row.key, "cannot re-derive: " + "; ".join(problems))
        return
    report.rederived += 1
    diffs = diff_records(row.data, derived.to_dict())
    if not diffs:
        return
    version = row.data.get("provenance", {}).get("extractor_version")
    explained = bool(version) and version != EXTRACTOR_VERSION
    severity = EXPLAINED if explained else DIFF
    reason = (f" (made by extractor {version}, re-derived by {EXTRACTOR_VERSION})"
              if explained else "")
    report.add("rederive", severity, row.key,
               f"{len(diffs)} field(s) differ: {', '.join(d.field for d in diffs)}{reason}",
               fields=[{"field": d.field, "stored": _short(d.stored), "derived": _short(d.derived)}
                       for d in diffs],
               extractor_version=version)


def _short(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False)
    return value if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"
