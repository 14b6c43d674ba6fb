"""Read one archived capture back: the bytes as stored, and the body as a browser would see it.

`load()` seeks to a capture's record and reads its block raw (warcio's no_record_parse),
so the HTTP head is exactly the stored bytes, not warcio's re-serialisation; the body is
then decoded with warcio's own rules (de-chunked, Content-Encoding undone). A revisit
is shown with its own headers and the payload of the response it refers to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser

from archive.catalog import Capture
from archive.replay_index import ArchiveFile, RecordRow, ReplayIndex, url_variants
from extractors.doi import InvalidDOI, normalise_doi

MAX_BLOCK = 64 * 1024 * 1024  # more than any body coprod stores (DOWNLOAD_MAXSIZE is 50 MB)
_HTTP_BLOCK = re.compile(r"application/http", re.I)
_STAMP = re.compile(r"^\d{4,14}$")


class NotArchived(LookupError):
    """Nothing in the archive answers the query."""


@dataclass
class StoredResponse:
    """One capture read back from its WARC."""

    capture: Capture
    warc_headers: list[tuple[str, str]]
    head: bytes  # HTTP status line + header block exactly as stored; b"" for resources
    status: int | None
    http_headers: list[tuple[str, str]]
    block: bytes  # the whole record block as stored
    payload: bytes  # the payload as stored (chunked or gzip if it was stored so)
    body: bytes  # what a client would see: de-chunked and content-decoded
    original: Capture | None = None  # for a revisit: the response whose payload it repeats
    notes: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.http_headers if k.lower() == wanted), None)

    @property
    def content_type(self) -> str:
        if self.capture.record_type == "resource":
            return dict(self.warc_headers).get("Content-Type", "application/octet-stream")
        return self.header("Content-Type") or "application/octet-stream"


def read_record(archive_file: ArchiveFile, offset: int) -> tuple[ArcWarcRecord, bytes]:
    """The record at `offset` with its block as stored, unparsed."""
    with archive_file.open() as stream:
        stream.seek(offset)
        iterator = ArchiveIterator(stream, no_record_parse=True, arc2warc=archive_file.is_arc)
        record = next(iter(iterator))
        return record, record.raw_stream.read(MAX_BLOCK)


def split_http(block: bytes) -> tuple[bytes, StatusAndHeaders | None, bytes]:
    """(head as stored, parsed head, payload) of an application/http block."""
    stream = BytesIO(block)
    parsed = StatusAndHeadersParser([], verify=False).parse(stream)
    end = stream.tell()
    return block[:end], parsed, block[end:]


def decode_payload(record: ArcWarcRecord, http: StatusAndHeaders | None, payload: bytes) -> bytes:
    """The payload as a client sees it, by warcio's rules (chunking, then Content-Encoding)."""
    view = ArcWarcRecord(record.format, record.rec_type, record.rec_headers, BytesIO(payload),
                         http, record.content_type, len(payload))
    return view.content_stream().read(MAX_BLOCK)


def load(index: ReplayIndex, capture: Capture) -> StoredResponse:
    """Read `capture` from its file; a revisit brings its original's payload along."""
    record, block = read_record(index.file(capture.warc_file), capture.offset)
    headers = record.rec_headers
    is_http = bool(_HTTP_BLOCK.search(headers.get_header("Content-Type") or "")) or (
        record.rec_type in ("response", "revisit") and block.startswith(b"HTTP/"))
    head, http, payload = split_http(block) if is_http else (b"", None, block)
    notes: list[str] = []
    try:
        body = decode_payload(record, http, payload)
    except Exception as error:  # a body that claims gzip and is not: show what is stored
        body = payload
        notes.append(f"body could not be decoded ({type(error).__name__}); shown as stored")
    status = http.get_statuscode() if http is not None else None
    stored = StoredResponse(
        capture, list(headers.headers), head,
        int(status) if status and status.isdigit() else None,
        list(http.headers) if http is not None else [], block, payload, body, notes=notes,
    )
    if capture.record_type == "revisit":
        _fill_revisit(index, stored)
    return stored


