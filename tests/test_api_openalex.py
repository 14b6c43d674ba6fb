"""OpenAlex API responses (real ones) to Records; expected values read from the JSON."""

from __future__ import annotations

import json

from extractors.api import parse_api_response, parse_openalex, rebuild_abstract

URL = "https://api.openalex.org/works/"


def _parse(fixtures_dir, name):
    data = json.loads((fixtures_dir / "aggregator_json" / name).read_text(encoding="utf-8"))
    return parse_openalex(URL + "x", data)


def test_work_with_inverted_abstract(fixtures_dir):
    [r] = _parse(fixtures_dir, "openalex_work_W2741809807.json")
    assert r.title == ("The state of OA: a large-scale analysis of the prevalence and impact "
                       "of Open Access articles")
    assert r.doi == "10.7717/peerj.4375"
    assert r.abstract.startswith("Despite growing interest in Open Access (OA) to scholarly "
                                 "literature, there is an unmet need for large-scale")
    assert r.abstract.endswith("a way to inform OA policy and practice.")
    assert len(r.authors) == 9
    assert (r.authors[0].name, r.authors[0].orcid) == ("Heather Piwowar", "0000-0003-1613-5981")
    assert r.authors[0].affiliations == ["Impactstory, Sanford, NC, USA"]
    assert r.authors[-1].name == "Stefanie Haustein"
    assert r.authors[-1].affiliations[1] == (
        "School of Information Studies, University of Ottawa, Ottawa, ON, Canada")
    assert (r.container, r.volume, r.pages) == ("PeerJ", "6", "e4375")
    assert r.published == "2018-02-13"
    assert r.identifiers == {"pmid": "29456894", "pmcid": "PMC5815332", "openalex": "W2741809807",
                             "issn": "2167-8359"}
    assert r.open_access is True and r.license == "cc-by"
    assert r.citation_count == 962
    assert r.keywords[:3] == ["Scholarly Communication", "Web of science", "Open Science"]
    assert r.publisher == "PeerJ, Inc."
    assert r.provenance.fields["abstract"] == "api:openalex"


def test_thesis_and_preprint(fixtures_dir):
    [thesis] = _parse(fixtures_dir, "openalex_work_uq_dissertation_uql.2020.791.json")
    assert thesis.type == "thesis"
    assert thesis.doi == "10.14264/uql.2020.791"
    assert thesis.authors[0].orcid == "0000-0003-3086-4443"
    assert thesis.open_access is False
    assert thesis.abstract.startswith("Across many samples, scholars have observed negative")
    [preprint] = _parse(fixtures_dir, "openalex_work_biorxiv_097196.json")
    assert preprint.type == "preprint"
    assert len(preprint.authors) == 11
    assert preprint.authors[0].name == "Martin Fenner"
    assert preprint.abstract.startswith("This article presents a practical roadmap")  # no "Abstract"


def test_works_list_and_other_entities(fixtures_dir):
    records = _parse(fixtures_dir, "openalex_works_sample5_list.json")
    assert len(records) == 5
    assert records[2].doi == "10.5580/1cbc"
    assert records[3].title == "A função retórica da lei para os limites da tolerância"
    assert records[0].doi is None
    assert _parse(fixtures_dir, "openalex_author_A5023888391.json") == []
    assert _parse(fixtures_dir, "openalex_source_S137773608_nature.json") == []


def test_container_from_raw_source_name(fixtures_dir):
    [r] = _parse(fixtures_dir, "openalex_work_acm_3448016.3452841.json")  # source is null
    assert r.container == "Proceedings of the 2021 International Conference on Management of Data"
    assert r.type == "conference-paper"
    assert (r.pages, r.citation_count) == ("1386-1399", 39)


def test_old_schema_host_venue(fixtures_dir):
    [r] = _parse(fixtures_dir, "openalex_work_W2755950973_trimmed.json")
    assert r.container == "Physical Review Letters"
    assert (r.volume, r.issue, r.pages) == ("118", "22", "221101")


def test_rebuild_abstract_bounds_positions():
    assert rebuild_abstract({"b": [1], "a": [0], "c": [2, 10**9]}) == "a b c"
    assert rebuild_abstract({}) is None
    assert rebuild_abstract("not an index") is None


def test_sniffed_by_id_shape(fixtures_dir):
    body = (fixtures_dir / "aggregator_json" / "openalex_work_plos_pone.0000030.json").read_bytes()
    [r] = parse_api_response("https://example.org/placeholder", body, "application/json")
    assert r.doi == "10.1371/journal.pone.0000030"
    assert r.provenance.fields["title"] == "api:openalex"
