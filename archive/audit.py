"""Audit the archive: are the bytes whole and unaltered, does the catalog point at what is
really there, and do the stored records still follow from the archived responses?

1. Integrity: every file reads to its end (archive.warccheck), every record's block and
   payload digests verify (warcio's digest checker), no `.open` file is left behind, and a
   file the catalog knows still has the size and SHA-256 it had when it closed.
2. Provenance: the catalog is compared with an index built afresh from the files (its
   captures and records rows must match), and every record's response and captures must
   exist where its provenance says.
3. Re-derivation (archive.audit_derive): re-extract each record from its archived
   responses and diff it with the stored one, field by field.

The files are the source of truth: everything is checked against what they hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archive.catalog import CAPTURE_TYPES, Catalog, file_sha256
from archive.replay_index import (
    MAX_RECORD_JSON,
    ArchiveFile,
    ReplayIndex,
    data_dir_files,
)
from archive.warccheck import WarcReadError, read_warc
from archive.warcwriter import OPEN_SUFFIX

FAILURE, DIFF, EXPLAINED, WARNING, NOTE = "failure", "diff", "explained", "warning", "note"
_CAPTURE_COLUMNS = ("record_id", "record_type", "uri", "warc_date", "status", "mime",
                    "payload_digest", "length", "warc_file", "offset", "record_length", "refers_to",
                    "truncated")
_RECORD_COLUMNS = ("key", "doi", "title", "year", "type", "json", "warc_file", "offset",
                   "record_id", "refers_to", "updated_at")


@dataclass
class Finding:
    check: str  # integrity | provenance | rederive
    severity: str  # failure | diff | explained | warning | note
    where: str  # file and offset, or the work's key
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class AuditReport:
    files: int = 0
    warc_records: int = 0
    digests_verified: int = 0
    records: int = 0
    rederived: int = 0
    findings: list[Finding] = field(default_factory=list)

    def add(self, check: str, severity: str, where: str, message: str, **details: Any) -> None:
        self.findings.append(Finding(check, severity, where, message, details))

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)

    def failed(self, *, accept_explained: bool = False) -> bool:
        """Any integrity or provenance failure, or any diff (explained ones unless accepted)."""
        bad = {FAILURE, DIFF} | (set() if accept_explained else {EXPLAINED})
        return any(f.severity in bad for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (f"{self.files} file(s), {self.warc_records} WARC records, "
                f"{self.digests_verified} digests verified, {self.records} records, "
                f"{self.rederived} re-derived: {self.count(FAILURE)} failure(s), "
                f"{self.count(DIFF)} diff(s), {self.count(EXPLAINED)} diff(s) explained by a "
                f"newer extractor, {self.count(WARNING)} warning(s)")


# -- 1. integrity ------------------------------------------------------------------------


def scan_file(archive_file: ArchiveFile, truth: ReplayIndex, report: AuditReport) -> None:
    """Check one file record by record, and index what it holds into `truth`."""
    report.files += 1
    if archive_file.member is None and not archive_file.is_arc:
        try:
            for _ in read_warc(archive_file.path):
                pass
        except WarcReadError as error:
            report.add("integrity", FAILURE, f"{archive_file.name}:{error.offset}",
                       f"does not read to its end: {error.reason}")
    try:
        with archive_file.open() as stream:
            _verify_records(archive_file, stream, truth, report)
    except Exception as error:  # warcio or zlib on a torn file: reported above or here
        report.add("integrity", FAILURE, archive_file.name, f"unreadable: {type(error).__name__}: {error}")


def _verify_records(archive_file: ArchiveFile, stream: Any, truth: ReplayIndex,
                    report: AuditReport) -> None:
    iterator = ArchiveIterator(stream, check_digests=True, arc2warc=archive_file.is_arc)
    for record in iterator:
        content = b""
        while chunk := record.raw_stream.read(1 << 20):  # drives the digest check
            if record.rec_type == "metadata" and len(content) <= MAX_RECORD_JSON:
                content += chunk
        iterator.read_to_end()
        offset, length = iterator.get_record_offset(), iterator.get_record_length()
        where = f"{archive_file.name}:{offset}"
        report.warc_records += 1
        checker = record.digest_checker
        if checker.passed is False:
            report.add("integrity", FAILURE, where, "; ".join(checker.problems),
                       record_id=record.rec_headers.get_header("WARC-Record-ID"))
        elif checker.passed:
            report.digests_verified += 1
            if record.http_headers is not None and (
                    record.http_headers.get_header("Transfer-Encoding") or "").lower() == "chunked":
                report.add("integrity", NOTE, where, "payload digest is over the chunked body "
                           "as stored (warcio/pywb do so; WARC 1.1 6.3.2 means the de-chunked entity)")
        if record.rec_type in CAPTURE_TYPES:
            repeated = truth.add_unique_capture(archive_file, record, offset, length)
            if repeated:
                report.add("integrity", FAILURE, where, repeated)
        elif record.rec_type == "metadata" and content:
            truth.index_metadata(archive_file, record, offset, content)
    if iterator.err_count:
        report.add("integrity", FAILURE, archive_file.name,
                   "a record is longer than its Content-Length")


def check_revisits(truth: ReplayIndex, report: AuditReport) -> None:
    """A revisit's payload digest must be its original's (when the original is here)."""
    from archive.replay import find_original, read_record

    for capture in truth.all_captures():
        if capture.record_type != "revisit":
            continue
        where = f"{capture.warc_file}:{capture.offset}"
        record, _ = read_record(truth.file(capture.warc_file), capture.offset)
        original = find_original(truth, capture, dict(record.rec_headers.headers))
        if original is None:
            report.add("integrity", WARNING, where, f"revisit of {capture.uri}: its original "
                       "response is not in these files")
        elif capture.payload_digest and original.payload_digest != capture.payload_digest:
            report.add("integrity", FAILURE, where, f"revisit digest {capture.payload_digest} "
                       f"differs from its original's {original.payload_digest}")


def check_open_files(warc_dir: Path, report: AuditReport) -> None:
    for path in sorted(warc_dir.glob(f"*{OPEN_SUFFIX}")):
        report.add("integrity", FAILURE, path.name, "left open: a crawl died or is still "
                   "writing (the next crawl recovers it; then audit again)")


def check_file_hashes(catalog: ReplayIndex, files: dict[str, ArchiveFile], report: AuditReport) -> None:
    """Files the catalog knows must exist with the size and SHA-256 noted when they closed."""
    known = catalog.warc_file_rows()
    for name, size, sha256 in known:
        archive_file = files.get(name)
        if archive_file is None:
            report.add("integrity", FAILURE, name, "the catalog lists this WARC; the file is gone")
            continue
        actual_size = archive_file.path.stat().st_size
        if actual_size != size or (sha256 and file_sha256(archive_file.path) != sha256):
            report.add("integrity", FAILURE, name, "changed since it was closed "
                       f"(size {size} -> {actual_size}, or its SHA-256 differs)")
    for name in sorted(set(files) - {row[0] for row in known}):
        report.add("integrity", WARNING, name, "not in the catalog (`coprod catalog rebuild`)")


# -- 2. provenance -------------------------------------------------------------------------


def compare_catalog(catalog: Catalog, truth: ReplayIndex, report: AuditReport) -> None:
    """Every catalog row must be what the files say; rows the files do not back are failures."""
    mine, real = catalog.dump(), truth.dump()
    _compare_rows("capture", mine["captures"], real["captures"], _CAPTURE_COLUMNS, report)
    _compare_rows("record", mine["records"], real["records"], _RECORD_COLUMNS, report)


def _compare_rows(kind: str, rows: list[tuple[Any, ...]], real: list[tuple[Any, ...]],
                  columns: tuple[str, ...], report: AuditReport) -> None:
    actual = {row[0]: row for row in real}
    for row in rows:
        key = row[0]
        found = actual.pop(key, None)
        if found is None:
            report.add("provenance", FAILURE, key, f"catalog {kind} row points at nothing in "
                       "the WARC files")
            continue
        changed = [name for name, a, b in zip(columns, row, found, strict=True) if a != b]
        if changed:
            report.add("provenance", FAILURE, key, f"catalog {kind} row differs from the WARC "
                       f"files in {', '.join(changed)}", columns=changed)
    for key in sorted(actual):
        report.add("provenance", WARNING, key, f"{kind} in the WARC files is missing from the "
                   "catalog (`coprod catalog rebuild`)")


def check_provenance(rows: Iterable[Any], truth: ReplayIndex, report: AuditReport) -> None:
    """Each record's response and every capture it rests on exist, where it says they are."""
    for row in rows:
        report.records += 1
        prov = row.data.get("provenance", {})
        response_id = prov.get("warc_record_id")
        if not response_id:
            report.add("provenance", FAILURE, row.key, "record names no response record")
            continue
        found = truth.capture(response_id)
        if found is None or found.record_type not in ("response", "revisit"):
            report.add("provenance", FAILURE, row.key,
                       f"response record {response_id} does not exist in the WARC files")
        elif (found.warc_file, found.offset) != (prov.get("warc_file"), prov.get("offset")):
            # a repackaged archive (a WACZ of some records) moves records; within the files
            # provenance names, a record elsewhere than it says is a failure
            severity = FAILURE if prov.get("warc_file") in truth.files else WARNING
            report.add("provenance", severity, row.key,
                       f"provenance puts {response_id} in {prov.get('warc_file')} at byte "
                       f"{prov.get('offset')}; it is in {found.warc_file} at byte {found.offset}")
        missing = [c for c in prov.get("captures", []) if truth.capture(c) is None]
        if missing:
            report.add("provenance", FAILURE, row.key,
                       f"{len(missing)} capture(s) it rests on do not exist: {', '.join(missing)}")
        if row.refers_to and row.refers_to != response_id:
            report.add("provenance", FAILURE, row.key, f"metadata record refers to {row.refers_to},"
                       f" the record to {response_id}")


