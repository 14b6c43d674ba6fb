"""Package the archive, or the part of it some records rest on, as a WACZ (py-wacz).

A WACZ is a zip that ReplayWeb.page and pywb open as they are: the WARCs under archive/,
a CDXJ index, pages/pages.jsonl (here: each record's page, titled) and datapackage.json
with a SHA-256 for every file. py-wacz writes all of that; this module chooses what
goes in. With a query, a new WARC holds only the records that match, the responses
they rest on, their requests, and the warcinfo of each file they came from: each one
copied byte for byte (its gzip member as it is), so every digest still verifies.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.replay_index import RecordRow, ReplayIndex

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Records"}


class PackageError(Exception):
    """The WACZ could not be made; nothing was written at the output path."""


@dataclass
class Package:
    path: Path
    records: int
    pages: int
    warc_files: list[str]


def select(index: ReplayIndex, query: str | None) -> list[RecordRow]:
    return index.search(query, limit=10**9) if query else index.record_rows()


def pages_lines(index: ReplayIndex, rows: list[RecordRow]) -> list[dict[str, str]]:
    """One page per record: the response it came from, when that is a web page."""
    pages, seen = [], set()
    for row in rows:
        record_id = row.data.get("provenance", {}).get("warc_record_id")
        capture = index.capture(record_id) if record_id else None
        if capture is None or (capture.mime or "") not in ("text/html", "application/xhtml+xml"):
            continue
        key = (capture.uri, capture.warc_date)
        if key not in seen:
            seen.add(key)
            pages.append({"url": capture.uri, "ts": capture.warc_date, "title": row.title})
    return pages


def member_ranges(index: ReplayIndex, rows: list[RecordRow]) -> dict[str, list[tuple[int, int]]]:
    """(offset, length) of every WARC record the rows need, by file, in file order."""
    wanted_ids: set[str] = set()
    metadata: dict[str, set[int]] = {}
    for row in rows:
        prov = row.data.get("provenance", {})
        wanted_ids.update(prov.get("captures", []))
        if prov.get("warc_record_id"):
            wanted_ids.add(prov["warc_record_id"])
        metadata.setdefault(row.warc_file, set()).add(row.offset)
    files = {c.warc_file for c in map(index.capture, wanted_ids) if c} | set(metadata)
    ranges: dict[str, list[tuple[int, int]]] = {}
    for name in sorted(files):
        with index.file(name).open() as stream:
            iterator = ArchiveIterator(stream, no_record_parse=True)
            for number, record in enumerate(iterator):
                iterator.read_to_end()
                offset, length = iterator.get_record_offset(), iterator.get_record_length()
                headers = record.rec_headers
                ids = {headers.get_header("WARC-Record-ID"), headers.get_header("WARC-Concurrent-To")}
                if number == 0 and record.rec_type == "warcinfo" or ids & wanted_ids or \
                        offset in metadata.get(name, ()):
                    ranges.setdefault(name, []).append((offset, length))
    return ranges


def write_subset(index: ReplayIndex, ranges: dict[str, list[tuple[int, int]]], out: Path) -> None:
    """Concatenate the chosen gzip members into one WARC file."""
    with open(out, "wb") as target:
        for name, spans in ranges.items():
            with index.file(name).open() as source:
                for offset, length in spans:
                    source.seek(offset)
                    target.write(source.read(length))


def make_wacz(index: ReplayIndex, out: Path, *, query: str | None = None,
              title: str = "coprod archive") -> Package:
    """Write the WACZ at `out` (it appears only when complete)."""
    rows = select(index, query)
    if query and not rows:
        raise PackageError(f"no record matches {query!r}")
    pages = pages_lines(index, rows)
    with tempfile.TemporaryDirectory(prefix="coprod-wacz-") as scratch:
        work = Path(scratch)
        if query:
            subset = work / "coprod-package.warc.gz"
            write_subset(index, member_ranges(index, rows), subset)
            warcs = [subset]
        else:
            warcs = [f.path for f in index.files.values() if f.member is None]
        if not warcs:
            raise PackageError("no WARC files to package")
        pages_file = work / "pages.jsonl"
        pages_file.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n"
                                      for line in [PAGES_HEADER, *pages]), encoding="utf-8")
        partial = work / "out.wacz"
        arguments = ["create", "-o", str(partial), "--title", title,
                     "--desc", f"coprod records{' matching ' + query if query else ''}",
                     *(["-p", str(pages_file)] if pages else ["--detect-pages"]),
                     *map(str, warcs)]
        _run_wacz(arguments)
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, out) if _same_device(partial, out) else _copy(partial, out)
    return Package(out, len(rows), len(pages), [w.name for w in warcs])


def _run_wacz(arguments: list[str]) -> None:
    from wacz.main import main as wacz_main

    with contextlib.redirect_stdout(sys.stderr):  # py-wacz talks on stdout
        code = wacz_main(arguments)
    if code:
        raise PackageError(f"py-wacz failed (exit {code})")


def _same_device(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b.parent).st_dev


def _copy(source: Path, target: Path) -> None:
    import shutil

    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
