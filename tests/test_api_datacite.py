"""DataCite REST API responses (real ones) to Records; expected values read from the JSON."""

from __future__ import annotations

import json

from extractors.api import parse_api_response, parse_datacite

URL = "https://api.datacite.org/dois/"


def _parse(fixtures_dir, name):
    data = json.loads((fixtures_dir / "aggregator_json" / name).read_text(encoding="utf-8"))
    return parse_datacite(URL + "x", data)


def test_arxiv_preprint(fixtures_dir):
    [r] = _parse(fixtures_dir, "datacite_api_doi_arxiv.1902.02534.json")
    assert r.type == "preprint"
    assert r.doi == "10.48550/arxiv.1902.02534"
    assert r.title.startswith("Crowdsourcing open citations with CROCI -- An analysis")
    assert [a.name for a in r.authors] == ["Ivan Heibi", "Silvio Peroni", "David Shotton"]
    assert (r.authors[0].given, r.authors[0].family) == ("Ivan", "Heibi")
    assert r.abstract.startswith("In this paper, we analyse the current availability of open")
    assert "7 pages, 3 figures" not in r.abstract  # the "Other" description is a comment
    assert r.identifiers["arxiv"] == "1902.02534"
    assert r.publisher == "arXiv"
    assert r.published == "2019"
    assert r.license == "https://creativecommons.org/licenses/by/4.0/legalcode"
    assert r.keywords == ["Digital Libraries (cs.DL)", "Computer and information sciences"]
    assert r.provenance.fields["doi"] == "api:datacite"


def test_dataset_with_affiliations_and_orcid(fixtures_dir):
    [dryad] = _parse(fixtures_dir, "datacite_api_doi_dryad.8515.json")
    assert dryad.type == "dataset"
    assert dryad.title == "Data from: A new malaria agent in African hominids."
    assert len(dryad.authors) == 8
    assert dryad.authors[0].name == "Benjamin Ollomo"
    assert dryad.authors[0].affiliations == [
        "Centre International de Recherches Médicales de Franceville"]
    assert dryad.authors[-1].name == "François Renaud"
    assert dryad.published == "2011-02-01"
    assert dryad.language == "en"
    assert dryad.license == "https://creativecommons.org/publicdomain/zero/1.0/legalcode"
    assert dryad.references == []  # IsCitedBy is not a reference of the dataset
    [figshare] = _parse(fixtures_dir, "datacite_api_doi_figshare_m9.figshare.1449060.json")
    assert figshare.authors[0].orcid == "0000-0002-2874-287X"
    assert figshare.abstract.startswith("These are raw wing images from Drosophila melanogaster")


def test_list_with_container_and_related(fixtures_dir):
    [r] = _parse(fixtures_dir, "datacite_api_dois_list.json")
    assert r.type == "article"  # resourceTypeGeneral "Text", citeproc "article-journal"
    assert r.title == "THE SECOND FERMI LARGE AREA TELESCOPE CATALOG OF GAMMA-RAY PULSARS"
    assert len(r.authors) == 211
    assert (r.authors[0].name, r.authors[-1].name) == ("A. A. Abdo", "Z. Yang")
    assert r.container == "The astrophysical journal / Supplement series 208(2)"
    assert r.identifiers["issn"] == "0067-0049"
    assert [x.doi for x in r.related] == ["10.1088/0067-0049/208/2/17"]
    assert r.abstract is None  # only series information and a publisher note are given
    assert r.keywords == []  # a Dewey number is not a keyword


def test_bare_attributes_document(fixtures_dir):
    [r] = _parse(fixtures_dir, "datacite_api_doi_record_attributes.json")
    assert r.title == "SH409843.07FU: Gomphales"
    assert r.authors[0].name == "Urmas Kõljalg"
    assert r.language == "en"  # "eng"
    assert r.license == "http://creativecommons.org/licenses/by-nc/4.0"


def test_sniffed_without_datacite_url(fixtures_dir):
    body = (fixtures_dir / "aggregator_json" / "datacite_api_doi_dryad.8515.json").read_bytes()
    [r] = parse_api_response("file:///saved/dryad.json", body, None)
    assert r.doi == "10.5061/dryad.8515"
    assert parse_datacite(URL, {"errors": [{"status": "404", "title": "not found"}]}) == []
    assert parse_datacite(URL, {"data": [], "meta": {"total": 0}}) == []