# -- the whole audit --------------------------------------------------------------------------


def audit(data_dir: Path | None = None, warc_paths: Iterable[Path] | None = None, *,
          rederive: bool = True) -> AuditReport:
    """Audit a data directory (its WARCs and catalog), or the given files on their own."""
    from archive.audit_derive import rederive_all
    from archive.replay_index import archive_files

    report = AuditReport()
    paths = list(warc_paths or [])
    files = archive_files(paths) if paths else data_dir_files(Path(data_dir or "."))
    with ReplayIndex(":memory:", files) as truth:
        for archive_file in files:
            scan_file(archive_file, truth, report)
        for problem in truth.problems:  # a metadata record that claims JSON and is not
            report.add("integrity", FAILURE, problem.split(": ")[0], problem)
        check_revisits(truth, report)
        catalog_path = Path(data_dir) / "catalog.sqlite" if data_dir and not paths else None
        if catalog_path is not None:
            check_open_files(Path(data_dir) / "warcs", report)
        if catalog_path is not None and catalog_path.is_file():
            with ReplayIndex(catalog_path, files) as catalog:
                check_file_hashes(catalog, truth.files, report)
                compare_catalog(catalog, truth, report)
                check_provenance(catalog.record_rows(), truth, report)
        else:
            check_provenance(truth.record_rows(), truth, report)
        if rederive:
            rederive_all(truth, report)
    return report
