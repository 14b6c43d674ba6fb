"""Read archived HTTP responses back: URI, headers, decoded body, and where each record sits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator


@dataclass
class ArchivedResponse:
    uri: str
    status: int
    headers: dict[str, str]
    body: bytes  # de-chunked and content-decoded, as a client would see it
    record_id: str
    date: str
    offset: int
    payload_digest: str | None


def iter_responses(path: Path) -> Iterator[ArchivedResponse]:
    """Every `response` record with an HTTP message, in file order."""
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            headers = record.rec_headers
            http = record.http_headers
            body = record.content_stream().read()
            yield ArchivedResponse(
                uri=headers.get_header("WARC-Target-URI"),
                status=int(http.get_statuscode() or "0"),
                headers={name: value for name, value in http.headers},
                body=body,
                record_id=headers.get_header("WARC-Record-ID"),
                date=headers.get_header("WARC-Date"),
                offset=iterator.get_record_offset(),
                payload_digest=headers.get_header("WARC-Payload-Digest"),
            )
