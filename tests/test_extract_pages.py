"""extract() on real publisher and repository pages (../shared/fixtures), fields checked by
reading each page: titles, authors in order, DOIs, journals, dates, abstracts, exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import EXTRACTOR_VERSION, dispatch
from extractors.dispatch import extract
from extractors.record import Record

HTML = {"Content-Type": "text/html"}
# Page furniture that must never reach a record (from the seeds and the fixture pages).
CHROME = ("Talk to us", "Schedule a call", "Disclaimer: All third-party content",
          "Hostname: page-component", "Render date", "Has data issue", "Spring til",
          "Hovedindhold", "Sidefod", "引用", "收藏", "Accept cookies", "Skip to main content",
          "Share on Twitter", "Search for this author in", "© 2019 American Physical Society")


def page(fixtures_dir: Path, name: str, url: str = "https://example.org/page") -> Record:
    extraction = extract(url, HTML, (fixtures_dir / name).read_bytes())
    assert extraction.record is not None, extraction.reason
    return extraction.record


def names(record: Record) -> list[str]:
    return [a.name for a in record.authors]


def test_plos_highwire_authors_affiliations_and_abstract(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "publisher_html/plos_one_pone.0000001.html")
    assert r.title == "Neural Substrate of Cold-Seeking Behavior in Endotoxin Shock"
    assert names(r) == ["Maria C Almeida", "Alexandre A Steiner", "Luiz G S Branco",
                        "Andrej A Romanovsky"]
    # citation_author_institution belongs to the author before it (Almeida has two)
    assert r.authors[0].affiliations[1].startswith("Medical School of Ribeirão Preto")
    assert r.authors[2].affiliations == [
        "Dental School of Ribeirão Preto, University of São Paulo, Ribeirão Preto, São Paulo, "
        "Brazil"]
    assert r.doi == "10.1371/journal.pone.0000001"
    assert (r.container, r.volume, r.issue, r.published) == ("PLOS ONE", "1", "1", "2006-12-20")
    assert r.abstract.startswith("Systemic inflammation is a leading cause of hospital death.")
    assert r.abstract.endswith("circuitry of cold-seeking behavior associated with endotoxin shock.")
    assert r.provenance.fields["title"] == "embedded:highwire"


def test_hal_record_page(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "repository_html/hal_jpa-00235190.html")
    assert r.title == "Déplacement de Knight dans les alliages"
    assert names(r) == ["Jacques Friedel"]
    assert r.doi == "10.1051/jphysrad:01955001606044400"
    assert (r.container, r.volume, r.issue, r.pages) == (
        "Journal de Physique et le Radium", "16", "6", "444-445")
    assert (r.published, r.language) == ("1955", "fr")
    assert r.keywords == ["alloys", "nuclear magnetic resonance"]
    assert r.identifiers["pdf_url"] == "https://hal.science/jpa-00235190/document"


def test_biorxiv_orcids_follow_their_authors(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "repository_html/biorxiv_2020.03.22.002386v3.html")
    assert names(r)[:4] == ["David E. Gordon", "Gwendolyn M. Jang", "Mehdi Bouhaddou",
                            "Jiewei Xu"]
    assert r.authors[0].orcid is None
    assert r.authors[1].orcid == "0000-0001-7806-9874"
    assert r.authors[2].orcid == "0000-0002-9526-1427"
    assert r.doi == "10.1101/2020.03.22.002386"
    assert r.abstract.startswith("An outbreak of the novel coronavirus SARS-CoV-2")
    assert "<h3>" not in r.abstract and not r.abstract.startswith("ABSTRACT")


def test_arxiv_authors_in_order_family_comma_given(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "repository_html/arxiv_abs_1706.03762.html")
    assert r.title == "Attention Is All You Need"
    assert names(r) == ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit",
                        "Llion Jones", "Aidan N. Gomez", "Lukasz Kaiser", "Illia Polosukhin"]
    assert (r.authors[5].given, r.authors[5].family) == ("Aidan N.", "Gomez")
    assert r.identifiers["arxiv"] == "1706.03762"
    assert r.abstract.startswith("The dominant sequence transduction models are based on")


def test_atypon_dc_meta_and_export_link(fixtures_dir: Path) -> None:
    url = "https://www.tandfonline.com/doi/full/10.1080/00268976.2013.788745"
    extraction = extract(url, HTML, (fixtures_dir / "publisher_html/tandfonline_00268976"
                                     ".2013.788745.html").read_bytes())
    r = extraction.record
    assert r.title == "The Møller–Plesset perturbation revisited: origin of high-order divergences"
    assert names(r) == ["Jean-Paul Malrieu", "Celestino Angeli"]
    assert r.doi == "10.1080/00268976.2013.788745"
    assert (r.container, r.published, r.language) == ("Molecular Physics", "2013-04-24", "en")
    assert r.abstract.startswith("Contrarily to what happens with the Epstein–Nesbet (EN)")
    assert extraction.export_links == [
        "https://www.tandfonline.com/action/downloadCitation?doi=10.1080/00268976.2013.788745"
        "&format=ris&include=cit"]


def test_bepress_and_dublin_core(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "publisher_html/laviedesidees_bepress_citation.html")
    assert r.title == "L’évaluation et les listes de revues"
    assert names(r) == ["Florence Audier"]
    assert (r.published, r.language, r.container) == ("2009-09-15", "fr", "La Vie des idées")
    assert r.provenance.fields["title"] == "embedded:bepress"


def test_prism_on_nature_news(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "publisher_html/nature_news_d41586-019-02790-3.html")
    assert r.title == "Gigantic Chinese telescope opens to astronomers worldwide"
    assert names(r) == ["Elizabeth Gibney"]
    assert r.doi == "10.1038/d41586-019-02790-3"
    assert (r.container, r.volume, r.issue, r.pages, r.published) == (
        "Nature", "574", "7776", "16-17", "2019-09-24")


def test_jsonld_dataset_with_orcids(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "repository_html/pangaea_dataset_836178.html")
    assert r.type == "dataset"
    assert r.title == ("Hydrological and meteorological investigations in a lake near "
                       "Kangerlussuaq, west Greenland")
    assert names(r)[:5] == ["Emma Johansson", "Sten Berglund", "Tobias Lindborg",
                            "Johannes Petrone", "Dirk van As"]
    assert (r.authors[4].family, r.authors[4].orcid) == ("van As", "0000-0002-6553-8982")
    assert r.doi == "10.1594/pangaea.836178"
    assert r.license == "https://creativecommons.org/licenses/by/3.0/"


def test_orcids_from_jsonld_enrich_highwire_authors(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "repository_html/zenodo_record_1196821_legacy_ui.html")
    assert names(r)[:3] == ["Matthias Staib", "Giuseppe Castegnetti", "Athina Tzovara"]
    assert r.authors[0].orcid == "0000-0001-9688-838X"  # only the JSON-LD creator has it
    assert r.authors[1].orcid is None
    assert r.doi == "10.5281/zenodo.1196821"
    assert r.abstract.startswith("This dataset includes pupil size response (PSR)")


def test_coins_fills_pages(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "repository_html/citeseerx_legacy_summary_page.html")
    assert r.title == "Computational Lambda-Calculus and Monads"
    assert names(r) == ["Eugenio Moggi"]
    assert (r.pages, r.published) == ("14-23", "1988")
    assert r.provenance.fields["pages"] == "embedded:coins"
    assert r.doi is None  # rft_id names CiteSeerX's own "doi=10.1.1...", not a DOI


def test_text_layer_abstract_without_furniture(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "publisher_html/aps_prl.122.145901.html")
    assert r.abstract.startswith("The magnetochiral effect (MCE) of phonons")
    assert r.abstract.endswith("proposed magnon-phonon hybridization mechanism.")
    assert r.provenance.fields["abstract"] == "text:html"
    for furniture in ("Received 26 September 2018", "DOI:", "©", "Ultrasound techniques"):
        assert furniture not in r.abstract


def test_legacy_page_without_metadata(fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                      ) -> None:
    r = page(fixtures_dir, "publisher_html/dlib_magazine_05vanhyning.html")
    assert r.title == "Transforming Libraries and Archives through Crowdsourcing"
    assert r.abstract.startswith("This article will showcase the aims and research goals")
    assert "Keywords" not in r.abstract
    assert r.keywords == ["Crowdsourcing", "Citizen Humanities", "GLAM", "Transcription", "IMLS"]
    assert r.published == "2017-05-15"  # <meta itemprop="datePublished"> in <head>, no itemscope
    # D-Lib's adapter reads the masthead and the byline (name, affiliation; e-mail lines)
    assert (r.container, r.volume, r.issue) == ("D-Lib Magazine", "23", "5/6")
    assert names(r) == ["Victoria Van Hyning", "Samantha Blickhan", "Laura Trouille",
                        "Chris Lintott"]
    assert r.authors[0].affiliations == ["University of Oxford, Zooniverse"]
    assert r.provenance.fields["authors"] == "platform:dlib"
    monkeypatch.setattr(dispatch, "find_adapter", lambda *args: None)
    r = page(fixtures_dir, "publisher_html/dlib_magazine_05vanhyning.html")  # generic layers
    assert r.title == "Transforming Libraries and Archives through Crowdsourcing"
    assert r.provenance.fields["title"] == "text:html"


def test_description_box_when_no_abstract_box(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "publisher_html/usenix_conference_paper_bulekov.html")
    assert r.title == "Morphuzz: Bending (Input) Space to Fuzz Virtual Devices"
    assert names(r) == ["Alexander Bulekov", "Bandan Das", "Stefan Hajnoczi", "Manuel Egele"]
    assert r.abstract.startswith("The security of the entire cloud ecosystem crucially depends")
    assert "@inproceedings" not in r.abstract and "Bulekov, Boston" not in r.abstract


def test_structured_abstract_from_the_page(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "publisher_html/acp_annals_M19-3075_atypon.html")
    labels = [s.label for s in r.abstract_sections]
    assert labels[:4] == ["Background", "Objective", "Design", "Setting"]
    assert "Conclusion" in labels
    assert r.abstract.startswith("Background: Observational studies")
    assert "Visual Abstract" not in r.abstract


@pytest.mark.parametrize("name", ["other/cloudflare_challenge_pubs_acs_org.html",
                                  "other/cloudflare_challenge_tandfonline.html"])
def test_challenge_pages_give_no_record(fixtures_dir: Path, name: str) -> None:
    extraction = extract("https://pubs.acs.org/doi/10.1021/x", HTML,
                         (fixtures_dir / name).read_bytes())
    assert extraction.record is None
    assert "challenge" in extraction.reason and "cloudflare" in extraction.reason


def test_search_results_page_is_no_work(fixtures_dir: Path) -> None:
    extraction = extract("https://www.biorxiv.org/search/owls", HTML,
                         (fixtures_dir / "other/biorxiv_search_results_owls.html").read_bytes())
    assert extraction.record is None
    assert "no work" in extraction.reason


def test_every_field_has_a_source_and_no_chrome(fixtures_dir: Path) -> None:
    pages = sorted((fixtures_dir / "publisher_html").glob("*.html"))
    pages += sorted((fixtures_dir / "repository_html").glob("*.html"))
    assert len(pages) > 30
    for path in pages:
        record = extract("https://example.org/p", HTML, path.read_bytes()).record
        if record is None:
            continue
        data = record.to_dict()
        provenance = data.pop("provenance")
        assert provenance["extractor_version"] == EXTRACTOR_VERSION
        for field in set(data) - {"source_url"}:
            assert field in provenance["fields"], (path.name, field)
        text = " ".join(str(data.get(k, "")) for k in ("title", "abstract", "container"))
        for chrome in CHROME:
            assert chrome not in text, (path.name, chrome)


def test_labelled_record_page_without_metadata(fixtures_dir: Path) -> None:
    # PoS prints its record as <em>Title</em> <strong>...</strong> pairs; its <title> and <h1>
    # hold only the contribution's identifier.
    r = page(fixtures_dir, "publisher_html/pos_sissa_contribution_splash.html")
    assert r.title == "Heavy Flavour Physics Review"
    assert names(r) == ["A. El-Khadra"]
    assert r.container == "31st International Symposium on Lattice Field Theory LATTICE 2013"
    assert r.provenance.fields["title"] == "text:labels"


@pytest.mark.parametrize("name, doi, source", [
    ("publisher_html/dlib_magazine_05vanhyning.html", "10.1045/may2017-vanhyning", "text:html"),
    # here the line is a whole citation: "Acta Palaeontologica Polonica 68 (4), 2023: ... doi:"
    ("publisher_html/acta_palaeontologica_polonica_app.01105.2023.html",
     "10.4202/app.01105.2023", "text:header"),
])
def test_doi_printed_above_the_text(fixtures_dir: Path, name: str, doi: str, source: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dispatch, "find_adapter", lambda *args: None)  # generic layers
    r = page(fixtures_dir, name)
    assert (r.doi, r.provenance.fields["doi"]) == (doi, source)


def test_reference_dois_are_not_the_works(fixtures_dir: Path) -> None:
    # First Monday prints its own DOI only at the end, after references with DOIs of their own
    r = page(fixtures_dir, "publisher_html/ojs3_first_monday_fulltext.html")
    assert r.doi in (None, "10.5210/fm.v25i10.10274")  # never e.g. 10.5210/fm.v21i10.6948


def test_doi_from_a_publisher_doi_url(fixtures_dir: Path) -> None:
    r = page(fixtures_dir, "publisher_html/acp_annals_M19-3075_atypon.html",
             url="https://www.acpjournals.org/doi/10.7326/M19-3075")
    assert (r.doi, r.provenance.fields["doi"]) == ("10.7326/m19-3075", "text:url")
    # dc.Title gives the main title only; the <title> adds the subtitle
    assert r.title == ("The Effect of Influenza Vaccination for the Elderly on Hospitalization "
                       "and Mortality: An Observational Study With a Regression Discontinuity "
                       "Design")
