"""The CDXJ index and SHA-256 of a WARC are kept while it is written, not read back from the
finished file: the index must be byte for byte what cdxj-indexer writes over that file, and
the digest what hashlib reads from it."""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import json
import sqlite3
from io import BytesIO
from pathlib import Path

import pytest
from cdxj_indexer.main import CDXJIndexer
from scrapy.http import HtmlResponse, Request
from warcio.archiveiterator import ArchiveIterator

import crawler.archiving
from archive import cdxj as cdxj_module
from archive import warcrecords as wr
from archive.catalog import CATALOG_NAME
from archive.cdxj import INDEXED_RECORD_TYPES, cdxj_path
from archive.replay_rendered import DOM_SCHEME, DOM_TYPE
from archive.warcwriter import RollingWarcWriter, WarcWriteError
from crawler.archiving import WarcArchive
from crawler.capture import Exchange

PAGES = [  # real pages a crawl fetches: publisher landing pages and repository records
    "publisher_html/plos_one_pone.0000001.html",
    "publisher_html/peerj_4375.html",
    "publisher_html/springer_link_s11926-017-0626-z.html",
    "publisher_html/nature_news_d41586-019-02790-3.html",
    "publisher_html/ojs3_first_monday_fulltext.html",
    "repository_html/arxiv_abs_1706.03762.html",
    "repository_html/zenodo_record_1196821_legacy_ui.html",
    "repository_html/hal_jpa-00235190.html",
]


def reference_cdxj(warc: Path, out_dir: Path) -> bytes:
    """What cdxj-indexer writes over the finished file, with the options coprod uses."""
    out_dir.mkdir(exist_ok=True)
    out = out_dir / cdxj_path(warc).name
    CDXJIndexer(str(out), [str(warc)], sort=True, post_append=True,
                records=INDEXED_RECORD_TYPES).process_all()
    return out.read_bytes()


def file_digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _exchange(archive: WarcArchive, url: str, status: int, head: bytes, body: bytes,
              started: float, method: str = "GET") -> str:
    """One exchange through the tap's own path (WarcArchive.write_exchange); its page kind."""
    request = Request(url, method=method)
    path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    raw_request = (f"{method} /{path} HTTP/1.1\r\nHost: {url.split('/')[2]}\r\n"
                   "User-Agent: coprod-test\r\nAccept: text/html\r\n\r\n").encode()
    response = HtmlResponse(url, status=status, body=body, request=request,
                            ip_address=ipaddress.ip_address("127.0.0.1"))
    exchange = Exchange(started=started, sent=bytearray(raw_request), received_head=bytearray(head))
    return archive.write_exchange(request, response, exchange)[1]


def _head(status: str, *lines: str) -> bytes:
    return ("\r\n".join([f"HTTP/1.1 {status}", *lines]) + "\r\n\r\n").encode()


