"""Incremental runs: conditional GETs from the catalog, revisits instead of duplicate responses,
records never written twice, and harvest dates that survive a catalog rebuild.

The sandbox pages are small ones of our own in the Highwire markup publishers use (as an
Emerald or SAGE landing page carries it), behind doi.org redirects; one answers with an ETag,
one with Last-Modified, one with neither (so only the payload digest can tell it is unchanged).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.catalog import Catalog, rebuild
from archive.warcrecords import REVISIT_PROFILE
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import json_lines, run_coprod
from tests.warc_checks import all_warcs, assert_valid_warc, read_records

PAGE = """<html><head><title>{title}</title>
<meta name="citation_title" content="{title}">
<meta name="citation_author" content="Andersen, Ditte">
<meta name="citation_doi" content="{doi}">
<meta name="citation_journal_title" content="Journal of Sandbox Studies">
<meta name="citation_publication_date" content="2021/05/04">
</head><body><h1>{title}</h1><p>How service users and staff co-produce care.</p></body></html>"""
DOIS = ("10.5555/inc.etag", "10.5555/inc.lastmod", "10.5555/inc.plain")
ARTICLE = "https://journal.example.org/article/{}"
VALIDATORS = ({"etag": "v1"}, {"last_modified": "Tue, 04 May 2021 10:00:00 GMT"}, {})
HTML = "text/html; charset=utf-8"
MOVED = "https://journal.example.org/moved/1"


def _site() -> Site:
    site = Site()
    for n, (doi, validators) in enumerate(zip(DOIS, VALIDATORS, strict=True)):
        site.redirect(f"https://doi.org/{doi}", ARTICLE.format(n), status=302)
        site.add(ARTICLE.format(n), body=PAGE.format(title=f"Co-producing care, part {n}", doi=doi),
                 content_type=HTML, **validators)
    return site


def _types(path: Path) -> list[str]:
    return [record["type"] for record in read_records(path)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three `coprod doi` runs on one data dir: first, unchanged, then with pages changed.
    Each run gives (completed process, sandbox hits, its new WARC files, catalog record rows)."""
    data = tmp_path_factory.mktemp("incremental") / "data"
    site = _site()
    out, seen = {}, set()

    def run(name: str, web: SandboxWeb) -> None:
        web.clear_hits()
        done = run_coprod("doi", *DOIS, data_dir=data, resolve=web.resolve_rules)
        with Catalog(data / "catalog.sqlite") as catalog:
            rows = catalog.dump()["records"]
        new = sorted(set(all_warcs(data)) - seen)
        seen.update(new)
        out[name] = (done, web.hits, new, rows)

    with SandboxWeb(site) as web:
        run("first", web)
        run("unchanged", web)
        # The ETag page changes (new body, new ETag). The Last-Modified page now redirects, and
        # the page it lands on has the same Last-Modified: validators must not follow a redirect.
        site.add(ARTICLE.format(0), body=PAGE.format(title="Co-producing care, revised", doi=DOIS[0]),
                 content_type=HTML, etag="v2")
        site.redirect(ARTICLE.format(1), MOVED, status=301)
        site.add(MOVED, body=PAGE.format(title="Co-producing care, part 1", doi=DOIS[1]),
                 content_type=HTML, **VALIDATORS[1])
        run("changed", web)
    return data, out


def test_second_run_archives_only_revisits_and_adds_no_record(runs) -> None:
    data, out = runs
    first, unchanged = out["first"], out["unchanged"]
    assert first[0].returncode == 0 and unchanged[0].returncode == 0, unchanged[0].stderr
    assert json_lines(unchanged[0].stdout) == json_lines(first[0].stdout)  # the same records
    assert len(first[2]) == 1 and len(unchanged[2]) == 1
    first_records = read_records(first[2][0])
    second_types = _types(unchanged[2][0])
    assert set(second_types) == {"warcinfo", "request", "revisit"}
    responses = {r["headers"]["WARC-Record-ID"]: r for r in first_records if r["type"] == "response"}
    revisits = [r for r in read_records(unchanged[2][0]) if r["type"] == "revisit"]
    assert len(revisits) == len(responses)  # every exchange again, none stored twice
    for revisit in revisits:
        headers = revisit["headers"]
        original = responses[headers["WARC-Refers-To"]]["headers"]
        assert headers["WARC-Profile"] == REVISIT_PROFILE
        assert headers["WARC-Target-URI"] == original["WARC-Target-URI"]
        assert headers["WARC-Refers-To-Target-URI"] == original["WARC-Target-URI"]
        assert headers["WARC-Refers-To-Date"] == original["WARC-Date"]
        assert headers["WARC-Payload-Digest"] == original["WARC-Payload-Digest"]
        assert revisit["payload"] == b""
    # no record added or rewritten: the catalog's rows are as the first run left them
    assert unchanged[3] == first[3] and len(first[3]) == 3
    for path in first[2] + unchanged[2]:
        assert_valid_warc(path)


