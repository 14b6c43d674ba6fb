"""Europe PMC REST search responses (real ones, core and lite) to Records."""

from __future__ import annotations

import json

from extractors.api import parse_api_response, parse_europepmc

URL = "https://www.ebi.ac.uk/europepmc/webservices/rest/search?query=cancer&format=json"


def _parse(fixtures_dir, name):
    data = json.loads((fixtures_dir / "aggregator_json" / name).read_text(encoding="utf-8"))
    return {r.identifiers["pmid"]: r for r in parse_europepmc(URL, data)}


def test_core_result_with_structured_html_abstract(fixtures_dir):
    records = _parse(fixtures_dir, "europepmc_rest_search_core_cancer.json")
    assert len(records) == 25
    r = records["40437959"]
    assert r.title == ("Co-Designed Culturally Tailored Cancer Screening Promotion Program With "
                       "Chinese-Australian: Using a Community Partnership Approach")
    assert r.doi == "10.1002/hpja.70059"
    assert r.identifiers["pmcid"] == "PMC12120539"
    assert [s.label for s in r.abstract_sections] == [
        "Issue addressed", "Methods", "Results", "Conclusions"]
    assert r.abstract.startswith("Issue addressed: Despite national cancer screening programs")
    assert [a.name for a in r.authors] == ["Cannas Kwok", "Xinyi Xu"]
    assert r.authors[0].affiliations[0].startswith("School of Nursing, Paramedicine")
    assert r.authors[1].orcid == "0000-0001-6913-0549"
    assert (r.volume, r.issue, r.pages) == ("36", "3", "e70059")
    assert r.published == "2025-07"  # dateOfPublication "2025 Jul"
    assert r.keywords[0] == "Chinese" and "Community Partnership" in r.keywords
    assert r.language == "en"  # "eng"
    assert r.license == "cc by-nc-nd"
    assert r.open_access is True
    assert r.funding == ["Cancer Insititute NSW"]
    assert r.type == "article"
    assert r.identifiers["issn"] == "1036-1073"


def test_lite_result(fixtures_dir):
    records = _parse(fixtures_dir, "europepmc_rest_search_lite_cancer.json")
    r = records["40437959"]
    assert r.container == "Health Promot J Austr"
    assert [(a.name, a.family) for a in r.authors] == [("Kwok C", "Kwok"), ("Xu X", "Xu")]
    assert r.type == "article"  # "research-article; journal article"
    assert r.abstract is None
    lancet = records["39709209"]
    assert lancet.doi == "10.1016/s0140-6736(24)02600-x"
    assert (lancet.volume, lancet.issue, lancet.pages) == ("404", "10471", "2603-2604")


def test_no_results(fixtures_dir):
    body = (fixtures_dir / "aggregator_json" / "europepmc_rest_search_no_results.json").read_bytes()
    assert parse_api_response(URL, body, "application/json") == []
    assert parse_api_response("file:///saved.json", body, None) == []  # sniffed: hitCount 0
