"""Rolling WARC files that survive a crash.

Each file is written as `<name>.warc.gz.open`, one gzip member per record,
handed to the OS after every record (a killed process loses nothing already
written), fsynced and renamed to `<name>.warc.gz` when it closes or rolls over.
Names follow `<prefix>-<UTC timestamp>-<serial>-<hostname>.warc.gz`.

A group of records (a request/response pair) is serialised in memory and handed to the
OS in one write, so when the disk fills (ENOSPC, EFBIG) the writer knows where the last
whole record ends: it cuts the torn bytes back, closes and renames the file as usual,
and refuses every later write with WarcWriteError, so the run can stop cleanly.

What a finished file needs is kept from the bytes as they are written, so finishing it reads
nothing back: its SHA-256 (`sha256`) and its CDXJ lines (`cdxj`, archive.cdxj.CdxjLines).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import re
import socket
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

try:  # zlib-ng (a dependency): the same gzip members, compressed 1.5-2.5x faster than zlib
    from zlib_ng import zlib_ng as deflate
except ImportError:  # pragma: no cover - a platform without a zlib-ng wheel
    deflate = zlib

from archive.cdxj import READ_RECORD_TYPES, CdxjLines
from archive.warcrecords import WARC_VERSION, record_id, warcinfo_record

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
# On 41 real publisher pages (zlib-ng): level 3 compresses at 159 MB/s to 21.5% of the bytes,
# level 6 at 93 MB/s to 20.3%, warcio's level 9 slower still. Compression was the largest cost
# of archiving a crawl (benchmarks/README.md): 6% more disk for 40% less of it.
GZIP_LEVEL = 3
DEFAULT_MAX_SIZE = 1_000_000_000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+|\.{2,}")


@dataclass(frozen=True)
class WrittenRecord:
    """Where a record landed: enough to read it back with one seek."""

    warc_file: str  # final basename (without .open)
    offset: int
    length: int
    record_id: str
    date: str


class WarcWriteError(OSError):
    """The archive cannot be written (disk full, file too large...); the message is one line
    and says what was kept. Every write after the first failure raises it again."""


def safe_name_part(text: str, limit: int = 64) -> str:
    """A file-name fragment from untrusted text (hostnames, prefixes): no separators, no dots first."""
    cleaned = re.sub("-{2,}", "-", _UNSAFE.sub("-", text)).strip(".-") or "x"
    return cleaned[:limit]


class RollingWarcWriter:
    """Writes records into size-bounded WARC files under one directory."""

    _serials = itertools.count()

    def __init__(
        self,
        directory: Path | str,
        info: dict[str, str],
        *,
        prefix: str = "coprod",
        max_size: int = DEFAULT_MAX_SIZE,
        on_close: Callable[[Path, int], None] | None = None,
        hostname: str | None = None,
        cdxj: bool = True,
    ) -> None:
        """`on_close(path, records)` runs when a file is finished, while `sha256` and `cdxj`
        are still that file's. `cdxj`: build each file's CDXJ lines as it is written."""
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.info = info
        self.prefix = safe_name_part(prefix)
        self.hostname = safe_name_part(hostname or socket.gethostname())
        self.max_size = max_size
        self.on_close = on_close
        self.finished: list[Path] = []
        self._file: Any = None  # an unbuffered FileIO while a file is open
        self._path: Path | None = None
        self._count = 0  # records in the current file, warcinfo included
        self._build_cdxj = cdxj
        self._hash: Any = None  # hashlib.sha256 of every byte in the current file
        self.cdxj: CdxjLines | None = None  # the current file's index lines
        self.failed: str | None = None  # why writing stopped (WarcWriteError's message)

    @property
    def current_name(self) -> str | None:
        return self._path.name.removesuffix(OPEN_SUFFIX) if self._path else None

    @property
    def sha256(self) -> str | None:
        """"sha256:<hex>" of the current (or just finished) file, as archive.catalog.file_sha256
        gives it; None when the bytes on disk may differ from those hashed."""
        return "sha256:" + self._hash.hexdigest() if self._hash is not None else None

    def write(self, record: ArcWarcRecord) -> WrittenRecord:
        return self.write_group([record])[0]

    def write_group(self, records: Iterable[ArcWarcRecord]) -> list[WrittenRecord]:
        """Write records that belong together (a request/response pair) into the same file,
        all or none of them (WarcWriteError when none could be)."""
        if self.failed:
            raise WarcWriteError(self.failed)
        if self._file is not None and self._file.tell() >= self.max_size:
            self.close()
        if self._file is None:
            self._open()
        assert self._file is not None
        start = self._file.tell()
        data, spans = _serialise(records, keep_raw=self.cdxj is not None)
        self._append(data, start, spans)
        self._count += len(spans)
        return [
            WrittenRecord(self.current_name or "", start + span.offset, span.length, span.id,
                          span.date)
            for span in spans
        ]

    def _append(self, data: bytes, start: int, spans: list[_Span]) -> None:
        """Write `data` at the end of the file (see _write_all), then add it to the file's
        hash and index."""
        self._write_all(data, start)
        self._hash.update(data)
        if self.cdxj is not None:
            for span in spans:
                self.cdxj.add(span.raw, start + span.offset, span.length, span.type)

    def _write_all(self, data: bytes, start: int) -> None:
        """Write `data` at the end of the file; on an OSError cut the file back to `start`,
        finish it, and stop the writer."""
        assert self._file is not None and self._path is not None
        try:
            view = memoryview(data)
            while view:
                view = view[self._file.write(view):]
        except OSError as error:
            name = self._path.name.removesuffix(OPEN_SUFFIX)
            kept = (f"{name} keeps its {self._count} whole records (cut back to byte {start})"
                    if start else f"{name} was removed (nothing whole in it)")
            self.failed = f"cannot write the archive ({error.strerror or error}); {kept}"
            self._cut_and_close(start)
            raise WarcWriteError(self.failed) from error

    def close(self) -> Path | None:
        """Finish the current file: fsync, rename away `.open`, index. Idempotent."""
        if self._file is None or self._path is None:
            return None
        os.fsync(self._file.fileno())
        self._file.close()
        final = self._path.with_name(self._path.name.removesuffix(OPEN_SUFFIX))
        os.replace(self._path, final)
        _fsync_dir(self.directory)
        self._file = self._path = None
        self.finished.append(final)
        if self.on_close:
            self.on_close(final, self._count)
        return final

    def _cut_and_close(self, start: int) -> None:
        """After a failed write: drop the torn tail, then finish the file (or remove it when
        not even its warcinfo record is whole)."""
        assert self._file is not None and self._path is not None
        try:
            os.ftruncate(self._file.fileno(), start)
        except OSError:  # recovery at the next start cuts the tail (archive.recovery)
            self._hash = None  # the torn bytes are in the file, not in the hash
        if start == 0:
            self._file.close()
            self._path.unlink(missing_ok=True)
            self._file = self._path = None
            return
        try:
            self.close()
        except Exception as error:  # noqa: BLE001 - fsync or indexing on a full disk: the file
            # is whole and renamed or still .open (recovered at the next start); a catalog
            # rebuild re-indexes it
            logger.warning("finishing the WARC after a failed write: %s", error)
            if self._file is not None:
                self._file.close()
            self._file = self._path = None

    def _open(self) -> None:
        while True:  # the serial makes names unique; another process may hold one already
            name = self._next_name()
            self._path = self.directory / (name + OPEN_SUFFIX)
            if not (self.directory / name).exists():
                try:
                    # unbuffered: each group goes to the OS in one write (see _append)
                    self._file = open(self._path, "xb", buffering=0)  # noqa: SIM115 - until close()
                    break
                except FileExistsError:
                    continue
        self._count = 0
        self._hash = hashlib.sha256()
        self.cdxj = CdxjLines(name) if self._build_cdxj else None
        data, spans = _serialise([warcinfo_record(name, self.info)], keep_raw=self.cdxj is not None)
        self._append(data, 0, spans)
        self._count = 1

    def _next_name(self) -> str:
        now = time.time()
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now)) + f"{int(now * 1000) % 1000:03d}"
        return f"{self.prefix}-{stamp}-{next(self._serials):05d}-{self.hostname}.warc.gz"


@dataclass(frozen=True)
class _Span:
    """One serialised record: its gzip member's place in the group, and (for the index) its
    uncompressed bytes."""

    offset: int
    length: int
    id: str
    date: str
    type: str  # WARC-Type
    raw: BytesIO | None


def _serialise(records: Iterable[ArcWarcRecord], *, keep_raw: bool) -> tuple[bytes, list[_Span]]:
    """Records as gzip members in memory, with where each one is in them.

    warcio writes the record; the member is compressed here (zlib-ng where installed) at
    GZIP_LEVEL rather than by warcio's GzippingWrapper, which always uses zlib at level 9."""
    parts: list[bytes] = []
    spans = []
    offset = 0
    for record in records:
        raw = BytesIO()
        WARCWriter(raw, gzip=False, warc_version=WARC_VERSION).write_record(record)
        compressor = deflate.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        with raw.getbuffer() as view:
            member = compressor.compress(view) + compressor.flush()
        parts.append(member)
        spans.append(_Span(offset, len(member), record_id(record),
                           record.rec_headers.get_header("WARC-Date"), record.rec_type,
                           raw if keep_raw and record.rec_type in READ_RECORD_TYPES else None))
        offset += len(member)
    return b"".join(parts), spans


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable: fsync the directory entry (POSIX)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
