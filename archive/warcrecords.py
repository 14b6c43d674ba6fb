"""Build the WARC records coprod writes: request, response, revisit, metadata, resource, warcinfo.

Explicit record types, one function each, like warcio's own record builder which
they wrap. HTTP headers are stored as the exact bytes that crossed the wire
(case, order, spacing, reason phrase); only a `Transfer-Encoding` line is
dropped, because the stored body is de-chunked (WARC 1.1 section 6.3.2).
"""

from __future__ import annotations

import json
import re
from datetime import UTC
from io import BytesIO
from typing import Any

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date

WARC_VERSION = "WARC/1.1"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
REVISIT_PROFILE = (
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
)
_TRANSFER_ENCODING = re.compile(rb"^transfer-encoding[ \t]*:.*?\r?\n", re.I | re.M)

_builder = RecordBuilder(warc_version=WARC_VERSION)


class RawStatusAndHeaders(StatusAndHeaders):
    """Headers parsed for lookups but written back as the raw bytes received.

    warcio re-serialises headers ("Name: value", its own casing of nothing but
    whitespace); an auditor wants the bytes the server sent, so the buffer is kept.
    """

    def __init__(self, raw: bytes, parsed: StatusAndHeaders) -> None:
        super().__init__(parsed.statusline, parsed.headers, parsed.protocol, parsed.total_len)
        self.raw = raw

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.raw


def parse_http_head(raw_head: bytes, *, drop_transfer_encoding: bool = True) -> RawStatusAndHeaders:
    """Parse a raw status/request line + header block (ending in a blank line)."""
    head = raw_head
    if drop_transfer_encoding:
        head = _TRANSFER_ENCODING.sub(b"", head)
    if not head.endswith(b"\r\n\r\n"):
        head = head.rstrip(b"\r\n") + b"\r\n\r\n"
    parsed = StatusAndHeadersParser([], verify=False).parse(BytesIO(head))
    return RawStatusAndHeaders(head, parsed)


def iso_date(timestamp: float) -> str:
    """WARC-Date with microseconds, as WARC 1.1 allows."""
    from datetime import datetime

    moment = datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)
    return datetime_to_iso_date(moment, use_micros=True)


def response_record(
    uri: str, raw_head: bytes, body: bytes, *, date: str, ip_address: str | None = None,
    extra: dict[str, str] | None = None,
) -> ArcWarcRecord:
    headers = {"WARC-Date": date, **(extra or {})}
    if ip_address:
        headers["WARC-IP-Address"] = ip_address
    record = _builder.create_warc_record(
        uri, "response", payload=BytesIO(body), length=len(body),
        warc_headers_dict=headers, http_headers=parse_http_head(raw_head),
    )
    _builder.ensure_digest(record, block=True, payload=False)
    return record


def request_record(
    uri: str, raw_request: bytes, *, date: str, concurrent_to: str
) -> ArcWarcRecord:
    head, _, body = raw_request.partition(b"\r\n\r\n")
    record = _builder.create_warc_record(
        uri, "request", payload=BytesIO(body), length=len(body),
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": concurrent_to},
        http_headers=parse_http_head(head + b"\r\n\r\n", drop_transfer_encoding=False),
    )
    _builder.ensure_digest(record, block=True, payload=False)
    return record


def revisit_record(
    uri: str, raw_head: bytes, *, date: str, payload_digest: str, refers_to: str,
    refers_to_uri: str, refers_to_date: str, ip_address: str | None = None,
) -> ArcWarcRecord:
    """An unchanged re-fetch: headers only, pointing at the original response."""
    headers = {
        "WARC-Date": date,
        "WARC-Profile": REVISIT_PROFILE,
        "WARC-Payload-Digest": payload_digest,
        "WARC-Refers-To": refers_to,
        "WARC-Refers-To-Target-URI": refers_to_uri,
        "WARC-Refers-To-Date": refers_to_date,
        "WARC-Truncated": "length",
    }
    if ip_address:
        headers["WARC-IP-Address"] = ip_address
    record = _builder.create_warc_record(
        uri, "revisit", payload=BytesIO(), length=0,
        warc_headers_dict=headers, http_headers=parse_http_head(raw_head),
    )
    _builder.ensure_digest(record, block=True, payload=False)
    return record


def metadata_record(uri: str, data: dict[str, Any], *, refers_to: str | None) -> ArcWarcRecord:
    """A coprod Record (or other JSON) about a captured response."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {"WARC-Refers-To": refers_to} if refers_to else {}
    return _content_record(uri, "metadata", payload, "application/json", headers)


def resource_record(
    uri: str, payload: bytes, content_type: str, *, concurrent_to: str | None = None
) -> ArcWarcRecord:
    """Content not from an HTTP exchange: a rendered DOM, a screenshot."""
    headers = {"WARC-Concurrent-To": concurrent_to} if concurrent_to else {}
    return _content_record(uri, "resource", payload, content_type, headers)


def warcinfo_record(filename: str, info: dict[str, str]) -> ArcWarcRecord:
    record = _builder.create_warcinfo_record(filename, info)
    _builder.ensure_digest(record, block=True, payload=False)
    return record


def _content_record(
    uri: str, record_type: str, payload: bytes, content_type: str, headers: dict[str, str]
) -> ArcWarcRecord:
    record = _builder.create_warc_record(
        uri, record_type, payload=BytesIO(payload), length=len(payload),
        warc_content_type=content_type, warc_headers_dict=headers,
    )
    _builder.ensure_digest(record, block=True, payload=False)
    return record


def record_id(record: ArcWarcRecord) -> str:
    return record.rec_headers.get_header("WARC-Record-ID")