def _form_post(url: str, form: bytes, date: str) -> list:
    """A search form POSTed to a repository, stored response first as pywb and warcprox store
    it: cdxj-indexer pairs the two and appends the form to the key (post_append)."""
    page = b"<html><title>Search results: co-production</title></html>"
    resp = wr.response_record(url, _head("200 OK", "Content-Type: text/html",
                                         f"Content-Length: {len(page)}"), page, date=date)
    raw = (b"POST /search HTTP/1.1\r\nHost: repo.example.org\r\n"
           b"Content-Type: application/x-www-form-urlencoded\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (len(form), form))
    req = wr.request_record(url, raw, date=date, concurrent_to=wr.record_id(resp))
    resp.rec_headers.add_header("WARC-Concurrent-To", wr.record_id(req))
    return [resp, req]


def test_crawl_archive_index_and_digest_come_from_the_writes(
        tmp_path: Path, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_reread(*_args, **_kwargs):
        raise AssertionError("a finished file was read back")

    # finishing a file must not read it: both re-reads fail the test
    monkeypatch.setattr(crawler.archiving, "index_warc", no_reread)
    monkeypatch.setattr(cdxj_module, "index_warc", no_reread)
    monkeypatch.setattr(crawler.archiving, "file_sha256", no_reread)

    data = tmp_path / "data"
    archive = WarcArchive(data, {"software": "coprod-test"}, prefix="wt", max_size=60_000)
    kinds = []
    started = 1_700_000_000.0
    for n, name in enumerate(PAGES):
        body = (fixtures_dir / name).read_bytes()
        url = f"https://Pages.Example.org/{name.split('/')[1]}?b=2&a=1"
        head = _head("200 OK", "Content-Type: text/html; charset=UTF-8",
                     f"Content-Length: {len(body)}", "Server: sandbox")
        kinds.append(_exchange(archive, url, 200, head, body, started + n))
        written = archive.write_metadata(url, {"title": name, "n": n}, refers_to=None)
    # the same page again, unchanged: the tap writes a revisit (crawler.incremental)
    again = (fixtures_dir / PAGES[0]).read_bytes()
    url0 = f"https://Pages.Example.org/{PAGES[0].split('/')[1]}?b=2&a=1"
    kinds.append(_exchange(archive, url0, 200, _head(
        "200 OK", "Content-Type: text/html; charset=UTF-8", f"Content-Length: {len(again)}"),
        again, started + 100))
    missing = b"<html><title>Not Found</title></html>"
    _exchange(archive, "https://pages.example.org/gone", 404, _head(
        "404 Not Found", "Content-Type: text/html", f"Content-Length: {len(missing)}"),
        missing, started + 101)
    _exchange(archive, "https://doi.org/10.1371/journal.pone.0000001", 302, _head(
        "302 Found", "Location: https://journals.plos.org/plosone/article?id=10.1371/journal.pone."
        "0000001", "Content-Length: 0"), b"", started + 102)
    packed = gzip.compress(b"<html><title>Co-production</title></html>")
    _exchange(archive, "https://pages.example.org/packed", 200, _head(
        "200 OK", "content-TYPE: application/xhtml+xml ; charset=utf-8",
        "Transfer-Encoding: chunked", "Content-Encoding: gzip"), packed, started + 103)
    # a rendered page: DOM snapshot (resource) and its log (metadata) in one group, as
    # crawler.render.records writes them
    dom = (fixtures_dir / PAGES[1]).read_bytes()
    dom_record = wr.resource_record(DOM_SCHEME + url0, dom, DOM_TYPE,
                                    concurrent_to=written.record_id)
    archive.writer.write_group([dom_record, wr.metadata_record(
        url0, {"coprod_render": {"dom": wr.record_id(dom_record)}}, refers_to=written.record_id)])
    archive.writer.write_group(_form_post(
        "https://repo.example.org/search", b"q=co-production&page=2", wr.iso_date(started)))
    archive.close()

    assert kinds[-1] == "unchanged" and kinds[:len(PAGES)] == ["new"] * len(PAGES)
    warcs = sorted((data / "warcs").glob("*.warc.gz"))
    assert len(warcs) >= 3, "the small max_size rolls the archive over"
    assert not list((data / "warcs").glob("*.tmp"))
    lines = []
    for warc in warcs:
        written_index = cdxj_path(warc).read_bytes()
        assert written_index == reference_cdxj(warc, tmp_path / "reference"), warc.name
        lines += written_index.decode().splitlines()
    # every response, revisit and resource is indexed; no metadata record is
    metadata = 0  # sanity: the reference itself saw the records
    for warc in warcs:
        with open(warc, "rb") as stream:
            metadata += sum(r.rec_type == "metadata" for r in ArchiveIterator(stream))
    assert metadata == len(PAGES) + 1
    entries = [json.loads(line.split(" ", 2)[2]) for line in lines]
    # pages, their revisit, the 404, the 302, the gzip page, the DOM, the POST's response
    assert len(entries) == len(PAGES) + 1 + 3 + 1 + 1
    assert sorted({e.get("mime", "") for e in entries}) == [  # the 302 has no Content-Type
        "", "application/xhtml+xml", "text/html", "warc/revisit"]
    assert sorted(e["status"] for e in entries if "status" in e) == sorted(
        ["200"] * (len(PAGES) + 3) + ["404", "302"])
    assert any(line.startswith("org,example,pages)/plos_one_pone.0000001.html?a=1&b=2 ")
               for line in lines)
    posted = [e for e in entries if e.get("method") == "POST"]
    assert [e["requestBody"] for e in posted] == ["q=co-production&page=2"]
    assert any("__wb_method=post&page=2&q=co-production" in line for line in lines)
    assert [e["url"] for e in entries if e["url"].startswith(DOM_SCHEME)] == [DOM_SCHEME + url0]

    with sqlite3.connect(data / CATALOG_NAME) as db:
        noted = dict(db.execute("SELECT name, sha256 FROM warc_files").fetchall())
    assert noted == {warc.name: file_digest(warc) for warc in warcs}


@pytest.mark.parametrize("name", ["pywb_dupes_revisits.warc.gz", "pywb_iana_org_multi_record.warc.gz",
                                  "pywb_wget_1.14_example_com.warc.gz", "pywb_wpull_example_com.warc.gz",
                                  "warcio_example_com.warc.gz", "warcio_iana_org_chunked_uncompressed.warc"])
def test_records_from_other_tools_index_as_cdxj_indexer(
        tmp_path: Path, fixtures_dir: Path, name: str) -> None:
    """Records as wget, wpull, pywb and warcio wrote them (response before request, revisits,
    resources, chunked bodies, two warcinfos), copied through the writer unchanged."""
    closed = []
    writer = RollingWarcWriter(tmp_path, {"software": "coprod-test"},
                               on_close=lambda path, _n: closed.append((path, writer.sha256)))
    with open(fixtures_dir / "warc" / name, "rb") as stream:
        for record in ArchiveIterator(stream, no_record_parse=True):
            writer.write(record)
    path = writer.close()
    assert path is not None
    writer.cdxj.write(path)
    expected = reference_cdxj(path, tmp_path / "reference")
    assert expected.count(b"\n") >= 1
    assert cdxj_path(path).read_bytes() == expected
    assert closed == [(path, file_digest(path))]


def test_a_revisit_without_payload_digest_indexes_as_cdxj_indexer(tmp_path: Path) -> None:
    """A revisit without WARC-Payload-Digest (the one indexed type warcio's writer does not
    digest): the line has no digest, as cdxj-indexer writes it."""
    writer = RollingWarcWriter(tmp_path, {"software": "coprod-test"})
    record = wr._builder.create_warc_record(
        "https://example.org/page", "revisit", payload=BytesIO(b"leftover body"), length=13,
        http_headers=wr.parse_http_head(_head("200 OK", "Content-Type: text/html")),
        warc_headers_dict={"WARC-Date": wr.iso_date(1_700_000_000)})
    assert record.rec_headers.get_header("WARC-Payload-Digest") is None
    writer.write(record)
    path = writer.close()
    writer.cdxj.write(path)
    assert cdxj_path(path).read_bytes() == reference_cdxj(path, tmp_path / "reference")
    entry, = [json.loads(line.split(" ", 2)[2]) for line in cdxj_path(path).read_text().splitlines()]
    assert entry["mime"] == "warc/revisit" and entry["status"] == "200" and "digest" not in entry


class _FullDisk:
    """An unbuffered file that takes `room` more bytes, then fails as a full disk does."""

    def __init__(self, file, room: int) -> None:
        self._file, self.room = file, room

    def write(self, data) -> int:
        if self.room <= 0:
            raise OSError(28, "No space left on device")
        taken = self._file.write(bytes(data[: self.room]))
        self.room -= taken
        return taken

    def __getattr__(self, name: str):
        return getattr(self._file, name)


@pytest.mark.parametrize("cut_fails", [False, True])
def test_a_torn_write_leaves_index_and_digest_of_the_whole_records(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut_fails: bool) -> None:
    import archive.warcwriter as warcwriter

    seen = []
    writer = RollingWarcWriter(tmp_path, {"software": "coprod-test"},
                               on_close=lambda path, _n: seen.append(writer.sha256))
    page = b"<html><title>Co-production</title></html>"
    resp = wr.response_record("https://example.org/a", _head("200 OK", "Content-Type: text/html"),
                              page, date=wr.iso_date(1_700_000_000))
    writer.write(resp)
    writer._file = _FullDisk(writer._file, room=40)
    if cut_fails:  # the tail stays on disk: the hash no longer describes the file
        def refuse(_fd, _size):
            raise OSError(5, "Input/output error")
        monkeypatch.setattr(warcwriter.os, "ftruncate", refuse)
    with pytest.raises(WarcWriteError):
        writer.write(wr.response_record("https://example.org/b", _head("200 OK"), page,
                                        date=wr.iso_date(1_700_000_001)))
    path, = tmp_path.glob("*.warc.gz")
    if cut_fails:
        assert seen == [None]
    else:
        assert seen == [file_digest(path)]
        writer.cdxj.write(path)
        assert cdxj_path(path).read_bytes() == reference_cdxj(path, tmp_path / "reference")
        assert cdxj_path(path).read_bytes().count(b"\n") == 1


def test_a_file_left_open_by_a_crash_is_indexed_from_the_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    crashed = RollingWarcWriter(data / "warcs", {"software": "coprod-test"}, prefix="wt")
    page = b"<html><title>Co-production</title></html>"
    crashed.write(wr.response_record("https://example.org/a", _head("200 OK", "Content-Type: text/html"),
                                     page, date=wr.iso_date(1_700_000_000)))
    crashed._file.write(b"\x1f\x8b torn")  # killed mid-record; nothing closes the file
    archive = WarcArchive(data, {"software": "coprod-test"}, prefix="wt", max_size=10**9)
    archive.close()
    warc, = (data / "warcs").glob("*.warc.gz")
    assert cdxj_path(warc).read_bytes() == reference_cdxj(warc, tmp_path / "reference")
    assert cdxj_path(warc).read_bytes().count(b"\n") == 1
    with sqlite3.connect(data / CATALOG_NAME) as db:
        assert db.execute("SELECT sha256 FROM warc_files").fetchall() == [(file_digest(warc),)]


def test_a_record_the_lines_cannot_take_falls_back_to_indexing_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.cdxj import CdxjLines

    real_parse = CdxjLines._parse
    calls = []

    def fails_once(self, raw, offset, length):
        calls.append(offset)
        if len(calls) == 2:
            raise ValueError("unreadable head")
        return real_parse(self, raw, offset, length)

    monkeypatch.setattr(CdxjLines, "_parse", fails_once)
    writer = RollingWarcWriter(tmp_path, {"software": "coprod-test"})
    for n in range(3):
        writer.write(wr.response_record(f"https://example.org/{n}", _head("200 OK"), b"page %d" % n,
                                        date=wr.iso_date(1_700_000_000 + n)))
    path = writer.close()
    assert writer.cdxj.failed == "ValueError: unreadable head"
    writer.cdxj.write(path)
    assert cdxj_path(path).read_bytes() == reference_cdxj(path, tmp_path / "reference")
    assert cdxj_path(path).read_bytes().count(b"\n") == 3