def _fill_revisit(index: ReplayIndex, stored: StoredResponse) -> None:
    original = find_original(index, stored.capture, dict(stored.warc_headers))
    if original is None:
        stored.notes.append("revisit: the response it refers to is not in this archive")
        return
    first = load(index, original) if original.record_type != "revisit" else None
    if first is None:
        stored.notes.append("revisit refers to another revisit; not followed")
        return
    stored.original, stored.body, stored.payload = original, first.body, first.payload


def find_original(index: ReplayIndex, capture: Capture, headers: dict[str, str]) -> Capture | None:
    """The response a revisit repeats: by WARC-Refers-To, else by target URI and date,
    else by payload digest (older writers give only the digest)."""
    refers_to = headers.get("WARC-Refers-To")
    if refers_to and (found := index.capture(refers_to)):
        return found
    uri, date = headers.get("WARC-Refers-To-Target-URI"), headers.get("WARC-Refers-To-Date")
    candidates = [c for c in index.find_captures(uri or capture.uri) if c.record_type != "revisit"]
    if date:
        dated = [c for c in candidates if c.warc_date[:19] == date[:19]]
        if dated:
            return dated[0]
    digest = capture.payload_digest
    same = [c for c in candidates if digest and c.payload_digest == digest]
    if same:
        return same[-1]
    anywhere = index.captures_with_digest(digest) if digest else []
    return anywhere[-1] if anywhere else None


# -- times ---------------------------------------------------------------------------------


def parse_when(text: str) -> datetime:
    """A time given by a user: a 4-14 digit timestamp (20240501, 20240501123000) or an ISO
    date (2024-05-01, 2024-05-01T12:30:00Z). ValueError otherwise."""
    text = text.strip()
    if _STAMP.match(text):
        padded = text + "0101000000"[len(text) - 4:] if len(text) < 14 else text
        return datetime.strptime(padded[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def warc_time(warc_date: str) -> datetime:
    try:
        return parse_when(warc_date)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def timestamp14(warc_date: str) -> str:
    """WARC-Date as the 14-digit form replay URLs use (pywb, Wayback)."""
    return warc_time(warc_date).strftime("%Y%m%d%H%M%S")


def closest(captures: list[Capture], at: datetime | None) -> Capture:
    """The newest capture, or the one nearest `at` (the earlier on a tie)."""
    if not captures:
        raise NotArchived("no capture")
    ordered = sorted(captures, key=lambda c: warc_time(c.warc_date))
    if at is None:
        return ordered[-1]
    return min(ordered, key=lambda c: abs((warc_time(c.warc_date) - at).total_seconds()))


# -- what a user asks for ----------------------------------------------------------------


@dataclass
class Resolved:
    """The captures a URL or DOI names; for a DOI in the catalog, its record too."""

    query: str
    captures: list[Capture]
    record: RecordRow | None = None
    primary: Capture | None = None  # the response the record came from


def resolve(index: ReplayIndex, query: str) -> Resolved:
    """Captures of a URL, or of the work with this DOI (every response it rests on)."""
    query = query.strip()
    if "://" in query:
        return Resolved(query, index.find_captures(query))
    try:
        doi = normalise_doi(query)
    except InvalidDOI as error:
        raise NotArchived(f"{query!r} is neither a URL nor a DOI ({error})") from None
    row = index.record_row_for_doi(doi)
    if row is None:
        for variant in url_variants(f"https://doi.org/{doi}"):
            if found := index.captures_for(variant):
                return Resolved(query, found)
        return Resolved(query, [])
    prov = row.data.get("provenance", {})
    ids = list(dict.fromkeys([*prov.get("captures", []), prov.get("warc_record_id")]))
    captures = [c for c in (index.capture(i) for i in ids if i) if c is not None]
    captures.sort(key=lambda c: warc_time(c.warc_date))
    primary = index.capture(prov["warc_record_id"]) if prov.get("warc_record_id") else None
    return Resolved(query, captures, row, primary)


def pick(index: ReplayIndex, query: str, at: datetime | None = None) -> Capture:
    """The capture `replay show` shows: for a DOI the response its record came from (or,
    with `at`, that URL's capture nearest `at`); for a URL its newest or nearest capture."""
    found = resolve(index, query)
    if found.record is not None and found.primary is not None:
        if at is None:
            return found.primary
        return closest(index.find_captures(found.primary.uri), at)
    if not found.captures:
        raise NotArchived(f"nothing archived for {query}")
    return closest(found.captures, at)
