"""extractors.merge: one work from several sources, and whether two records are one work.

The API records come from real responses in ../shared/fixtures; the embedded and text
records are hand-built to mimic what the ACM DL landing page's citation_* tags and
trafilatura's main text give for the same paper.
"""

from __future__ import annotations

import copy
import itertools
import json

import pytest

from extractors.api import parse_api_response
from extractors.merge import merge_records, same_work
from extractors.record import Author, Provenance, Record, Reference

ACM_DOI = "10.1145/3448016.3452841"


def _api(fixtures_dir, name, url):
    return parse_api_response(url, (fixtures_dir / "aggregator_json" / name).read_bytes(), None)


@pytest.fixture
def acm_sources(fixtures_dir) -> list[Record]:
    [crossref] = _api(fixtures_dir, "crossref_work_acm_3448016.3452841.json",
                      f"https://api.crossref.org/works/{ACM_DOI}")
    crossref.provenance.warc_record_id = "<urn:uuid:crossref>"
    [openalex] = _api(fixtures_dir, "openalex_work_acm_3448016.3452841.json",
                      f"https://api.openalex.org/works/doi:{ACM_DOI}")
    openalex.provenance.warc_record_id = "<urn:uuid:openalex>"
    embedded = Record(
        type="conference-paper", title="Vector Quotient Filters", doi=ACM_DOI,
        source_url=f"https://dl.acm.org/doi/{ACM_DOI}",
        authors=[Author(name="Prashant Pandey"), Author(name="Alex Conway"),
                 Author(name="Joe Durie", affiliations=["Rutgers University"])],
        keywords=["bloom filter", "quotient filter"], identifiers={"isbn": "9781450383431"},
        published="2021-06", publisher="Association for Computing Machinery",
        related=[Reference(doi="10.1145/3448016", title="SIGMOD '21 proceedings")],
        provenance=Provenance(warc_record_id="<urn:uuid:landing>", notes=["export link: ris"],
                              captures=["<urn:uuid:landing>"]))
    for name in ("type", "title", "doi", "authors", "keywords", "identifiers", "published",
                 "publisher", "related"):
        embedded.provenance.fields[name] = "embedded:highwire"
    text = Record(
        type="other", title="Vector Quotient Filters: Overcoming the Time/Space Trade-Off in "
                            "Filter Design | Proceedings of the 2021 International Conference",
        abstract="Today's filters, such as quotient, cuckoo, and Morton, have a trade-off ... "
                 "(page text with chrome, longer than the API abstract) " * 20,
        source_url=f"https://dl.acm.org/doi/{ACM_DOI}",
        provenance=Provenance(warc_record_id="<urn:uuid:landing>",
                              notes=["landing page: cookie banner stripped"]))
    for name in ("type", "title", "abstract"):
        text.provenance.fields[name] = "text:trafilatura"
    return [crossref, openalex, embedded, text]


def test_merge_is_order_independent(acm_sources):
    before = [r.to_dict() for r in acm_sources]
    results = {json.dumps(merge_records(list(order)).to_dict(), sort_keys=True)
               for order in itertools.permutations(acm_sources)}
    assert len(results) == 1  # all 24 orders
    assert [r.to_dict() for r in acm_sources] == before  # inputs untouched


def test_richest_layer_wins_field_by_field(acm_sources):
    crossref, openalex, embedded, text = acm_sources
    merged = merge_records(acm_sources)
    fields = merged.provenance.fields
    # api beats embedded and text even where those are longer
    assert merged.title == crossref.title and fields["title"] == "api:crossref"
    assert merged.abstract == openalex.abstract and fields["abstract"] == "api:openalex"
    assert merged.type == "conference-paper"
    assert merged.published == "2021-06-09" and merged.publisher == "ACM"
    # same layer: the more complete value (OpenAlex counts more citations, Crossref has a URL)
    assert merged.citation_count == 39 and fields["citation_count"] == "api:openalex"
    assert merged.license == "https://creativecommons.org/licenses/by/4.0/"
    assert fields["license"] == "api:crossref"
    # a field only a lower layer has still comes through, credited to it
    assert [r.doi for r in merged.related] == ["10.1145/3448016"]
    assert fields["related"] == "embedded:highwire"
    assert merged.identifiers == {"openalex": "W3174427814", "isbn": "9781450383431"}
    assert len(merged.references) == len(crossref.references) == 56


def test_lists_are_unions_without_case_duplicates(acm_sources):
    merged = merge_records(acm_sources)
    lowered = [k.casefold() for k in merged.keywords]
    assert len(lowered) == len(set(lowered))
    assert "bloom filter" in lowered and "quotient filter" in lowered
    assert merged.keywords[0] == "Cuckoo"  # the API's list first
    assert merged.provenance.fields["keywords"] == "api:openalex"


