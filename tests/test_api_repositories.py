"""Repository and publisher APIs: Zenodo records, the APS harvest API, CiteSeerX, JATS article
XML (EDP, World Scientific, SciELO, JSTOR), and DataCite records of repository deposits.

Expected values are read from the fixture files themselves (../shared/fixtures)."""

from __future__ import annotations

import pytest

from extractors.api import adapter_for_url, parse_api_response
from extractors.dispatch import extract


def records(fixtures_dir, path, url="https://placeholder.invalid/saved", ctype=None):
    return parse_api_response(url, (fixtures_dir / path).read_bytes(), ctype)


def test_zenodo_legacy_record_names_reordered_and_repository_as_container(fixtures_dir):
    [r] = records(fixtures_dir, "aggregator_json/zenodo_api_record_10794563.json",
                  "https://zenodo.org/api/records/10794563")
    assert r.title == "Directional epistasis is common in morphological divergence"
    assert r.doi == "10.5061/dryad.66t1g1k7m"  # a Dryad dataset mirrored on Zenodo
    assert [a.name for a in r.authors] == ["Salomé Bourg", "Geir H. Bolstad", "Donald V. Griffin",
                                           "Christophe Pélabon", "Thomas F. Hansen"]
    assert (r.authors[0].family, r.authors[0].orcid) == ("Bourg", "0000-0003-1215-0308")
    assert r.authors[0].affiliations == ["Norwegian University of Science and Technology"]
    assert r.container == "Zenodo" and r.type == "dataset" and r.published == "2024-03-07"
    assert r.abstract.startswith("Epistasis is often portrayed as unimportant in evolution.")
    assert r.abstract.endswith("did not systematically alter the effects of epistasis.")
    assert r.keywords[:3] == ["linecross", "Epistasis", "Genetic dominance"]
    assert r.open_access is True and r.license == "cc-zero"
    assert set(r.provenance.fields.values()) == {"api:zenodo"}


def test_zenodo_description_without_title_author_citation_and_pointer_paragraphs(fixtures_dir):
    [r] = records(fixtures_dir, "aggregator_json/zenodo_api_record_5244404.json")
    assert r.abstract.startswith("Since the first reports of a novel SARS-like coronavirus")
    assert r.abstract.endswith("may help clarify the origin of SARS-CoV-2.")
    assert "Holmes et al." not in r.abstract and "Published online" not in r.abstract
    assert "github.com" not in r.abstract and "available from" not in r.abstract
    assert r.type == "article" and r.doi == "10.5281/zenodo.5244404"
    assert len(r.authors) == 21 and r.authors[-1].name == "Andrew Rambaut"
    assert r.container == "Zenodo"  # from the record's own links (the URL is a placeholder)


def test_zenodo_dataset_keeps_its_whole_description_and_the_paper_is_related(fixtures_dir):
    [r] = records(fixtures_dir, "aggregator_json/zenodo_api_record_7834392_dataset.json",
                  "https://zenodo.org/api/records/7834392")
    assert r.abstract.startswith("Version 162 of the dataset. NOTES: Data for 3/15 - 3/18")
    assert r.abstract.endswith("They need to be hydrated to be used.")
    assert r.container == "Zenodo" and r.language == "en"
    assert r.doi == "10.5281/zenodo.7834392"  # not the Epidemiologia paper's
    assert any(ref.text and ref.text.startswith("Epidemiologia") for ref in r.related)
    assert any(ref.url == "https://arxiv.org/abs/2004.03688" for ref in r.related)


def test_zenodo_by_url(fixtures_dir):
    assert adapter_for_url("https://zenodo.org/api/records/7391177").name == "zenodo"
    [r] = records(fixtures_dir, "aggregator_json/zenodo_api_record_7391177.json",
                  "https://zenodo.org/api/records/7391177")
    assert r.title == "Transformers: State-of-the-Art Natural Language Processing"
    assert r.authors[0].name == "Thomas Wolf" and r.published == "2020-10-01"


def test_aps_harvest_article(fixtures_dir):
    url = "https://harvest.aps.org/v2/journals/articles/10.1103/PhysRevE.92.052801"
    [r] = records(fixtures_dir, "aggregator_json/aps_harvest_api_single.json", url)
    assert r.title == ("You can run, you can hide: The epidemiology and statistical mechanics "
                       "of zombies")
    assert r.doi == "10.1103/physreve.92.052801"
    assert [a.name for a in r.authors] == ["OSQAR Collaboration", "Alexander A. Alemi",
                                           "Matthew Bierbaum", "Christopher R. Myers",
                                           "James P. Sethna"]
    assert r.authors[3].affiliations == [
        "Laboratory of Atomic and Solid State Physics, Cornell University, Ithaca, New York "
        "14853, USA", "Institute of Biotechnology, Cornell University, Ithaca, New York 14853, USA"]
    assert (r.container, r.volume, r.issue, r.pages) == ("Physical Review E", "92", "5", "052801")
    assert r.published == "2015-11-02" and r.publisher == "APS"
    assert r.abstract.startswith("We use a popular fictional disease, zombies,")
    assert "<p>" not in r.abstract
    assert r.license == "http://creativecommons.org/licenses/by/3.0/"
    assert r.funding == ["National Science Foundation", "Cornell University"]


def test_citeseerx_paper_unknowns_stay_empty(fixtures_dir):
    [r] = records(fixtures_dir, "aggregator_json/citeseerx_api_paper_497490d0.json")
    assert r.title == "Computational lambda-calculus and monads"  # leading space gone
    assert [a.name for a in r.authors] == ["Eugenio Moggi"]
    assert r.abstract.startswith("The λ-calculus is considered an useful mathematical tool")
    assert r.published is None and r.container is None and r.doi is None  # "0" and ""
    assert r.identifiers["citeseerx"] == "497490d0d3ab2724e58b03765055f7a134ce89d3"


