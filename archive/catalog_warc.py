"""Reading what the catalog indexes out of WARC records: a capture's fields, the coprod Record
in a JSON metadata record, harvest and failure metadata records. No database here."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from warcio.recordloader import ArcWarcRecord

from archive.warccheck import WarcEntry
from extractors.record import Record

MAX_METADATA_BYTES = 64 * 1024 * 1024  # a Record's JSON; larger is corrupt or hostile
HARVEST_KEY = "coprod_harvest"  # a JSON metadata record {HARVEST_KEY: {source, started_at, finished_at}}
FAILURE_KEY = "coprod_failure"  # a JSON metadata record {FAILURE_KEY: {uri, kind, reason}}


class CatalogError(Exception):
    """The catalog cannot do what was asked; the message names the file at fault."""


def is_json(record: ArcWarcRecord) -> bool:
    if record.rec_type != "metadata":
        return False
    content_type = record.rec_headers.get_header("Content-Type") or ""
    return content_type.split(";")[0].strip().lower() == "application/json"


def metadata_record(path: Path, entry: WarcEntry) -> tuple[Record, dict[str, Any]] | None:
    """The Record in a JSON metadata record (one with "provenance" and a "title"), and its
    JSON as stored; None for other metadata. Broken JSON is an error, not other metadata."""
    where = f"{path}: metadata record at byte {entry.offset}"
    content = entry.content or b""
    if len(content) > MAX_METADATA_BYTES:
        raise CatalogError(f"{where}: JSON over {MAX_METADATA_BYTES} bytes")
    try:
        data = json.loads(content)
        if isinstance(data, dict) and "provenance" in data and data.get("title"):
            return Record.from_dict(data), data
    except ValueError as error:
        raise CatalogError(f"{where} is not JSON: {error}") from error
    except (TypeError, AttributeError) as error:
        raise CatalogError(f"{where} is not a Record: {error}") from error
    return None


def harvest_values(content: bytes) -> dict[str, str] | None:
    """source, started_at and finished_at from a harvest metadata record; None for other JSON."""
    if HARVEST_KEY.encode() not in content[:200]:
        return None
    try:
        found = json.loads(content).get(HARVEST_KEY)
        values = {name: found[name] for name in ("source", "started_at", "finished_at")}
    except (ValueError, AttributeError, TypeError, KeyError):
        return None
    return values if all(isinstance(v, str) and v for v in values.values()) else None


def failure_values(content: bytes) -> dict[str, str] | None:
    """uri, kind and reason from a failure metadata record; None for other JSON."""
    if FAILURE_KEY.encode() not in content[:200]:
        return None
    try:
        found = json.loads(content).get(FAILURE_KEY)
        values = {name: found[name] for name in ("uri", "kind", "reason")}
    except (ValueError, AttributeError, TypeError, KeyError):
        return None
    return values if all(isinstance(v, str) and v for v in values.values()) else None


def failure_data(uri: str, kind: str, reason: str, **extra: Any) -> dict[str, Any]:
    """The JSON of a failure metadata record, as `index_warc` reads it back."""
    return {FAILURE_KEY: {"uri": uri, "kind": kind, "reason": reason, **extra}}


def capture_values(record: ArcWarcRecord) -> dict[str, Any]:
    """Capture fields a WARC record carries itself (all but file, offset and length)."""
    headers = record.rec_headers
    http = record.http_headers
    status = http.get_statuscode() if http is not None else None
    content_type = http.get_header("Content-Type") if http is not None else None
    if record.rec_type == "resource":
        content_type = headers.get_header("Content-Type")
    length = headers.get_header("Content-Length")
    return {
        "record_id": headers.get_header("WARC-Record-ID"),
        "record_type": record.rec_type,
        "uri": headers.get_header("WARC-Target-URI") or "",
        "warc_date": headers.get_header("WARC-Date") or "",
        "status": int(status) if status and str(status).isdigit() else None,
        "mime": content_type.split(";")[0].strip().lower() if content_type else None,
        "payload_digest": headers.get_header("WARC-Payload-Digest"),
        "length": int(length) if length and length.isdigit() else None,
        "refers_to": headers.get_header("WARC-Refers-To"),
        # a revisit is headers only by definition (its WARC-Truncated says so): not a cut body
        "truncated": headers.get_header("WARC-Truncated") if record.rec_type == "response" else None,
    }


def file_sha256(path: Path | str) -> str:
    with open(path, "rb") as stream:
        return "sha256:" + hashlib.file_digest(stream, "sha256").hexdigest()
