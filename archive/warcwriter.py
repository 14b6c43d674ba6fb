"""Rolling WARC files that survive a crash.

Each file is written as `<name>.warc.gz.open`, one gzip member per record,
handed to the OS after every record (a killed process loses nothing already
written), fsynced and renamed to `<name>.warc.gz` when it closes or rolls over.
Names follow `<prefix>-<UTC timestamp>-<serial>-<hostname>.warc.gz`.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from archive.warcrecords import WARC_VERSION, record_id, warcinfo_record

OPEN_SUFFIX = ".open"
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
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.info = info
        self.prefix = safe_name_part(prefix)
        self.hostname = safe_name_part(hostname or socket.gethostname())
        self.max_size = max_size
        self.on_close = on_close
        self.finished: list[Path] = []
        self._file = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None
        self._count = 0  # records in the current file, warcinfo included

    @property
    def current_name(self) -> str | None:
        return self._path.name.removesuffix(OPEN_SUFFIX) if self._path else None

    def write(self, record: ArcWarcRecord) -> WrittenRecord:
        return self.write_group([record])[0]

    def write_group(self, records: Iterable[ArcWarcRecord]) -> list[WrittenRecord]:
        """Write records that belong together (a request/response pair) into the same file."""
        if self._file is not None and self._file.tell() >= self.max_size:
            self.close()
        if self._file is None:
            self._open()
        assert self._file is not None and self._writer is not None
        written = []
        for record in records:
            offset = self._file.tell()
            self._writer.write_record(record)
            self._count += 1
            written.append(WrittenRecord(
                self.current_name or "", offset, self._file.tell() - offset,
                record_id(record), record.rec_headers.get_header("WARC-Date"),
            ))
        self._file.flush()
        return written

    def close(self) -> Path | None:
        """Finish the current file: fsync, rename away `.open`, index. Idempotent."""
        if self._file is None or self._path is None:
            return None
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        final = self._path.with_name(self._path.name.removesuffix(OPEN_SUFFIX))
        os.replace(self._path, final)
        _fsync_dir(self.directory)
        self._file = self._writer = self._path = None
        self.finished.append(final)
        if self.on_close:
            self.on_close(final, self._count)
        return final

    def _open(self) -> None:
        while True:  # the serial makes names unique; another process may hold one already
            name = self._next_name()
            self._path = self.directory / (name + OPEN_SUFFIX)
            if not (self.directory / name).exists():
                try:
                    self._file = open(self._path, "xb")  # noqa: SIM115 - lives until close()
                    break
                except FileExistsError:
                    continue
        self._writer = WARCWriter(self._file, gzip=True, warc_version=WARC_VERSION)
        self._writer.write_record(warcinfo_record(name, self.info))
        self._file.flush()
        self._count = 1

    def _next_name(self) -> str:
        now = time.time()
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now)) + f"{int(now * 1000) % 1000:03d}"
        return f"{self.prefix}-{stamp}-{next(self._serials):05d}-{self.hostname}.warc.gz"


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