def test_validators_are_sent_and_304s_archived_with_their_own_head(runs) -> None:
    _, out = runs
    hits = {hit.url: hit for hit in out["unchanged"][1]}
    etag, lastmod, plain = (hits[ARTICLE.format(n)] for n in range(3))
    assert etag.headers["If-None-Match"] == '"v1"' and etag.status == 304
    assert lastmod.headers["If-Modified-Since"] == "Tue, 04 May 2021 10:00:00 GMT"
    assert lastmod.status == 304
    assert plain.headers["If-None-Match"] is None and plain.status == 200  # digest decides
    assert all(hit.headers["If-None-Match"] is None for hit in out["first"][1])
    revisits = {r["headers"]["WARC-Target-URI"]: r for r in read_records(out["unchanged"][2][0])
                if r["type"] == "revisit"}
    assert revisits[ARTICLE.format(0)]["http"].get_statuscode() == "304"
    assert revisits[ARTICLE.format(2)]["http"].get_statuscode() == "200"


def test_changed_pages_are_archived_whole_and_records_updated_in_place(runs) -> None:
    _, out = runs
    done, hits, warcs, rows = out["changed"]
    assert done.returncode == 0, done.stderr
    records = {r["doi"]: r for r in json_lines(done.stdout)}
    assert records[DOIS[0]]["title"] == "Co-producing care, revised"
    by_url = {}
    for record in read_records(warcs[0]):
        if record["type"] in ("response", "revisit"):
            by_url[record["headers"]["WARC-Target-URI"]] = record["type"]
    assert by_url[ARTICLE.format(0)] == "response"  # 200 with a new ETag: the new bytes
    assert by_url[ARTICLE.format(1)] == "response"  # now a redirect: a new payload
    assert by_url[ARTICLE.format(2)] == "revisit"  # same digest as before
    assert by_url[MOVED] == "response"
    moved = next(h for h in hits if h.url == MOVED)
    assert moved.headers["If-Modified-Since"] is None and moved.status == 200
    assert records[DOIS[1]]["source_url"] == MOVED
    metadata = [r for r in read_records(warcs[0]) if r["type"] == "metadata"]
    assert len(metadata) == 2  # the revised record and the moved one's (new source URL)
    titles = sorted(row[2] for row in rows)
    assert len(rows) == 3 and "Co-producing care, revised" in titles
    assert_valid_warc(warcs[0])


def test_rebuilt_catalog_equals_the_live_one_with_revisits(runs) -> None:
    data, _ = runs
    with Catalog(data / "catalog.sqlite") as live:
        before = live.dump()
    rebuilt_path = data.parent / "rebuilt.sqlite"
    with rebuild(rebuilt_path, all_warcs(data)) as rebuilt:
        assert rebuilt.dump() == before
        assert rebuilt.counts()["revisits"] > 0


def test_harvest_dates_are_kept_in_the_warc_and_survive_a_rebuild(tmp_path: Path) -> None:
    from crawler.archiving import WarcArchive
    from crawler.incremental import harvest_since, record_harvest

    archive = WarcArchive(tmp_path, {"software": "test"}, prefix="t", max_size=10**9)
    assert harvest_since(archive.catalog, "crossref:co-production") is None
    record_harvest(archive, "crossref:co-production", "2024-05-01T02:00:00.000000Z")
    record_harvest(archive, "oai:https://repo.example.org/oai#hdl_1", "2024-05-02T02:00:00.000000Z")
    # an older harvest noted later (a file indexed out of order) does not win
    assert not archive.catalog.set_harvest("crossref:co-production", started_at="2024-04-01T00:00:00Z",
                                           finished_at="2024-04-01T01:00:00Z")
    assert harvest_since(archive.catalog, "crossref:co-production") == "2024-05-01T02:00:00.000000Z"
    live = archive.catalog.dump()["harvests"]
    archive.close()
    (tmp_path / "catalog.sqlite").unlink()
    with rebuild(tmp_path / "catalog.sqlite", all_warcs(tmp_path)) as rebuilt:
        assert rebuilt.dump()["harvests"] == live
        harvest = rebuilt.last_harvest("oai:https://repo.example.org/oai#hdl_1")
        assert harvest is not None and harvest.started_at == "2024-05-02T02:00:00.000000Z"
        assert harvest.record_id and harvest.warc_file == all_warcs(tmp_path)[0].name
    conn = sqlite3.connect(tmp_path / "catalog.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 2
