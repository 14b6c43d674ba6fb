"""CDXJ index beside each finished WARC, in the form pywb and ReplayWeb.page read (cdxj-indexer).

The crawl builds the index while it writes (CdxjLines), from each record's uncompressed bytes
in hand, instead of decompressing and parsing the finished file again (index_warc): ~2.3 s of
the reactor's CPU per 100 MB file at every rollover, ~0.2 ms a page while writing instead.
Both go through cdxj-indexer's own code, so the lines are the same bytes; index_warc stays
for files a crash left open.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from cdxj_indexer.bufferiter import buffer_record_content, concur_req_resp, join_req_resp
from cdxj_indexer.main import CDXJIndexer, SortingWriter
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader

logger = logging.getLogger(__name__)

# Records a replay tool looks up by URL; coprod's own metadata records stay out of the index.
INDEXED_RECORD_TYPES = "response,revisit,resource"
# Records the indexer reads: those it indexes, and requests (paired with their responses).
READ_RECORD_TYPES = frozenset(INDEXED_RECORD_TYPES.split(",")) | {"request"}


def cdxj_path(warc_path: Path) -> Path:
    return warc_path.with_name(warc_path.name.removesuffix(".warc.gz") + ".cdxj")


def _indexer(output: Any, inputs: list[str]) -> CDXJIndexer:
    return CDXJIndexer(output, inputs, sort=True, post_append=True, records=INDEXED_RECORD_TYPES)


def index_warc(warc_path: Path) -> Path:
    """Write `<name>.cdxj` (sorted SURT lines) beside `warc_path`; return its path."""
    out = cdxj_path(warc_path)
    tmp = out.with_name(out.name + ".tmp")
    _indexer(str(tmp), [str(warc_path)]).process_all()
    tmp.replace(out)
    return out


class CdxjLines:
    """The CDXJ lines of one WARC file, built as its records are written.

    Each record is parsed back from the uncompressed bytes just written, by warcio's loader as
    the indexer's ArchiveIterator would (headers only: the payload is not read), then goes
    through cdxj-indexer's request/response pairing (POST/PUT bodies appended to the key) and
    its line writer. A record that cannot be read back makes `write` fall back to index_warc.
    """

    def __init__(self, filename: str) -> None:
        self._indexer = _indexer(None, [])
        self._indexer.curr_filename = filename  # what process_one sets per file
        self._loader = ArcWarcRecordLoader(verify_http=False, arc2warc=True)  # as ArchiveIterator
        self._lines = _Lines()
        self._previous: ArcWarcRecord | None = None  # waits for the next record (pairing)
        self.failed: str | None = None  # why the lines cannot be trusted

    def add(self, raw: IO[bytes], offset: int, length: int, record_type: str) -> None:
        """One record as written: its uncompressed bytes and its gzip member's place in the file.

        Mirrors cdxj_indexer.bufferiter.buffering_record_iter, one record at a time. A record of
        another type (metadata, warcinfo) pairs with nothing and gives no line: not read back."""
        if self.failed:
            return
        try:
            if record_type not in READ_RECORD_TYPES:
                self._emit(self._previous)
                self._previous = None
                return
            record = self._parse(raw, offset, length)
            req, resp = concur_req_resp(self._previous, record)
            if req is None or resp is None:
                self._emit(self._previous)
                self._previous = record
                return
            buffer_record_content(req)  # the indexer buffers every record; only a POST body is read
            join_req_resp(req, resp, True, self._indexer.get_url_key)
            self._emit(self._previous)
            self._emit(record)
            self._previous = None
        except Exception as error:  # noqa: BLE001 - the finished file is indexed instead
            self.failed = f"{type(error).__name__}: {error}"

    def write(self, warc_path: Path) -> Path:
        """Write `<name>.cdxj` beside `warc_path` (sorted, duplicates dropped, as index_warc)."""
        if not self.failed:
            try:
                self._emit(self._previous)
                self._previous = None
            except Exception as error:  # noqa: BLE001 - as in add
                self.failed = f"{type(error).__name__}: {error}"
        if self.failed:
            logger.info("%s: indexed from the file (%s)", warc_path.name, self.failed)
            return index_warc(warc_path)
        out = cdxj_path(warc_path)
        tmp = out.with_name(out.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as stream:
            _write_sorted(self._lines, stream)
        tmp.replace(out)
        return out

    def _parse(self, raw: IO[bytes], offset: int, length: int) -> ArcWarcRecord:
        """A record the indexer reads (READ_RECORD_TYPES: indexed, or a request to pair)."""
        raw.seek(0)  # as the indexer's ArchiveIterator: any format, HTTP headers, no digests
        record = self._loader.parse_record_stream(raw, None, None, False, False, False)
        record.file_offset = offset
        record.file_length = length
        return record

    def _emit(self, record: ArcWarcRecord | None) -> None:
        # The indexer buffers each record's content before this, which only matters to a
        # digest it computes itself: never here, warcio's writer digests every indexed type
        # but revisits, and the indexer never digests a revisit.
        if record is not None and self._indexer.filter_record(record):
            self._indexer.process_index_entry(None, record, self._indexer.curr_filename, self._lines)


class _Lines(list[str]):
    """The indexer's output stream, kept as a list of lines."""

    write = list.append


def _write_sorted(lines: Iterable[str], stream: IO[str]) -> None:
    sorter = SortingWriter(stream)
    for line in lines:
        sorter.write(line)
    sorter.flush()