def test_jats_structured_abstract_ids_and_dates(fixtures_dir):
    [r] = records(fixtures_dir, "other/edp_sciences_jats.xml")
    assert r.title == "Dielectronic recombination of argon-like ions"
    assert r.doi == "10.1051/0004-6361/201014485"  # not the publisher-id or ADS bibcode
    assert [a.name for a in r.authors] == ["D. Nikolić", "T. W. Gorczyca", "K. T. Korista",
                                           "N. R. Badnell"]
    assert r.authors[1].affiliations == [
        "Department of Physics, Western Michigan University, Kalamazoo, MI 49008, USA"]
    assert r.abstract.startswith("Context. We present a theoretical investigation")
    assert "Methods. We utilize the AUTOSTRUCTURE" in r.abstract
    assert (r.container, r.publisher, r.volume, r.pages) == (
        "Astronomy and Astrophysics", "EDP Sciences", "516", "A97")
    assert r.published == "2010-07-21"  # epub, not the June print issue
    assert r.keywords == ["atomic data", "atomic processes", "plasmas", "scattering"]
    assert r.language == "en"


def test_jats_main_abstract_not_graphical_or_short(fixtures_dir):
    [r] = records(fixtures_dir, "other/world_scientific_jats_record.xml", ctype="application/xml")
    assert r.abstract.startswith("CH3NH3PbX(X = Br, I, Cl) perovskites have recently been used")
    assert "Up to now" not in r.abstract  # the "short" abstract
    assert [a.name for a in r.authors] == ["Dongqin Bi", "Gerrit Boschloo", "Anders Hagfeldt"]
    assert (r.container, r.volume, r.issue, r.pages, r.published) == (
        "NANO", "9", "05", "1440001", "2014-07")
    assert r.license == "https://creativecommons.org/licenses/by/4.0"


def test_jats_scielo_latin1_with_cp1252_apostrophe_and_language(fixtures_dir):
    [r] = records(fixtures_dir, "other/scielo_article.jats.xml")
    assert r.title.endswith("comunidades indígenas de Yby Yau y Azote’y, 2011")  # 0x92 -> ’
    assert r.language == "es" and r.abstract.startswith("Introducción: La infancia es")
    assert [a.name for a in r.authors] == ["Syntia Carolina Ruiz Valiente", "Manuel Ruiz Cañete",
                                           "Bartola Cohene Velazquez"]
    assert (r.container, r.volume, r.issue, r.pages) == ("Pediatría (Asunción)", "42", "2",
                                                         "102-107")
    assert r.doi == "10.18004/ped.2015.agosto.102-107"  # not the SciELO pid
    assert r.keywords[:3] == ["Desnutrición aguda", "desnutrición crónica", "indígenas"]
    assert len(r.references) > 10


def test_jats_without_declaration_through_dispatch(fixtures_dir):
    body = (fixtures_dir / "other/jstor_article_10.2307_111039.jats.xml").read_bytes()
    r = extract("https://www.jstor.org/stable/111039", {}, body).record  # no type, no <?xml
    assert r.title.startswith("On the Universal Law of Attraction")
    assert [a.name for a in r.authors] == ["John Kinnersley Smythies"]
    assert (r.volume, r.pages) == ("5", "831-832") and r.abstract is None


def test_xml_records_told_from_pages_by_their_root(fixtures_dir):
    body = (fixtures_dir / "aggregator_json/pubmed_efetch_19129924.xml").read_bytes()
    assert body.lstrip().startswith(b"<PubmedArticle>")  # no declaration
    r = extract("https://placeholder.invalid/saved", {}, body).record
    assert r.title.startswith("PyMOOSE") and r.provenance.fields["title"] == "api:pubmed"
    page = b"<DIV><H1>An old page in capitals about co-production</H1><P>Text.</P></DIV>"
    r = extract("https://example.org/old", {}, page).record  # capitals, but HTML tags
    assert r is not None and r.provenance.fields["title"].startswith("text:")


def test_jats_xml_never_reads_entities_or_dtds():
    body = (b'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<article><front><article-meta><title-group><article-title>T &x;</article-title>"
            b"</title-group></article-meta></front></article>")
    [r] = parse_api_response("u", body, "application/xml")
    assert r.title.startswith("T") and "root:" not in repr(r.to_dict())  # &x; left unread


@pytest.mark.parametrize(("name", "container"), [
    ("datacite_api_doi_dryad.8515.json", "Dryad"),
    ("datacite_api_doi_figshare_m9.figshare.1449060.json", "figshare"),
    ("datacite_api_doi_arxiv.1902.02534.json", "arXiv"),
    ("datacite_api_doi_record_attributes.json", "UNITE Community"),
])
def test_datacite_deposits_sit_in_their_repository(fixtures_dir, name, container):
    [r] = records(fixtures_dir, f"aggregator_json/{name}")
    assert r.container == container


def test_datacite_text_without_container_has_none():
    body = (b'{"data": {"id": "10.1/x", "type": "dois", "attributes": {"doi": "10.1/x", '
            b'"titles": [{"title": "A report"}], "publisher": "Some University", '
            b'"types": {"resourceTypeGeneral": "Text"}}}}')
    [r] = parse_api_response("https://api.datacite.org/dois/10.1/x", body, None)
    assert r.container is None and r.publisher == "Some University"
