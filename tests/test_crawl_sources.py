"""Crawl sources on real API and OAI-PMH responses (../shared/fixtures): the first requests,
the records, and how each pages on (cursor, token, cursorMark, resumption token)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.crawlconfig import SourceSpec, default_text, parse_config
from crawler.sources import Context, SnowballSource, make_source
from crawler.sources.base import BOOLEAN, vocabulary_queries
from crawler.sources.links import page_links
from extractors.record import Record
from tests.crawl_sites import ELDER_CARE, MENTAL_HEALTH, crossref_page, doaj_page, s2_bulk_page

JSON = {"Content-Type": "application/json"}
XML = {"Content-Type": "text/xml"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def source(kind: str, context: Context | None = None, **spec: str):
    return make_source(SourceSpec(kind=kind, name=kind, **spec), context or Context())


def test_vocabulary_queries_cover_every_language() -> None:
    vocabulary = {"context": ("health", "care"), "en": ("co-production", "user involvement"),
                  "da": ("samskabelse",), "zh": ("合作生产",)}
    [boolean] = vocabulary_queries(vocabulary, BOOLEAN)
    assert boolean == ('(("co-production" OR "user involvement") AND (health OR care)) OR '
                       '((samskabelse OR 合作生产))')
    free = vocabulary_queries(vocabulary, None)
    assert free == ["co-production user involvement health care", "samskabelse", "合作生产"]


def test_crossref_pages_with_the_real_cursor(fixtures_dir: Path) -> None:
    crossref = source("crossref", Context(mailto="me@example.org", since="2024-03-10T05:00:00Z"),
                      query="co-production")
    [first] = crossref.start()
    params = query(first.url)
    assert first.url.startswith("https://api.crossref.org/works?")
    assert params == {"query.bibliographic": ["co-production"], "rows": ["100"], "cursor": ["*"],
                      "filter": ["from-index-date:2024-03-09"], "mailto": ["me@example.org"]}
    body = (fixtures_dir / "aggregator_json" / "crossref_works_cursor_page1.json").read_bytes()
    page = crossref.parse("search", first.url, JSON, body)
    assert page.error is None and len(page.records) == 20  # a full page of the real response
    assert page.records[0].title == "Widget Mania: Using a GUI Widget Framework"
    [following] = page.more
    assert query(following.url)["cursor"][0].startswith("DnF1ZXJ5VGhlbkZldGNoJAAAAAFNehBy")
    assert query(following.url)["query.bibliographic"] == ["co-production"]


def test_crossref_short_page_is_the_last(fixtures_dir: Path) -> None:
    crossref = source("crossref", query="co-production")
    body = crossref_page(fixtures_dir, [MENTAL_HEALTH], "cursor-after-the-end", rows=2).encode()
    page = crossref.parse("search", crossref.start()[0].url, JSON, body)
    assert [r.doi for r in page.records] == [MENTAL_HEALTH.doi] and page.more == []


def test_crossref_plus_token_header() -> None:
    crossref = source("crossref", Context(api_keys={"crossref_plus": "tok"}), query="x")
    assert crossref.start()[0].headers == (("Crossref-Plus-API-Token", "Bearer tok"),)


def test_openalex_cursor_and_polite_parameters(fixtures_dir: Path) -> None:
    openalex = source("openalex", Context(mailto="me@example.org", api_keys={"openalex": "k"},
                                          since="2024-01-02T00:00:00Z"), query="co-production")
    [first] = openalex.start()
    assert query(first.url) == {"search": ["co-production"], "per-page": ["100"], "cursor": ["*"],
                                "mailto": ["me@example.org"], "api_key": ["k"],
                                "filter": ["from_updated_date:2024-01-01"]}
    body = (fixtures_dir / "aggregator_json" / "openalex_works_sample5_list.json").read_bytes()
    page = openalex.parse("search", first.url, JSON, body)
    assert len(page.records) == 5 and page.more == []  # a sample: no next_cursor
    # without an API key OpenAlex has no updated-since filter: every run asks for all
    assert "filter" not in query(source("openalex", Context(since="2024-01-02"), query="x")
                                 .start()[0].url)


def test_semantic_scholar_bulk_token(fixtures_dir: Path) -> None:
    s2 = source("s2", Context(api_keys={"semantic_scholar": "s2key"}), query="co-production")
    [first] = s2.start()
    assert first.url.startswith("https://api.semanticscholar.org/graph/v1/paper/search/bulk?")
    assert first.headers == (("x-api-key", "s2key"),)
    page = s2.parse("search", first.url, JSON,
                    s2_bulk_page(fixtures_dir, [MENTAL_HEALTH, ELDER_CARE], "NEXT==").encode())
    assert [r.doi for r in page.records] == [MENTAL_HEALTH.doi, ELDER_CARE.doi]
    assert query(page.more[0].url)["token"] == ["NEXT=="] and page.more[0].headers == first.headers
    last = s2.parse("search", page.more[0].url, JSON,
                    s2_bulk_page(fixtures_dir, [MENTAL_HEALTH], None).encode())
    assert last.more == []
    assert [q.split(" | ")[0] for q in s2.queries()] == ["co-production"]


def test_europepmc_cursor_mark(fixtures_dir: Path) -> None:
    epmc = source("europepmc", query="co-production")
    [first] = epmc.start()
    assert query(first.url)["cursorMark"] == ["*"] and query(first.url)["resultType"] == ["core"]
    body = (fixtures_dir / "aggregator_json" / "europepmc_rest_search_core_cancer.json").read_bytes()
    page = epmc.parse("search", first.url, JSON, body)
    assert len(page.records) == 25
    assert query(page.more[0].url)["cursorMark"] == ["AoIIP4ZawSg1MzEyODI1MA=="]
    # asked with the mark the response hands back: that was the last page
    again = epmc.parse("search", page.more[0].url, JSON, body)
    assert again.more == []
    empty = (fixtures_dir / "aggregator_json" / "europepmc_rest_search_no_results.json").read_bytes()
    none = epmc.parse("search", first.url, JSON, empty)
    assert none.records == [] and none.more == [] and none.error is None


def test_doaj_follows_its_own_next_link_only(fixtures_dir: Path) -> None:
    doaj = source("doaj", query="co-production OR samskabelse")
    [first] = doaj.start()
    assert first.url == ("https://doaj.org/api/search/articles/co-production%20OR%20samskabelse"
                         "?page=1&pageSize=100")
    nxt = "https://doaj.org/api/search/articles/co-production?page=2&pageSize=100"
    page = doaj.parse("search", first.url, JSON, doaj_page(fixtures_dir, [ELDER_CARE], nxt).encode())
    assert [r.title for r in page.records] == [ELDER_CARE.title] and page.more[0].url == nxt
    elsewhere = doaj_page(fixtures_dir, [ELDER_CARE], "https://evil.example/next").encode()
    assert doaj.parse("search", first.url, JSON, elsewhere).more == []


def test_unreadable_api_page_is_a_source_error() -> None:
    page = source("crossref", query="x").parse("search", "https://api.crossref.org/works?x=1",
                                               JSON, b"{not json")
    assert page.error and "api.crossref.org" in page.error


# -- OAI-PMH -----------------------------------------------------------------------------------


def test_oai_identify_then_list_records_from_the_last_harvest(fixtures_dir: Path) -> None:
    oai = source("oai", Context(since="2024-02-03T04:05:06Z"), url="https://repo.example.org/oai")
    [identify] = oai.start()
    assert identify.url == "https://repo.example.org/oai?verb=Identify"
    page = oai.parse("identify", identify.url, XML,
                     (fixtures_dir / "oai_xml" / "sickle_Identify.xml").read_bytes())
    [records] = page.more
    # the repository's granularity is days: `from` is the day the last harvest began
    assert query(records.url) == {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"],
                                  "from": ["2024-02-03"]}


def test_oai_set_is_checked_with_list_sets(fixtures_dir: Path) -> None:
    sets = (fixtures_dir / "oai_xml" / "sickle_ListSets.xml").read_bytes()
    identify = (fixtures_dir / "oai_xml" / "sickle_Identify.xml").read_bytes()
    oai = source("oai", url="https://repo.example.org/oai", set="caseStudy")
    [list_sets] = oai.parse("identify", "u", XML, identify).more
    assert query(list_sets.url) == {"verb": ["ListSets"]}
    [records] = oai.parse("sets", list_sets.url, XML, sets).more
    assert query(records.url)["set"] == ["caseStudy"]
    missing = source("oai", url="https://repo.example.org/oai", set="no-such-set")
    assert "no set 'no-such-set'" in missing.parse("sets", list_sets.url, XML, sets).error


def test_oai_resumption_tokens_to_the_end(fixtures_dir: Path) -> None:
    oai = source("oai", url="https://dspace.library.colostate.edu/oai/request")
    body = (fixtures_dir / "oai_xml" / "dspace_colostate_oai_listrecords_page1_resumption.xml")
    page = oai.parse("records", "u", XML, body.read_bytes())
    assert len(page.records) == 100 and page.error is None
    assert page.records[0].title == "The Human Touch. Journal of poetry, prose, visual art. Vol. 6"
    assert query(page.more[0].url) == {
        "verb": ["ListRecords"],
        "resumptionToken": ["oai_dc/2016-05-04T00:00:00Z/2016-05-06T00:00:00Z//100"]}


def test_oai_bad_token_is_an_error_and_no_records_is_not(fixtures_dir: Path) -> None:
    oai = source("oai", url="https://repo.example.org/oai")
    bad = oai.parse("records", "u", XML,
                    (fixtures_dir / "oai_xml" / "sickle_error_badResumptionToken.xml").read_bytes())
    assert bad.error == "OAI-PMH records: badResumptionToken: This resumptionToken is invalid"
    assert bad.more == []
    empty = oai.parse("records", "u", XML,
                      (fixtures_dir / "oai_xml" / "sickle_error_noRecordsMatch.xml").read_bytes())
    assert empty.error is None and empty.records == [] and empty.more == []


# -- Pure portals, site crawls, snowballing ----------------------------------------------------

# A Pure portal listing as Pure 5 portals render it (li.list-result-item, h3.title, nextLink).
PURE_LISTING = """<html><head><meta name="generator" content="Pure"></head><body>
<ul class="list-results">
 <li class="list-result-item"><div class="result-container"><h3 class="title">
  <a rel="Project" href="/da/projects/co-production-of-support-in-neighbourhood-care">Co-production
  of support</a></h3></div></li>
 <li class="list-result-item"><div class="result-container"><h3 class="title">
  <a rel="Project" href="https://research.example.dk/da/projects/frivillige-i-aeldreplejen">
  Frivillige</a></h3></div></li>
 <li class="list-result-item"><h3 class="title"><a href="https://other.example.org/da/projects/x">
  Elsewhere</a></h3></li>
