"""Read a WARC record by record, checking that each one is whole.

warcio reads a torn file without complaint: a gzip member cut before its end, a record
shorter than its Content-Length, or the first bytes of a member at the end of the file
are read short or skipped in silence. An index built that way would drop rows nobody
sees go, so `read_warc` raises WarcReadError naming the file and the byte offset where
whole records end (which is also where a recovery can safely cut the file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

MAX_CONTENT_BYTES = 64 * 1024 * 1024  # content read for the caller; more is a problem


class WarcReadError(Exception):
    """A WARC that does not read cleanly to its end: torn, truncated or not a WARC."""

    def __init__(self, path: Path | str, offset: int, reason: str) -> None:
        super().__init__(f"{path}: unreadable at byte {offset}: {reason}")
        self.path, self.offset, self.reason = str(path), offset, reason


@dataclass
class WarcEntry:
    record: ArcWarcRecord
    offset: int  # where the record (its gzip member) starts in the file
    length: int  # bytes it takes in the file
    content: bytes | None  # the decoded payload, for records the caller asked for


def read_warc(
    path: Path | str,
    want_content: Callable[[ArcWarcRecord], bool] = lambda record: False,
    *,
    max_content: int = MAX_CONTENT_BYTES,
) -> Iterator[WarcEntry]:
    """Every record of the WARC at `path`, whole, with its offset and length.

    The payload of records for which `want_content(record)` holds is read (at most
    `max_content` + 1 bytes, so the caller can tell it was too long); the rest is skipped.
    """
    path = Path(path)
    end = 0
    gzipped = False
    try:
        with open(path, "rb") as stream:
            iterator = ArchiveIterator(stream, check_digests=False)
            for record in iterator:
                content = None
                if want_content(record):
                    content = record.content_stream().read(max_content + 1)
                iterator.read_to_end()
                offset, length = iterator.get_record_offset(), iterator.get_record_length()
                decompressor = iterator.reader.decompressor if iterator.reader else None
                gzipped = decompressor is not None
                problem = _torn(record, decompressor)
                if iterator.err_count:  # warcio found no blank line where a record should end
                    problem = problem or "a record is longer than its Content-Length"
                if problem:
                    raise WarcReadError(path, offset, problem)
                end = offset + length
                yield WarcEntry(record, offset, length, content)
    except WarcReadError:
        raise
    except Exception as error:  # warcio and zlib errors on garbage: name the file
        raise WarcReadError(path, end, f"{type(error).__name__}: {error}") from error
    _check_tail(path, end, gzipped)


def _torn(record: ArcWarcRecord, decompressor: Any) -> str | None:
    declared = record.rec_headers.get_header("Content-Length")
    if declared is None or not declared.strip().isdigit():
        return "no Content-Length (torn header?)"
    remaining = getattr(record.raw_stream, "limit", 0)
    if int(declared) > 0 and remaining:
        return f"record ends {remaining} bytes short of its Content-Length"
    if decompressor is not None and not getattr(decompressor, "eof", True):
        return "gzip member ends early (torn record)"
    if not record.rec_headers.get_header("WARC-Record-ID"):
        return "no WARC-Record-ID"
    return None


def _check_tail(path: Path, end: int, gzipped: bool) -> None:
    """Bytes after the last whole record: none in a gzip WARC, blank lines in a plain one."""
    size = path.stat().st_size
    if size == end:
        return
    with open(path, "rb") as stream:
        stream.seek(end)
        tail = stream.read(64 * 1024)
    if gzipped or tail.strip(b"\r\n") or size - end > len(tail):
        raise WarcReadError(path, end, f"{size - end} bytes after the last whole record")