def test_authors_filled_from_other_sources(acm_sources):
    crossref, openalex, _, _ = acm_sources
    assert all(a.orcid is None for a in crossref.authors)
    merged = merge_records(acm_sources)
    assert [a.name for a in merged.authors] == [a.name for a in crossref.authors]
    assert merged.provenance.fields["authors"] == "api:crossref"
    orcids = {a.name: a.orcid for a in merged.authors}
    assert orcids["Prashant Pandey"] == "0000-0001-5576-0320"  # from OpenAlex
    assert orcids["Martin Farach-Colton"] == "0000-0003-3616-7788"  # "Martı́n" there
    assert orcids["Joe Durie"] is None
    assert merged.authors[0].given == "Prashant"  # Crossref's name parts kept


def test_provenance_unions(acm_sources):
    merged = merge_records(acm_sources)
    assert merged.provenance.captures == sorted(
        ["<urn:uuid:crossref>", "<urn:uuid:landing>", "<urn:uuid:openalex>"])
    assert merged.provenance.notes == ["export link: ris", "landing page: cookie banner stripped"]
    assert merged.source_url == f"https://api.crossref.org/works/{ACM_DOI}"
    assert merged.provenance.warc_record_id == "<urn:uuid:crossref>"


def test_same_layer_tie_break_is_deterministic(fixtures_dir):
    """Europe PMC core and lite answers for one article: same source, different depth."""
    url = "https://www.ebi.ac.uk/europepmc/webservices/rest/search"
    core = [r for r in _api(fixtures_dir, "europepmc_rest_search_core_cancer.json", url)
            if r.identifiers["pmid"] == "40437959"][0]
    lite = [r for r in _api(fixtures_dir, "europepmc_rest_search_lite_cancer.json", url)
            if r.identifiers["pmid"] == "40437959"][0]
    assert same_work(core, lite)
    one, two = merge_records([core, lite]), merge_records([lite, core])
    assert one.to_dict() == two.to_dict()
    assert one.container.startswith("Health promotion journal of Australia")  # the fuller name
    assert [a.name for a in one.authors] == ["Cannas Kwok", "Xinyi Xu"]
    assert one.abstract == core.abstract and len(one.abstract_sections) == 4


def test_one_record_merges_to_itself(fixtures_dir):
    [r] = _api(fixtures_dir, "crossref_work_bmj_jclinpath-2020-206745.json", "u")
    assert merge_records([r]).to_dict() == r.to_dict()
    with pytest.raises(ValueError):
        merge_records([])


def _record(title, **kw) -> Record:
    return Record(title=title, **kw)


def test_same_work_identifiers_decide(acm_sources):
    crossref, openalex, embedded, text = acm_sources
    assert same_work(crossref, openalex) and same_work(openalex, embedded)
    twin = copy.deepcopy(crossref)
    twin.doi = "10.1145/0000000.0000000"
    assert not same_work(crossref, twin)  # equal titles, different DOIs
    assert not same_work(twin, crossref)
    a = _record("Annual report", identifiers={"handle": "1234/1"}, published="2020",
                authors=[Author(name="City Council", family="City Council")])
    b = copy.deepcopy(a)
    b.identifiers = {"handle": "1234/2"}
    assert not same_work(a, b)  # one repository, two items called "Annual report"
    assert same_work(a, copy.deepcopy(a))
    pm1 = _record("Co-production in care", identifiers={"pmid": "111"}, published="2020")
    pm2 = _record("Co-production in care", identifiers={"pmid": "222"}, published="2020")
    assert not same_work(pm1, pm2)


def test_same_work_arxiv_doi_and_id():
    datacite = _record("Crowdsourcing open citations with CROCI", doi="10.48550/arxiv.1902.02534")
    atom = _record("Crowdsourcing open citations with CROCI",
                   identifiers={"arxiv": "1902.02534v2"})
    other = _record("Crowdsourcing open citations with CROCI", identifiers={"arxiv": "1902.09999"})
    assert same_work(datacite, atom)
    assert not same_work(datacite, other)


def test_same_work_fuzzy_without_identifiers():
    base = _record("Co-production in syringe service programs: Implementation in a changing "
                   "organisational field", doi="10.1177/02610183231199667", published="2023-09-11",
                   authors=[Author(name="Theresa Anasti", family="Anasti")])
    page = _record("Co-Production in Syringe Service Programs - implementation in a changing "
                   "organisational field.", published="2024",
                   authors=[Author(name="ANASTI, THERESA")])
    assert same_work(base, page) and same_work(page, base)
    assert not same_work(base, _record(page.title, published="2019", authors=page.authors))
    assert not same_work(base, _record(page.title, published="2023",
                                       authors=[Author(name="Someone Else")]))
    assert not same_work(base, _record(page.title))  # nothing corroborates the title
    assert not same_work(base, _record("Co-production in welfare services", published="2023",
                                       authors=page.authors))
