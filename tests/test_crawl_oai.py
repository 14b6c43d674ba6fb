"""`coprod crawl --source oai=...` on the sandbox web: real DSpace ListRecords pages with
resumption tokens, an expired token (an error of that source, not a crash), a set checked
with ListSets, item pages through the repository and doi.org, and `from` on the next run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.catalog import Catalog, record_key
from crawler.sandbox import SandboxWeb, Site
from extractors.oai import parse_oai
from tests.cli_runner import run_coprod
from tests.crawl_sites import MENTAL_HEALTH, landing_page

COLOSTATE = "https://dspace.library.colostate.edu/oai/request"
TOKEN = "oai_dc/2016-05-04T00:00:00Z/2016-05-06T00:00:00Z//{}"
REPO = "https://repo.example.org/oai"
XML = "text/xml; charset=utf-8"
FAST = ("-s", "RETRY_BACKOFF_BASE=0.05")

# A DSpace ListRecords page in oai_dc (as dspace_*_oai_listrecords_*.xml), written for the test:
# two co-production records of set caseStudy, the second with its published version's DOI; an
# empty resumptionToken ends the list.
LAST_PAGE = f"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2024-06-01T10:00:00Z</responseDate>
<request verb="ListRecords" metadataPrefix="oai_dc" set="caseStudy">https://repo.example.org/oai</request>
<ListRecords>
<record><header><identifier>oai:repo.example.org:1/101</identifier>
<datestamp>2024-05-30T08:00:00Z</datestamp><setSpec>caseStudy</setSpec></header>
<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Co-producing neighbourhood care with volunteers and voluntary organisations</dc:title>
<dc:creator>Andersen, Ditte</dc:creator><dc:subject>co-production</dc:subject>
<dc:description>How municipal care services co-produce neighbourhood support with volunteers,
voluntary organisations and older citizens: a case study of welfare practice.</dc:description>
<dc:date>2022</dc:date><dc:type>Article</dc:type>
<dc:identifier>https://repo.example.org/handle/1/101</dc:identifier>
</oai_dc:dc></metadata></record>
<record><header><identifier>oai:repo.example.org:1/102</identifier>
<datestamp>2024-05-31T08:00:00Z</datestamp><setSpec>caseStudy</setSpec></header>
<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>{MENTAL_HEALTH.title}</dc:title><dc:creator>Sørensen, Hanne</dc:creator>
<dc:date>2021</dc:date><dc:type>Article</dc:type>
<dc:identifier>https://repo.example.org/handle/1/102</dc:identifier>
<dc:identifier>doi:{MENTAL_HEALTH.doi}</dc:identifier>
</oai_dc:dc></metadata></record>
<resumptionToken completeListSize="2" cursor="0"/>
</ListRecords></OAI-PMH>
"""

# A DSpace XMLUI item page (generator meta, DC meta tags), written for the test.
ITEM_PAGE = """<!DOCTYPE html><html lang="en"><head>
<meta name="generator" content="DSpace 6.3">
<title>Co-producing neighbourhood care with volunteers and voluntary organisations</title>
<meta name="DC.title" content="Co-producing neighbourhood care with volunteers and voluntary organisations">
<meta name="DC.creator" content="Andersen, Ditte">
<meta name="DCTERMS.issued" content="2022">
<meta name="DCTERMS.abstract" content="How municipal care services co-produce neighbourhood
support with volunteers, voluntary organisations and older citizens: a case study of welfare
practice, with interviews in three municipalities.">
<meta name="DC.subject" content="volunteers">
</head><body><div id="ds-main"><h1>Co-producing neighbourhood care with volunteers and voluntary
organisations</h1></div></body></html>"""


def crawl(site: Site, data: Path, *args: str):
    with SandboxWeb(site) as web:
        done = run_coprod("crawl", *args, *FAST, data_dir=data, resolve=web.resolve_rules)
        return done, web.hits


def _query(hit) -> dict[str, list[str]]:
    return parse_qs(urlsplit(hit.target).query)


def oai_targets(hits) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(h.target).query) for h in hits
            if h.path.endswith("/oai/request") or h.path == "/oai"]


