"""The WARC writer: what lands on disk, that it validates, rollover, .open files and recovery."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from pathlib import Path

from archive import warcrecords as wr
from archive.cdxj import cdxj_path, index_warc
from archive.recovery import recover_directory
from archive.warcwriter import RollingWarcWriter
from tests.warc_checks import assert_valid_warc, read_records

HEAD = (b"HTTP/1.1 200 Fine Thanks\r\ncontent-TYPE: text/html; charset=utf-8\r\n"
        b"Transfer-Encoding: chunked\r\nX-Odd:   spaced  \r\nContent-Encoding: gzip\r\n\r\n")
BODY = gzip.compress(b"<html><title>Co-production</title></html>")
REQUEST = b"GET /page HTTP/1.1\r\nHost: example.org\r\nUser-Agent: coprod-test\r\n\r\n"


def _exchange(writer: RollingWarcWriter, uri: str = "https://example.org/page"):
    date = wr.iso_date(1_700_000_000.25)
    resp = wr.response_record(uri, HEAD, BODY, date=date, ip_address="127.0.0.1")
    req = wr.request_record(uri, REQUEST, date=date, concurrent_to=wr.record_id(resp))
    return writer.write_group([req, resp])


def test_exchange_is_stored_as_sent(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, {"software": "coprod-test"}, hostname="host/../x")
    written_req, written_resp = _exchange(writer)
    assert writer.current_name and "/" not in writer.current_name
    assert list(tmp_path.glob("*.warc.gz.open")), "file is .open while being written"
    path = writer.close()
    assert path is not None and path.name.endswith(".warc.gz") and not list(tmp_path.glob("*.open"))
    assert re.fullmatch(r"coprod-\d{17}-\d{5}-host-x\.warc\.gz", path.name), path.name
    assert_valid_warc(path)

    records = read_records(path)
    assert [r["type"] for r in records] == ["warcinfo", "request", "response"]
    info = records[0]["payload"].decode()
    assert "software: coprod-test" in info
    request, response = records[1], records[2]
    assert request["headers"]["WARC-Concurrent-To"] == response["headers"]["WARC-Record-ID"]
    assert response["headers"]["WARC-IP-Address"] == "127.0.0.1"
    assert response["headers"]["WARC-Date"] == "2023-11-14T22:13:20.250000Z"
    assert response["offset"] == written_resp.offset
    # raw header bytes: case, spacing, reason phrase kept; Transfer-Encoding dropped (body de-chunked)
    assert response["http"].statusline == "200 Fine Thanks"
    raw = gzip.open(path).read()
    assert b"HTTP/1.1 200 Fine Thanks\r\ncontent-TYPE" in raw
    assert b"content-TYPE: text/html; charset=utf-8\r\nX-Odd:   spaced  \r\n" in raw
    assert b"Transfer-Encoding" not in raw.split(b"WARC-Type: response", 1)[1]
    # body stored still gzip-encoded; payload digest over that entity
    assert response["payload"] == BODY
    sha1 = base64.b32encode(hashlib.sha1(BODY).digest()).decode()
    assert response["headers"]["WARC-Payload-Digest"] == f"sha1:{sha1}"
    assert request["raw_http"].startswith(b"GET /page HTTP/1.1")


def test_rollover_keeps_pairs_together(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, {"software": "t"}, max_size=1)
    for n in range(3):
        _exchange(writer, f"https://example.org/{n}")
    writer.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) == 3 and len(set(files)) == 3
    for path in files:
        assert_valid_warc(path)
        assert [r["type"] for r in read_records(path)] == ["warcinfo", "request", "response"]


def test_torn_open_file_is_cut_back_to_whole_records(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, {"software": "t"})
    _exchange(writer, "https://example.org/a")
    _, second = _exchange(writer, "https://example.org/b")
    open_path = next(tmp_path.glob("*.open"))
    writer._file.flush()
    whole = second.offset  # cut in the middle of the second response
    data = open_path.read_bytes()
    writer._file.close()
    writer._file = None  # simulate the crash: the process never closed it
    open_path.write_bytes(data[: whole + second.length // 2])

    indexed = []
    finished = recover_directory(tmp_path, indexed.append)
    assert len(finished) == 1 and indexed == finished and not list(tmp_path.glob("*.open"))
    assert_valid_warc(finished[0])
    kept = read_records(finished[0])
    assert [r["type"] for r in kept] == ["warcinfo", "request", "response", "request"]


def test_empty_open_file_is_removed(tmp_path: Path) -> None:
    (tmp_path / "coprod-x.warc.gz.open").write_bytes(b"\x1f\x8b\x08junk")
    assert recover_directory(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_cdxj_index_lists_responses(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, {"software": "t"})
    _exchange(writer)
    path = writer.close()
    index = index_warc(path)
    assert index == cdxj_path(path)
    lines = index.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("org,example)/page ")
    assert '"status": "200"' in lines[0] and f'"filename": "{path.name}"' in lines[0]


def test_open_file_missing_only_its_last_bytes_is_cut(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, {"software": "t"})
    _, first = _exchange(writer, "https://example.org/a")
    _, second = _exchange(writer, "https://example.org/b")
    writer._file.flush()
    open_path = next(tmp_path.glob("*.open"))
    data = open_path.read_bytes()
    writer._file.close()
    writer._file = None
    open_path.write_bytes(data[:-10])  # the gzip trailer of the last member is gone
    finished = recover_directory(tmp_path)
    kept = read_records(finished[0])
    assert [r["type"] for r in kept] == ["warcinfo", "request", "response", "request"]
    assert finished[0].stat().st_size == second.offset
