"""`coprod crawl` over the five aggregator search APIs on the sandbox web: paging by cursor,
token and cursorMark, a 429 with Retry-After in the middle of paging, landing pages through
doi.org for relevant works only, one record per work across sources, depth 0 and max-pages.

The API pages are built from the real responses in ../shared/fixtures (tests/crawl_sites.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.catalog import Catalog
from crawler.sandbox import SandboxWeb, Site
from crawler.sandbox.response import Response
from tests.cli_runner import run_coprod
from tests.crawl_sites import (
    DANISH,
    DIGITAL,
    ELDER_CARE,
    HYDROGEN,
    MENTAL_HEALTH,
    RELEVANT,
    WORKS,
    crossref_page,
    doaj_page,
    europepmc_page,
    landing_page,
    openalex_page,
    s2_bulk_page,
)
from tests.warc_checks import all_warcs, assert_valid_warc, read_records

MAILTO = "tests@example.org"
FAST = ("-s", "RETRY_BACKOFF_BASE=0.05")
CROSSREF = f"https://api.crossref.org/works?query.bibliographic=co-production&rows=100&mailto={MAILTO}"
OPENALEX = f"https://api.openalex.org/works?search=co-production&per-page=100&mailto={MAILTO}"
DOAJ = "https://doaj.org/api/search/articles/co-production"
JSON = "application/json"
SEARCH = [f"{kind}=co-production" for kind in ("crossref", "openalex", "s2", "europepmc", "doaj")]


def search_site(fixtures: Path) -> Site:
    site = Site()
    site.add(CROSSREF + "&cursor=*", content_type=JSON,
             body=crossref_page(fixtures, [MENTAL_HEALTH, ELDER_CARE], "c2", rows=2))
    site.add_sequence(CROSSREF + "&cursor=c2", [
        Response(status=429, body="Too many requests", headers={"Retry-After": "1"}),
        Response(body=crossref_page(fixtures, [DANISH, HYDROGEN], "c3", rows=2), content_type=JSON)])
    site.add(CROSSREF + "&cursor=c3", content_type=JSON,
             body=crossref_page(fixtures, [DIGITAL], "c4", rows=2))
    site.add(OPENALEX + "&cursor=*", body=openalex_page(fixtures, [MENTAL_HEALTH], "oa2"),
             content_type=JSON)
    site.add(OPENALEX + "&cursor=oa2", body=openalex_page(fixtures, [DIGITAL], None),
             content_type=JSON)
    site.add_sequence("https://api.semanticscholar.org/graph/v1/paper/search/bulk", [
        Response(body=s2_bulk_page(fixtures, [ELDER_CARE], "T2=="), content_type=JSON),
        Response(body=s2_bulk_page(fixtures, [DANISH], None), content_type=JSON)])
    site.add_sequence("https://www.ebi.ac.uk/europepmc/webservices/rest/search", [
        Response(body=europepmc_page(fixtures, [MENTAL_HEALTH], "*", "M2"), content_type=JSON),
        Response(body=europepmc_page(fixtures, [HYDROGEN], "M2", "M2"), content_type=JSON)])
    site.add(DOAJ + "?page=1&pageSize=100", content_type=JSON,
             body=doaj_page(fixtures, [DIGITAL], DOAJ + "?page=2&pageSize=100"))
    site.add(DOAJ + "?page=2&pageSize=100", body=doaj_page(fixtures, [ELDER_CARE], None),
             content_type=JSON)
    for work in WORKS:
        site.redirect(f"https://doi.org/{work.doi}", f"https://journals.example.org/doi/{work.doi}",
                      status=302)
        site.add(f"https://journals.example.org/doi/{work.doi}", body=landing_page(work),
                 content_type="text/html; charset=utf-8")
    return site


def crawl(fixtures: Path, data: Path, *args: str):
    with SandboxWeb(search_site(fixtures)) as web:
        done = run_coprod("crawl", *args, "--mailto", MAILTO, *FAST, data_dir=data,
                          resolve=web.resolve_rules)
        return done, web.hits


@pytest.fixture(scope="module")
def searched(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("search")
    args = [arg for source in SEARCH for arg in ("--source", source)]
    done, hits = crawl(fixtures_dir, data, *args)
    return done, hits, data


def stored(data: Path) -> dict[str, dict]:
    with Catalog(data / "catalog.sqlite") as catalog:
        keys = [r.doi for r in catalog.records()]
        return {key: catalog.record_json(key) for key in keys}


def test_every_page_of_every_api_is_fetched(searched) -> None:
    done, hits, _ = searched
    assert done.returncode == 0, done.stderr
    api = [h for h in hits if h.path != "/robots.txt" and h.host not in (
        "doi.org", "journals.example.org")]
    cursors = [parse_qs(urlsplit(h.target).query).get("cursor") for h in api
               if h.host == "api.crossref.org"]
    assert cursors == [["*"], ["c2"], ["c2"], ["c3"]]  # c2 twice: 429, then the retry
    assert [parse_qs(urlsplit(h.target).query)["cursor"] for h in api
            if h.host == "api.openalex.org"] == [["*"], ["oa2"]]
    s2 = [parse_qs(urlsplit(h.target).query) for h in api if h.host == "api.semanticscholar.org"]
    assert [q.get("token") for q in s2] == [None, ["T2=="]]
    assert [parse_qs(urlsplit(h.target).query)["cursorMark"] for h in api
            if h.host == "www.ebi.ac.uk"] == [["*"], ["M2"]]
    assert [parse_qs(urlsplit(h.target).query)["page"] for h in api if h.host == "doaj.org"] == [
        ["1"], ["2"]]
    for hit in api:
        if hit.host in ("api.crossref.org", "api.openalex.org"):
            assert parse_qs(urlsplit(hit.target).query)["mailto"] == [MAILTO]


def test_429_waited_for_and_archived(searched) -> None:
    _, hits, data = searched
    [limited] = [h for h in hits if h.status == 429]
    retried = next(h for h in hits if h.target == limited.target and h.status == 200)
    assert retried.time - limited.time >= 0.9  # Retry-After: 1 was honoured
    warcs = all_warcs(data)
    for path in warcs:
        assert_valid_warc(path)
    statuses = [r["http"].get_statuscode() for path in warcs for r in read_records(path)
                if r["type"] == "response" and "cursor=c2" in r["headers"]["WARC-Target-URI"]]
    assert statuses == ["429", "200"]


def test_one_record_per_work_from_every_source(searched) -> None:
    _, _, data = searched
    records = stored(data)
    assert sorted(records) == sorted(w.doi for w in WORKS)  # five works, no duplicates
    mental = records[MENTAL_HEALTH.doi]
    origins = sorted(e["provenance"]["fields"]["title"] for e in mental["evidence"])
    assert origins == ["api:crossref", "api:europepmc", "api:openalex", "embedded:highwire"]
    assert mental["title"] == MENTAL_HEALTH.title
    assert mental["provenance"]["fields"]["title"] == "api:crossref"
    assert mental["keywords"] == list(MENTAL_HEALTH.keywords)  # only the landing page had them
    assert mental["provenance"]["fields"]["keywords"] == "embedded:highwire"
    captures = set(mental["provenance"]["captures"])
    for evidence in mental["evidence"]:  # every capture each source's record rests on
        assert evidence["provenance"]["warc_record_id"] in captures
    elder = records[ELDER_CARE.doi]
    assert sorted(e["provenance"]["fields"]["title"] for e in elder["evidence"]) == [
        "api:crossref", "api:doaj", "api:semanticscholar", "embedded:highwire"]


def test_relevance_flags_and_focus(searched) -> None:
    _, hits, data = searched
    records = stored(data)
    for work in RELEVANT:
        assert records[work.doi]["relevance"]["relevant"] is True, work.title
    steel = records[HYDROGEN.doi]
    assert steel["relevance"]["relevant"] is False and steel["relevance"]["score"] < 0.35
    resolved = [h.path.removeprefix("/") for h in hits if h.host == "doi.org" and
                h.path != "/robots.txt"]
    # each relevant work's landing page once, whichever sources found it; none for the steel paper
    assert sorted(resolved) == sorted(w.doi for w in RELEVANT)


SUMMARY = re.compile(r"^coprod: (\w+) \(co-production\): (\w+); pages (\d+) fetched, (\d+) new, "
                     r"(\d+) changed, (\d+) failed; records (\d+) added, (\d+) merged, "
                     r"(\d+) below threshold$")


def test_summary_per_source(searched) -> None:
    done, _, _ = searched
    rows = {m[1]: m.groups()[1:] for m in map(SUMMARY.match, done.stderr.splitlines()) if m}
    assert sorted(rows) == ["crossref", "doaj", "europepmc", "openalex", "s2"], done.stderr
    assert {row[0] for row in rows.values()} == {"done"}
    fetched, new, changed, failed, added, merged, below = (
        sum(int(row[i]) for row in rows.values()) for i in range(1, 8))
    # 12 API exchanges (Crossref's 429 among them) + 4 relevant works x (doi.org hop + page)
    assert (fetched, new, changed, failed) == (20, 19, 1, 0)
    assert added == 5  # five works, whichever source found each first
    assert int(rows["crossref"][1]) >= 4  # its own three pages and the 429
    # the steel paper, found by Crossref and Europe PMC, is below the threshold both times
    assert (rows["crossref"][7], rows["europepmc"][7]) == ("1", "1") and below == 2
    assert merged <= 20 - added


def test_depth_0_fetches_only_the_sources_own_pages(fixtures_dir: Path, tmp_path: Path) -> None:
    done, hits = crawl(fixtures_dir, tmp_path, "--source", "crossref=co-production", "--depth", "0")
    assert done.returncode == 0, done.stderr
    assert {h.host for h in hits} == {"api.crossref.org"}
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        assert catalog.counts()["records"] == 5


def test_max_pages_caps_the_run(fixtures_dir: Path, tmp_path: Path) -> None:
    done, hits = crawl(fixtures_dir, tmp_path, "--source", "crossref=co-production", "--depth", "0",
                       "--max-pages", "2")
    assert done.returncode == 0, done.stderr  # capped is not failed: the rest waits
    pages = [h for h in hits if h.host == "api.crossref.org" and h.path != "/robots.txt"]
    assert sorted({parse_qs(urlsplit(h.target).query)["cursor"][0] for h in pages}) == ["*", "c2"]
    assert "coprod: crossref (co-production): capped" in done.stderr
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        assert sorted(r.doi for r in catalog.records()) == sorted(
            w.doi for w in (MENTAL_HEALTH, ELDER_CARE, DANISH, HYDROGEN))


def test_records_json_is_clean(searched) -> None:
    _, _, data = searched
    for record in stored(data).values():
        text = json.dumps(record, ensure_ascii=False)
        assert "Talk to us" not in text and "page-component" not in text