def test_expired_resumption_token_fails_the_source_not_the_run(fixtures_dir: Path,
                                                                tmp_path: Path) -> None:
    oai = fixtures_dir / "oai_xml"
    site = Site()
    site.add(COLOSTATE + "?verb=Identify", file=oai / "sickle_Identify.xml", content_type=XML)
    site.add(COLOSTATE + "?verb=ListRecords&metadataPrefix=oai_dc", content_type=XML,
             file=oai / "dspace_colostate_oai_listrecords_page1_resumption.xml")
    site.add(COLOSTATE + f"?verb=ListRecords&resumptionToken={TOKEN.format(100)}", content_type=XML,
             file=oai / "dspace_colostate_oai_listrecords_page2_resumption.xml")
    site.add(COLOSTATE + f"?verb=ListRecords&resumptionToken={TOKEN.format(200)}", content_type=XML,
             file=oai / "sickle_error_badResumptionToken.xml")
    # beside it, a repository asked for a set it does not have
    site.add(REPO + "?verb=Identify", file=oai / "sickle_Identify.xml", content_type=XML)
    site.add(REPO + "?verb=ListSets", file=oai / "sickle_ListSets.xml", content_type=XML)
    done, hits = crawl(site, tmp_path, "--source", f"oai={COLOSTATE}", "--depth", "0",
                       "--source", f"oai={REPO}#no-such-set")
    assert done.returncode == 1, done.stderr
    colostate = [q for h, q in zip(hits, map(_query, hits), strict=True)
                 if h.host == "dspace.library.colostate.edu" and h.path != "/robots.txt"]
    assert [q.get("resumptionToken") for q in colostate] == [
        None, None, [TOKEN.format(100)], [TOKEN.format(200)]]
    assert f"coprod: oai ({COLOSTATE}): FAILED" in done.stderr
    assert "badResumptionToken: This resumptionToken is invalid" in done.stderr
    assert f"coprod: oai-2 ({REPO}#no-such-set): FAILED" in done.stderr
    assert "offers no set 'no-such-set'" in done.stderr
    assert [q["verb"] for h, q in zip(hits, map(_query, hits), strict=True)
            if h.host == "repo.example.org" and h.path != "/robots.txt"] == [["Identify"], ["ListSets"]]
    assert "Traceback" not in done.stderr
    expected = {r.identifiers["oai"] for name in ("page1", "page2") for r in parse_oai(
        (oai / f"dspace_colostate_oai_listrecords_{name}_resumption.xml").read_bytes(),
        COLOSTATE).works}
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        held = {r.identifiers.get("oai") for r in catalog.records()}
        assert held == expected and len(expected) > 150  # what the good pages held is kept
        assert catalog.last_harvest(f"oai:{COLOSTATE}") is None  # no `from` after a failure


@pytest.fixture(scope="module")
def harvested(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    oai = fixtures_dir / "oai_xml"
    site = Site()
    site.add(REPO + "?verb=Identify", file=oai / "sickle_Identify.xml", content_type=XML)
    site.add(REPO + "?verb=ListSets", file=oai / "sickle_ListSets.xml", content_type=XML)
    site.add(REPO + "?verb=ListRecords&metadataPrefix=oai_dc&set=caseStudy", body=LAST_PAGE,
             content_type=XML)
    today = datetime.now(UTC).date()
    for day in (today, today - timedelta(days=1)):  # the run may straddle midnight
        site.add(REPO + f"?verb=ListRecords&metadataPrefix=oai_dc&set=caseStudy&from={day}",
                 file=oai / "sickle_error_noRecordsMatch.xml", content_type=XML)
    site.add("https://repo.example.org/handle/1/101", body=ITEM_PAGE,
             content_type="text/html; charset=utf-8")
    site.redirect(f"https://doi.org/{MENTAL_HEALTH.doi}",
                  f"https://journals.example.org/doi/{MENTAL_HEALTH.doi}", status=302)
    site.add(f"https://journals.example.org/doi/{MENTAL_HEALTH.doi}",
             body=landing_page(MENTAL_HEALTH), content_type="text/html; charset=utf-8")
    data = tmp_path_factory.mktemp("oai")
    first = crawl(site, data, "--source", f"oai={REPO}#caseStudy")
    with Catalog(data / "catalog.sqlite") as catalog:
        rows = {r.title: catalog.record_json(record_key(r)) for r in catalog.records()}
        records = {r.title: r for r in catalog.records()}
    second = crawl(site, data, "--source", f"oai={REPO}#caseStudy")
    return first, second, records, rows, data


def test_set_checked_then_harvested_with_item_pages(harvested) -> None:
    (done, hits), _, records, rows, _ = harvested
    assert done.returncode == 0, done.stderr
    assert [q["verb"] for q in oai_targets(hits)] == [["Identify"], ["ListSets"], ["ListRecords"]]
    assert oai_targets(hits)[2]["set"] == ["caseStudy"] and "from" not in oai_targets(hits)[2]
    pages = {h.url for h in hits if h.host in ("repo.example.org", "journals.example.org")
             and h.path.startswith(("/handle", "/doi"))}
    assert pages == {"https://repo.example.org/handle/1/101",
                     f"https://journals.example.org/doi/{MENTAL_HEALTH.doi}"}
    assert len(records) == 2
    care = records["Co-producing neighbourhood care with volunteers and voluntary organisations"]
    # the OAI record and the DSpace item page (no DOI, no OAI id) matched on title, year, author
    assert care.identifiers["oai"] == "oai:repo.example.org:1/101"
    evidence = rows[care.title]["evidence"]
    assert sorted(e["source_url"] for e in evidence) == [
        "https://repo.example.org/handle/1/101"] * 2  # the OAI record's and the page's
    assert care.keywords == ["co-production", "volunteers"]  # one from each
    assert care.provenance.fields["abstract"] == "api:oai_dc"  # the richer layer wins
    assert len(care.provenance.captures) == 2
    mental = records[MENTAL_HEALTH.title]
    assert mental.doi == MENTAL_HEALTH.doi and mental.identifiers["oai"] == "oai:repo.example.org:1/102"
    assert mental.provenance.fields["keywords"] == "embedded:highwire"  # from the landing page


def test_next_run_asks_only_for_what_changed_since(harvested) -> None:
    _, (done, hits), _, _, data = harvested
    assert done.returncode == 0, done.stderr  # noRecordsMatch: nothing new, not an error
    listing = oai_targets(hits)[-1]
    assert listing["verb"] == ["ListRecords"] and listing["set"] == ["caseStudy"]
    started = datetime.fromisoformat(listing["from"][0]).date()
    assert datetime.now(UTC).date() - started <= timedelta(days=1)
    with Catalog(data / "catalog.sqlite") as catalog:
        assert catalog.counts()["records"] == 2
