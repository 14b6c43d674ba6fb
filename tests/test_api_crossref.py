"""Crossref REST API responses (real ones, ../shared/fixtures/aggregator_json) to Records.

Expected values were read from the JSON files by hand.
"""

from __future__ import annotations

import json

import pytest

from extractors.api import parse_api_response, parse_crossref

URL = "https://api.crossref.org/works/"


def _load(fixtures_dir, name):
    return json.loads((fixtures_dir / "aggregator_json" / name).read_text(encoding="utf-8"))


def _one(fixtures_dir, name, url=URL + "x"):
    records = parse_crossref(url, _load(fixtures_dir, name))
    assert len(records) == 1
    return records[0]


def test_jats_abstract_work(fixtures_dir):
    r = _one(fixtures_dir, "crossref_work_with_jats_abstract.json")
    assert r.title == "Industrial Potential of Polyhydroxyalkanoate Bioplastic: A Brief Review"
    assert r.doi == "10.32396/usurj.v1i1.55"
    assert r.abstract.startswith("In the international community, human dependence on plastic")
    assert r.abstract.endswith("is being introduced to the plastic industry.")
    assert "<" not in r.abstract and "jats" not in r.abstract
    assert r.abstract_sections == []
    assert [a.name for a in r.authors] == ["Matthew Bernard"]
    assert (r.authors[0].given, r.authors[0].family) == ("Matthew", "Bernard")
    assert r.container == "USURJ: University of Saskatchewan Undergraduate Research Journal"
    assert (r.volume, r.issue, r.published) == ("1", "1", "2014-02-27")
    assert r.publisher == "University of Saskatchewan Library"
    assert r.identifiers == {"issn": "2292-1141"}
    assert r.type == "article"
    assert r.provenance.fields["abstract"] == "api:crossref"
    assert set(r.provenance.fields.values()) == {"api:crossref"}


def test_structured_abstract_and_markup_title(fixtures_dir):
    r = _one(fixtures_dir, "crossref_work_bmj_jclinpath-2020-206745.json")
    assert r.title == ("Construction of a reference material panel for detecting "
                       "KRAS / NRAS / EGFR / BRAF / MET mutations in plasma ctDNA")
    assert [s.label for s in r.abstract_sections] == [
        "Background", "Objective", "Methods", "Results", "Conclusion"]
    assert r.abstract_sections[0].text.startswith("The absence of high-quality next-generation")
    assert "oncogene (KRAS)/neuroblastoma" in r.abstract_sections[1].text
    assert r.abstract.startswith("Background: The absence")
    assert "\n\nConclusion: RM for a KRAS / NRAS" in r.abstract
    assert r.provenance.fields["abstract_sections"] == "api:crossref"
    assert len(r.authors) == 15
    assert (r.authors[0].name, r.authors[-1].name) == ("Jun Xu", "Jie Huang")
    assert r.authors[0].affiliations == [
        "Department of Neurosurgery, China-Japan Friendship Hospital, Beijing, China"]
    assert (r.container, r.volume, r.issue, r.pages) == (
        "Journal of Clinical Pathology", "74", "5", "314-320")
    assert r.published == "2020-08-17"  # issued (online) precedes print (2021-05)
    assert r.license == "http://creativecommons.org/licenses/by-nc/4.0/"
    assert r.identifiers == {"issn": "0021-9746", "eissn": "1472-4146"}
    assert r.language == "en"
    assert r.citation_count == 10
    assert len(r.references) == 36 and r.references[0].doi == "10.3322/caac.21338"


def test_orcid_normalised(fixtures_dir):
    r = _one(fixtures_dir, "crossref_work_hindawi_2018.3804742.json")
    assert [a.name for a in r.authors] == ["Paolo Bevilacqua", "Gianni Bosi", "Magalì Zuanon"]
    assert r.authors[1].orcid == "0000-0002-3799-4630"  # given as http://orcid.org/...
    assert r.authors[0].orcid is None
    assert r.authors[2].affiliations == ["DEM, Università di Brescia, 25122 Brescia, Italy"]
    assert r.keywords == ["Applied Mathematics", "Analysis"]
    assert (r.volume, r.issue, r.pages, r.published) == ("2018", "1", "1-6", "2018")


