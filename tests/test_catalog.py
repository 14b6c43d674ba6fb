"""The catalog: indexed live, rebuilt from the WARCs alone, and the two compared.

The WARCs are written here with warcio the way coprod writes them: one gzip member per
record, request + response pairs, revisits for unchanged re-fetches, and each Record as
a JSON metadata record pointing (WARC-Refers-To) at the response it came from. The
pages mimic an Emerald article landing page and a Danish institute's project page.
"""

from __future__ import annotations

import json
import sqlite3
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.catalog import (
    SCHEMA_VERSION,
    Catalog,
    CatalogError,
    default_path,
    file_sha256,
    rebuild,
    record_key,
)
from extractors.record import Author, Provenance, Record

ARTICLE_URL = "https://www.emerald.com/insight/content/doi/10.1108/IJSSP-01-2022-0027/full/html"
PROJECT_URL = "https://www.vive.dk/da/forskning/projekt/samskabelse/"


class LiveWarc:
    """Writes a WARC and, like the crawler will, indexes each record as it lands."""

    def __init__(self, path: Path, catalog: Catalog | None, *, gzip: bool = True) -> None:
        self.path, self.catalog = path, catalog
        self.stream = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.writer = WARCWriter(self.stream, gzip=gzip, warc_version="WARC/1.1")
        self.count = 0

    def _write(self, record) -> tuple[int, int, str]:
        offset = self.stream.tell()
        self.writer.write_record(record)
        self.count += 1
        return offset, self.stream.tell() - offset, record.rec_headers.get_header("WARC-Record-ID")

    def exchange(self, uri: str, body: bytes, date: str, status: str = "200 OK") -> str:
        request = self.writer.create_warc_record(
            uri, "request", payload=BytesIO(b""),
            http_headers=StatusAndHeaders(f"GET {uri} HTTP/1.1", [("Host", "x")], is_http_request=True),
            warc_headers_dict={"WARC-Date": date},
        )
        http = StatusAndHeaders(status, [("Content-Type", "text/html; charset=UTF-8")], "HTTP/1.1")
        response = self.writer.create_warc_record(
            uri, "response", payload=BytesIO(body), http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        self._write(request)
        offset, length, rid = self._write(response)
        if self.catalog:
            self.catalog.add_capture(
                record_id=rid, record_type="response", uri=uri, warc_date=date,
                status=int(status.split()[0]), mime="text/html",
                payload_digest=response.rec_headers.get_header("WARC-Payload-Digest"),
                length=int(response.rec_headers.get_header("Content-Length")),
                warc_file=self.path.name, offset=offset, record_length=length,
            )
        return rid

    def revisit(self, uri: str, date: str, original_id: str, original_date: str, digest: str) -> str:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
        revisit = self.writer.create_revisit_record(
            uri, digest, uri, original_date, http_headers=http,
            warc_headers_dict={"WARC-Date": date, "WARC-Refers-To": original_id},
        )
        offset, length, rid = self._write(revisit)
        if self.catalog:
            self.catalog.add_capture(
                record_id=rid, record_type="revisit", uri=uri, warc_date=date, status=200,
                mime="text/html", payload_digest=digest,
                length=int(revisit.rec_headers.get_header("Content-Length")),
                warc_file=self.path.name, offset=offset, record_length=length,
                refers_to=original_id,
            )
        return rid

    def resource(self, uri: str, body: bytes, date: str) -> None:
        """A browser-rendered DOM, stored as a resource record."""
        record = self.writer.create_warc_record(
            uri, "resource", payload=BytesIO(body), warc_content_type="text/html; charset=utf-8",
            warc_headers_dict={"WARC-Date": date},
        )
        offset, length, rid = self._write(record)
        if self.catalog:
            self.catalog.add_capture(
                record_id=rid, record_type="resource", uri=uri, warc_date=date, status=None,
                mime="text/html", payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
                length=len(body), warc_file=self.path.name, offset=offset, record_length=length,
            )

    def metadata(self, uri: str, payload: dict, date: str, refers_to: str) -> tuple[int, str]:
        record = self.writer.create_warc_record(
            uri, "metadata", payload=BytesIO(json.dumps(payload).encode()),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Date": date, "WARC-Refers-To": refers_to},
        )
        offset, _length, rid = self._write(record)
        return offset, rid

    def record(self, record: Record, date: str, refers_to: str) -> None:
        offset, rid = self.metadata(record.source_url, record.to_dict(), date, refers_to)
        if self.catalog:
            self.catalog.add_record(record, warc_file=self.path.name, offset=offset,
                                    record_id=rid, refers_to=refers_to, warc_date=date)

    def close(self) -> Path:
        self.stream.close()
        if self.catalog:
            self.catalog.add_warc_file(self.path.name, size=self.path.stat().st_size,
                                       records=self.count, sha256=file_sha256(self.path))
        return self.path


def article(title: str, warc_file: str) -> Record:
    return Record(
        type="article", title=title, source_url=ARTICLE_URL, doi="10.1108/ijssp-01-2022-0027",
        authors=[Author(name="Cecilia Ärleskog", given="Cecilia", family="Ärleskog")],
        published="2022-03-15",
        provenance=Provenance(warc_file=warc_file, fetched_at="2024-05-01T10:00:00Z"),
    )


def project() -> Record:
    return Record(type="project", title="Samskabelse i velfærden", source_url=PROJECT_URL,
                  organisation="VIVE", provenance=Provenance(warc_file="a.warc.gz"))


def crawl(tmp_path: Path, catalog: Catalog | None) -> list[Path]:
    """Two crawls a day apart: the article is fetched, then re-fetched unchanged (a revisit)
    with a corrected record; the project page once. Between them, a non-Record metadata record."""
    warcs = tmp_path / "warcs"
    warcs.mkdir(exist_ok=True)
    first = LiveWarc(warcs / "a.warc.gz", catalog)
    page_id = first.exchange(ARTICLE_URL, b"<html>article</html>", "2024-05-01T10:00:00Z")
    first.record(article("Co-production in welfare: a reveiw", "a.warc.gz"),
                 "2024-05-01T10:00:01.500000Z", page_id)
    body = "<html>Samskabelse i velfærden</html>".encode()
    project_id = first.exchange(PROJECT_URL, body, "2024-05-01T10:00:02Z")
    first.record(project(), "2024-05-01T10:00:03Z", project_id)
    first.metadata(PROJECT_URL, {"outlinks": [ARTICLE_URL]}, "2024-05-01T10:00:04Z", project_id)
    first.close()

    second = LiveWarc(warcs / "b.warc.gz", catalog)
    digest = second.writer.create_warc_record(
        "x", "resource", payload=BytesIO(b"<html>article</html>"), warc_content_type="text/html"
    ).rec_headers.get_header("WARC-Payload-Digest")
    revisit_id = second.revisit(ARTICLE_URL, "2024-05-02T09:00:00Z", page_id, "2024-05-01T10:00:00Z", digest)
    second.record(article("Co-production in welfare: a review", "b.warc.gz"), "2024-05-02T09:00:01Z",
                  revisit_id)
    second.resource("urn:dom:" + ARTICLE_URL, b"<html>rendered</html>", "2024-05-02T09:00:02Z")
    second.close()
    return [warcs / "a.warc.gz", warcs / "b.warc.gz"]


def test_rebuild_from_warcs_equals_live_catalog(tmp_path):
    with Catalog(default_path(tmp_path)) as live:
        warcs = crawl(tmp_path, live)
        live_dump = live.dump()
    assert len(live_dump["captures"]) == 4 and len(live_dump["records"]) == 2

    with rebuild(tmp_path / "rebuilt.sqlite", warcs) as rebuilt:
        assert rebuilt.dump() == live_dump
        assert rebuilt.problems == []
    with rebuild(tmp_path / "reversed.sqlite", reversed(warcs)) as rebuilt:
        assert rebuilt.dump() == live_dump


def test_newer_metadata_record_replaces_the_work(tmp_path):
    with Catalog(tmp_path / "c.sqlite") as catalog:
        crawl(tmp_path, catalog)
        counts = catalog.counts()
        assert (counts["records"], counts["responses"], counts["revisits"]) == (2, 2, 1)
        found = catalog.get_record("https://doi.org/10.1108/IJSSP-01-2022-0027")
        assert found is not None and found.title == "Co-production in welfare: a review"
        assert found.authors[0].family == "Ärleskog"
        assert catalog.get_record("10.1108/nope") is None
        titles = sorted(r.title for r in catalog.records())
        assert titles == ["Co-production in welfare: a review", "Samskabelse i velfærden"]
        assert [r.title for r in catalog.records(type="project")] == ["Samskabelse i velfærden"]
        assert [r.title for r in catalog.records(year=2022)] == ["Co-production in welfare: a review"]
        row = catalog._conn.execute(
            "SELECT warc_file, refers_to FROM records WHERE key = ?", ("10.1108/ijssp-01-2022-0027",)
        ).fetchone()
        revisit = catalog.captures_for(ARTICLE_URL)[1]
        assert row == ("b.warc.gz", revisit.record_id)

        # An older metadata record indexed late (a rebuild in another order) does not win.
        stale = article("Stale title", "a.warc.gz")
        written = catalog.add_record(stale, warc_file="a.warc.gz", offset=1, record_id="urn:uuid:x",
                                     refers_to=None, warc_date="2024-04-01T00:00:00Z")
        assert written is False
        assert catalog.get_record("10.1108/ijssp-01-2022-0027").title.endswith("a review")
        # Half a second after the stored one (WARC 1.1 precision against whole seconds) wins.
        newer = article("Newest title", "c.warc.gz")
        assert catalog.add_record(newer, warc_file="c.warc.gz", offset=0, record_id="urn:uuid:y",
                                  refers_to=None, warc_date="2024-05-02T09:00:01.5Z")
        assert catalog.get_record("10.1108/ijssp-01-2022-0027").title == "Newest title"
        assert catalog.counts()["records"] == 2


def test_index_in_any_order_and_captures_in_time_order(tmp_path):
    with Catalog(tmp_path / "c.sqlite") as catalog:
        crawl(tmp_path, None)
        assert catalog.index_warc(tmp_path / "warcs" / "b.warc.gz") == 3
        assert catalog.index_warc(tmp_path / "warcs" / "a.warc.gz") == 7
        assert catalog.get_record("10.1108/ijssp-01-2022-0027").title.endswith("a review")
        response, revisit = catalog.captures_for(ARTICLE_URL)
        (dom,) = catalog.captures_for("urn:dom:" + ARTICLE_URL)
    assert (dom.record_type, dom.mime, dom.status) == ("resource", "text/html", None)
    assert (response.record_type, response.status, response.mime) == ("response", 200, "text/html")
    assert (revisit.record_type, revisit.refers_to) == ("revisit", response.record_id)
    assert revisit.payload_digest == response.payload_digest
    assert (response.warc_file, revisit.warc_file) == ("a.warc.gz", "b.warc.gz")
    # The offset really points at the response: read it back with one seek.
    with open(tmp_path / "warcs" / "a.warc.gz", "rb") as stream:
        stream.seek(response.offset)
        from warcio.archiveiterator import ArchiveIterator

        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_headers.get_header("WARC-Record-ID") == response.record_id
        assert record.content_stream().read() == b"<html>article</html>"


def test_record_keys():
    a = Record(title="Annual report", source_url="https://a.example/1")
    b = Record(title="Annual report", source_url="https://a.example/2")
    assert record_key(a) != record_key(b)
    assert record_key(a) == record_key(Record(title="Other title", source_url="https://a.example/1"))
    with_pmid = Record(title="x", source_url="https://a.example/1", identifiers={"pmid": "123"})
    assert record_key(with_pmid) != record_key(a) and record_key(with_pmid).startswith("h:")
    assert record_key(Record(title="x", doi="10.1/x")) == "10.1/x"


def cut_copy(source: Path, target: Path, size: int) -> Path:
    target.write_bytes(source.read_bytes()[:size])
    return target


@pytest.mark.parametrize("cut", [10, 200, -4])  # into the gzip trailer, into a body, a stray start
def test_torn_warc_is_an_error_naming_the_file(tmp_path, cut):
    warcs = crawl(tmp_path, None)
    with rebuild(tmp_path / "c.sqlite", warcs) as good:
        before = good.dump()
    data = warcs[1].read_bytes()
    if cut > 0:
        warcs[1].write_bytes(data[:-cut])
    else:
        warcs[1].write_bytes(data + data[:-cut])  # the first 4 bytes of another member
    with pytest.raises(CatalogError, match="b.warc.gz: unreadable at byte"):
        rebuild(tmp_path / "c.sqlite", warcs)
    with Catalog(tmp_path / "c.sqlite") as unchanged:  # a failed rebuild keeps the old one
        assert unchanged.dump() == before
    assert not (tmp_path / "c.sqlite.rebuild").exists()

    with rebuild(tmp_path / "lenient.sqlite", warcs, strict=False) as lenient:
        assert len(lenient.problems) == 1 and "b.warc.gz" in lenient.problems[0]
        assert lenient.counts()["warc_files"] == 2


def test_lenient_rebuild_keeps_the_whole_records_of_a_torn_file(tmp_path):
    warcs = crawl(tmp_path, None)
    data = warcs[1].read_bytes()
    warcs[1].write_bytes(data[:-10])  # the last record (the DOM) loses its gzip trailer
    with rebuild(tmp_path / "c.sqlite", warcs, strict=False) as catalog:
        counts = catalog.counts()
        assert (counts["revisits"], counts["resources"]) == (1, 0)  # read; torn
        assert catalog.get_record("10.1108/ijssp-01-2022-0027").title.endswith("a review")
        assert catalog.problems and "gzip member ends early" in catalog.problems[0]


def test_not_a_warc_and_bad_json_are_errors(tmp_path):
    page = tmp_path / "page.warc.gz"
    page.write_bytes(b"<html><body>not a WARC</body></html>")
    with pytest.raises(CatalogError, match="page.warc.gz"):
        rebuild(tmp_path / "c.sqlite", [page])

    broken = LiveWarc(tmp_path / "json.warc.gz", None)
    rid = broken.exchange(PROJECT_URL, b"<html></html>", "2024-05-01T10:00:00Z")
    record = broken.writer.create_warc_record(
        PROJECT_URL, "metadata", payload=BytesIO(b'{"title": "x", "provenance": '),
        warc_content_type="application/json", warc_headers_dict={"WARC-Refers-To": rid},
    )
    broken.writer.write_record(record)
    broken.record(project(), "2024-05-01T10:00:01Z", rid)
    broken.close()
    with pytest.raises(CatalogError, match="json.warc.gz: metadata record at byte .* is not JSON"):
        rebuild(tmp_path / "c.sqlite", [broken.path])
    # Leniently: the bad record is reported, the Record after it still indexed.
    with rebuild(tmp_path / "c.sqlite", [broken.path], strict=False) as catalog:
        assert len(catalog.problems) == 1 and "is not JSON" in catalog.problems[0]
        assert [r.title for r in catalog.records()] == ["Samskabelse i velfærden"]


def test_uncompressed_warc_reads_and_a_short_one_fails(tmp_path):
    plain = LiveWarc(tmp_path / "plain.warc", None, gzip=False)
    rid = plain.exchange(PROJECT_URL, b"<html>Samskabelse</html>", "2024-05-01T10:00:00Z")
    plain.record(project(), "2024-05-01T10:00:01Z", rid)
    plain.close()
    with rebuild(tmp_path / "c.sqlite", [plain.path]) as catalog:
        assert catalog.counts()["records"] == 1 and catalog.counts()["responses"] == 1
    cut_copy(plain.path, tmp_path / "short.warc", plain.path.stat().st_size - 30)
    with pytest.raises(CatalogError, match="short.warc: .*short of its Content-Length"):
        rebuild(tmp_path / "d.sqlite", [tmp_path / "short.warc"])


def test_schema_version_wal_and_refusing_a_newer_schema(tmp_path):
    path = tmp_path / "c.sqlite"
    with Catalog(path) as catalog:
        assert catalog.schema_version == SCHEMA_VERSION >= 1
        assert catalog._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(CatalogError, match="newer than this coprod"):
        Catalog(path)


def test_duplicate_warc_names_are_refused(tmp_path):
    warcs = crawl(tmp_path, None)
    other = tmp_path / "other"
    other.mkdir()
    copy = other / warcs[0].name
    copy.write_bytes(warcs[0].read_bytes())
    with pytest.raises(CatalogError, match="share a name: a.warc.gz"):
        rebuild(tmp_path / "c.sqlite", [*warcs, copy])