</ul>
<nav class="pages"><ul><li class="next"><a class="step nextLink" href="?page=1">Næste</a></li></ul>
</nav></body></html>"""


def test_pure_listing_items_and_next_page() -> None:
    pure = source("pure", url="https://research.example.dk/da/")
    assert [f.url for f in pure.start()] == ["https://research.example.dk/da/projects/",
                                           "https://research.example.dk/da/publications/"]
    page = pure.parse("listing", "https://research.example.dk/da/projects/", HTML,
                      PURE_LISTING.encode())
    assert [(f.url, f.step) for f in page.more] == [
        ("https://research.example.dk/da/projects/co-production-of-support-in-neighbourhood-care",
         "item"),
        ("https://research.example.dk/da/projects/frivillige-i-aeldreplejen", "item"),
        ("https://research.example.dk/da/projects/?page=1", "listing")]
    one = source("pure", url="https://research.example.dk/en/projects/?search=co-production")
    assert [f.step for f in one.start()] == ["listing"]


def test_pure_item_page_is_a_project_record() -> None:
    demo = Path(__file__).resolve().parent.parent / "crawler" / "sandbox" / "demo_site"
    url = ("https://research.velfaerdsinstituttet.example/da/projects/"
           "co-production-of-support-in-neighbourhood-care")
    page = source("pure", url="https://research.velfaerdsinstituttet.example/da/").parse(
        "item", url, HTML, (demo / "pure_project.html").read_bytes())
    [record] = page.records
    assert record.type == "project" and record.people


def test_site_links_stay_on_the_site_and_skip_files() -> None:
    html = b"""<html><body><a href="/research/a#top">a</a><a href="https://www.example.org/b">b</a>
    <a href="report.pdf">pdf</a><a href="https://elsewhere.example/c">c</a>
    <a href="mailto:x@example.org">m</a><a href="/login?next=/">login</a></body></html>"""
    site = source("url", url="https://example.org/research/")
    page = site.parse("page", "https://example.org/research/", HTML, html)
    assert [f.url for f in page.links] == ["https://example.org/research/a",
                                           "https://www.example.org/b"]
    assert page_links("https://example.org/", HTML, b"\x89PNG\r\n\x1a\n....") == []


def test_snowball_seeds_through_openalex_and_s2() -> None:
    ctx = Context(mailto="me@example.org")
    known = Record(title="t", doi="10.5555/x", identifiers={"openalex": "W42", "s2": "abc"})
    openalex = SnowballSource("openalex", ctx)
    assert sorted(query(f.url)["filter"][0] for f in openalex.seed(known)) == ["cited_by:W42",
                                                                               "cites:W42"]
    by_doi = openalex.seed(Record(title="t", doi="10.5555/x"))
    assert [f.step for f in by_doi] == ["resolve"]
    assert by_doi[0].url.startswith("https://api.openalex.org/works/doi:10.5555/x?")
    resolved = openalex.parse("resolve", by_doi[0].url, JSON, b'{"id": "https://openalex.org/W7"}')
    assert sorted(query(f.url)["filter"][0] for f in resolved.more) == ["cited_by:W7", "cites:W7"]
    s2 = SnowballSource("s2", ctx)
    assert sorted(urlsplit(f.url).path for f in s2.seed(known)) == [
        "/graph/v1/paper/abc/citations", "/graph/v1/paper/abc/references"]
    assert SnowballSource("s2", ctx).seed(Record(title="no ids")) == []


@pytest.mark.parametrize("kind", ["crossref", "openalex", "s2", "europepmc", "doaj"])
def test_default_sources_build_their_query_from_the_vocabulary(kind: str) -> None:
    config = parse_config(default_text(), "built-in")
    spec = next(s for s in config.sources if s.kind == kind)
    built = make_source(spec, Context(vocabulary=config.vocabulary))
    text = " ".join(built.queries())
    for term in ("co-production", "samskabelse", "samskaping", "medskapande", "合作生产"):
        assert term in text


def test_a_site_page_is_judged_where_it_is_extracted(fixtures_dir: Path) -> None:
    """The extraction worker judges the page's work against the crawl's threshold (what the
    crawl spider would do on its reactor); without a threshold the record is left unjudged."""
    from crawler.focus import judge
    from crawler.sources.site import parse_page

    name = sorted((fixtures_dir / "publisher_html").glob("*.html"))[0]
    body = name.read_bytes()
    headers = {"Content-Type": "text/html; charset=utf-8"}
    url = "https://journals.example.org/doi/10.5555/x"
    [judged] = parse_page(url, headers, body, url, threshold=0.35).records
    [plain] = parse_page(url, headers, body, url).records
    assert plain.relevance is None
    assert judged.relevance == judge(plain, 0.35)
    assert judged.relevance["threshold"] == 0.35 and "relevant" in judged.relevance