def test_book_chapters(fixtures_dir):
    cup = _one(fixtures_dir, "crossref_work_cambridge_book_chapter_9781316535783.011.json")
    assert cup.type == "chapter"
    assert cup.title == "Testing Inflation"
    assert cup.container == "The Philosophy Of Cosmology"
    assert cup.pages == "206-227"
    assert cup.identifiers == {"isbn": "9781316535783"}
    assert [a.name for a in cup.authors] == ["Chris Smeenk"]  # editors are not authors
    assert cup.published is None  # issued has empty date-parts
    springer = _one(fixtures_dir, "crossref_work_springer_chapter_978-3-030-64953-1_4.json")
    assert springer.type == "chapter"
    assert springer.container == "Empiricism and Philosophy of Physics"  # not the series
    assert springer.published == "2021"
    assert springer.license is None  # only Springer's text-and-data-mining licence is given
    ref = springer.references[0]
    assert ref.doi == "10.1093/0195159888.001.0001"
    assert ref.text.startswith("Azzouni, J. (2004). Deflating existential consequence")


def test_proceedings_and_subtitle(fixtures_dir):
    r = _one(fixtures_dir, "crossref_work_acm_3448016.3452841.json")
    assert r.type == "conference-paper"
    assert r.title == ("Vector Quotient Filters: Overcoming the Time/Space Trade-Off in "
                       "Filter Design")
    assert r.authors[0].affiliations == [
        "Lawrence Berkeley National Lab & University of California, Berkeley, Berkeley, CA, USA"]
    assert r.license == "https://creativecommons.org/licenses/by/4.0/"
    assert r.citation_count == 37


def test_reference_with_entities_and_article_number(fixtures_dir):
    conf = _one(fixtures_dir, "crossref_work_conference_paper.json")
    assert conf.authors[0].name == "Lorenz Bühmann"
    assert any("Lorenz Bühmann, Daniel Fleischhacker" in (x.text or "") for x in conf.references)
    elife = _one(fixtures_dir, "crossref_work_elife.01567.json")
    assert (elife.volume, elife.pages) == ("3", "e01567")
    assert elife.references[0].title == "APL regulates vascular tissue identity in Arabidopsis"
    assert elife.authors[-1].name == "Christian S Hardtke"


def test_sparse_author(fixtures_dir):
    r = _one(fixtures_dir, "crossref_work_spandidos_ijo_00000353.json")
    assert [(a.name, a.family, a.given) for a in r.authors] == [
        ("Stravopodis", "Stravopodis", None)]
    assert r.volume is None and "volume" not in r.provenance.fields


def test_cursor_page_lists_every_item(fixtures_dir):
    records = parse_crossref(URL + "?query=widget&cursor=*",
                             _load(fixtures_dir, "crossref_works_cursor_page1.json"))
    assert len(records) == 20
    assert records[2].title == "Adding Additional Widget Sizes"
    assert records[2].authors[0].name == "Stewart Lynch"
    last = records[-1]
    assert (last.doi, last.type) == ("10.59350/7mtwq-q3661", "preprint")
    assert last.title == "The SWT JChemPaint (viewing) widget"
    assert last.authors[0].orcid == "0000-0001-7542-0286"
    types = {r.type for r in records}
    assert {"chapter", "conference-paper", "dataset", "article", "preprint"} <= types


def test_search_list_and_csl_transform(fixtures_dir):
    rows = parse_crossref(URL, _load(fixtures_dir, "crossref_works_query_ecology_rows2.json"))
    assert [r.title for r in rows] == ["Communicating Ecology", "Chemical Ecology"]
    csl = _one(fixtures_dir, "crossref_transform_csl_json_science.169.3946.635.json")
    assert csl.title.startswith("The Structure of Ordinary Water: New data and interpretations")
    assert (csl.container, csl.volume, csl.issue, csl.pages) == ("Science", "169", "3946",
                                                                 "635-641")
    assert csl.published == "1970-08-14"


@pytest.mark.parametrize("body", [
    {"status": "failed", "message-type": "validation-failure", "message": []},
    {"status": "ok", "message-type": "work-list", "message": {"items": []}},
])
def test_errors_and_empty_lists_give_nothing(body):
    assert parse_crossref(URL, body) == []


def test_journal_message_is_not_a_work(fixtures_dir):
    assert parse_crossref(URL, _load(fixtures_dir, "crossref_journal_1803-2427.json")) == []


def test_404_text_body(fixtures_dir):
    body = (fixtures_dir / "aggregator_json" / "crossref_work_404_not_found.txt").read_bytes()
    assert body.strip() == b"Resource not found."
    assert parse_api_response(URL + "10.1371/notarealdoi", body, "text/plain") == []
    assert parse_api_response("file:///saved.txt", body, "text/plain") is None
