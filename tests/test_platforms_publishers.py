"""Platform adapters on real publisher pages (../shared/fixtures, read in place).

Expected values were read off the saved pages (their markup and text), not off the code.
Each test checks what the adapter adds beyond meta tags: affiliations per author, abstract
sections, keywords, references with DOIs, related papers, and that links and chrome stay out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.dispatch import extract as dispatch
from extractors.html import parse_html
from extractors.platforms import find_adapter

PAGES = {
    "springer": ("publisher_html/springer_link_s11926-017-0626-z.html",
                 "https://link.springer.com/article/10.1007/s11926-017-0626-z"),
    "springer_old": ("publisher_html/springer_link_BF02727953.html",
                     "https://link.springer.com/article/10.1007/BF02727953"),
    "nature": ("publisher_html/nature_news_d41586-020-02610-z.html",
               "https://www.nature.com/articles/d41586-020-02610-z"),
    "sd_2023": ("publisher_html/sciencedirect_pii_S146290112300117X.html",
                "https://www.sciencedirect.com/science/article/pii/S146290112300117X"),
    "sd_1997": ("publisher_html/sciencedirect_pii_S0009261497040141.html",
                "https://www.sciencedirect.com/science/article/pii/S0009261497040141"),
    "tandf": ("publisher_html/tandfonline_00268976.2013.788745.html",
              "https://www.tandfonline.com/doi/full/10.1080/00268976.2013.788745"),
    "acp": ("publisher_html/acp_annals_M19-3075_atypon.html",
            "https://www.acpjournals.org/doi/10.7326/M19-3075"),
    "plos": ("publisher_html/plos_one_pone.0000001.html",
             "https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0000001"),
    "s2": ("other/semanticscholar_paper_page_crosswalk.html",
           "https://www.semanticscholar.org/paper/Where-the-Crosswalk-Ends-Moran/0a9b"),
    "ojs_galley": ("publisher_html/ojs3_first_monday_fulltext.html",
                   "https://firstmonday.org/ojs/index.php/fm/article/view/10274/9729"),
}


def run(fixtures_dir: Path, key: str, adapter_name: str) -> dict:
    path, url = PAGES[key]
    tree = parse_html((fixtures_dir / path).read_bytes().decode("utf-8"))
    adapter = find_adapter(url, tree)
    assert adapter is not None and adapter.NAME == adapter_name
    return adapter.extract(tree, url)


def test_springer_affiliations_sections_keywords_references(fixtures_dir):
    fields = run(fixtures_dir, "springer", "springer")
    [author] = fields["authors"]
    assert author.name == "Marwan H. Adwan"
    assert author.affiliations == ["Division of Rheumatology, Department of Medicine, The University "
                                   "of Jordan, Queen Rania Street, Amman, 11942, Jordan"]
    assert [s.label for s in fields["abstract_sections"]] == [
        "Purpose of the Review", "Recent Findings", "Summary"]
    assert fields["abstract_sections"][0].text.startswith("The purpose of the review is to summarise")
    assert fields["keywords"] == ["DRESS syndrome", "Eosinophilia", "Hypersensitivity", "Toxicity",
                                  "Idiosynchratic", "Allopurinol", "Minocycline", "Sulfasalazine"]
    refs = fields["references"]
    assert len(refs) == 87
    assert refs[0].text == ("Shear NH, Spielberg SP. Anticonvulsant hypersensitivity syndrome. In vitro "
                            "assessment of risk. J Clin Investig. 1988;82(6):1826.")
    assert refs[0].doi == "10.1172/jci113798"  # from its https://doi.org/10.1172%2FJCI113798 link
    assert all("Google Scholar" not in r.text for r in refs)


def test_springer_1977_affiliations_from_the_list(fixtures_dir):
    fields = run(fixtures_dir, "springer_old", "springer")
    assert [(a.name, a.affiliations) for a in fields["authors"]] == [
        ("J. M. Leinaas", ["Department of Physics, University of Oslo, Oslo"]),
        ("J. Myrheim", ["Department of Physics, University of Oslo, Oslo"]),
    ]
    assert fields["references"][0].text == "A. Messiah:Quantum Mechanics, Chap. XIV (Amsterdam, 1962)."


def test_nature_news_reference_keeps_its_link(fixtures_dir):
    fields = run(fixtures_dir, "nature", "springer")
    [ref] = fields["references"]
    assert ref.text.startswith("Laakso, M., Matthias, L. & Jahn, N. Preprint at")
    assert ref.url == "https://arxiv.org/abs/2008.11933"


def test_sciencedirect_affiliations_from_preloaded_state(fixtures_dir):
    fields = run(fixtures_dir, "sd_2023", "sciencedirect")
    assert [(a.given, a.family, a.affiliations) for a in fields["authors"]] == [
        ("Mahir", "Yazar", ["Centre for Climate and Energy Transformation, Department of Geography, "
                            "University of Bergen, Norway"]),
        ("Abigail", "York", ["School of Human Evolution and Social Change, Arizona State University, "
                             "Tempe, AZ, USA"]),
    ]
    assert fields["keywords"] == ["Climate adaptation", "Spatial justice", "Collective action",
                                  "Urban green commons", "Istanbul", "Turkey"]
    assert fields["abstract"].startswith("Urban climate adaptation through nature-based solutions")
    assert "Highlights" not in fields["abstract"]


def test_sciencedirect_1997_references_and_recommended(fixtures_dir):
    fields = run(fixtures_dir, "sd_1997", "sciencedirect")
    assert [a.name for a in fields["authors"]] == ["Alexander O. Mitrushenkov", "Paolo Palmieri"]
    assert fields["authors"][1].affiliations == [
        "Dipartimento di Chimica Fisica ed Inorganica, Università di Bologna, Viale Risorgimento 4, "
        "40136 Bologna, Italy"]
    assert fields["references"][0].text == "V.E. Bondybey et al. Chem. Phys. Lett. (1983)"
    first = fields["related"][0]
    assert first.title == "Binding affinity and permeation of X12Y12 nanoclusters for helium and neon"
    assert first.url == "https://www.sciencedirect.com/science/article/pii/S0167732217315234"


def test_tandf_overlay_affiliations_keywords_related(fixtures_dir):
    fields = run(fixtures_dir, "tandf", "atypon")
    assert [(a.name, a.affiliations) for a in fields["authors"]] == [
        ("Jean-Paul Malrieu", ["Laboratoire de Chimie et Physique Quantiques, Université Paul Sabatier, "
                               "Toulouse Cedex, 118 route de Narbonne, F-31062, France"]),
        ("Celestino Angeli", ["Università di Ferrara, Dipartimento di Scienze Chimiche e Farmaceutiche, "
                              "Ferrara, Via Borsari 46, I-44121, Italy"]),
    ]
    assert fields["keywords"] == ["Møller–Plesset perturbation theory", "Epstein–Nesbet perturbation theory",
                                  "divergences in perturbation theory", "linked cluster theorem",
                                  "coupled cluster"]
    assert [r.doi for r in fields["related"]] == [
        "10.1080/00268970412331317788", "10.1080/00268976.2017.1333644", "10.1080/00268970701283781"]
    assert fields["related"][0].title.startswith("The CIPT2 method")


def test_acp_accordion_authors_sections_references(fixtures_dir):
    fields = run(fixtures_dir, "acp", "atypon")
    assert [a.name for a in fields["authors"]] == ["Michael L. Anderson", "Carlos Dobkin", "Devon Gorry"]
    assert fields["authors"][2].affiliations == ["Clemson University, Clemson, South Carolina (D.G.)"]
    assert [s.label for s in fields["abstract_sections"]] == [
        "Background", "Objective", "Design", "Setting", "Participants", "Intervention", "Measurements",
        "Results", "Limitation", "Conclusion", "Primary Funding Source"]
    assert fields["abstract_sections"][-1].text == "National Institute on Aging."
    assert "Visual Abstract" not in fields["abstract"]
    refs = fields["references"]
    assert len(refs) == 42
    assert refs[0].doi == "10.1016/j.vaccine.2013.09.013"
    assert refs[0].title == "Influenza cost and cost-effectiveness studies globally—a review"
    assert not refs[0].text.startswith("1.") and "Crossref" not in refs[0].text
    assert "Epidemiology" in fields["keywords"]


def test_plos_affiliations_split_per_line(fixtures_dir):
    fields = run(fixtures_dir, "plos", "plos")
    almeida = fields["authors"][0]
    assert almeida.name == "Maria C Almeida"
    assert almeida.affiliations == [
        "Systemic Inflammation Laboratory, Trauma Research, St. Joseph's Hospital and Medical Center, "
        "Phoenix, Arizona, United States of America",
        "Medical School of Ribeirão Preto, University of São Paulo, Ribeirão Preto, São Paulo, Brazil"]
    assert fields["keywords"] == ["Behavior", "Rats", "Inflammation", "Fevers", "Hypothermia",
                                  "Animal behavior", "Biological locomotion", "Endotoxins"]
    assert len(fields["references"]) == 70
    assert fields["references"][0].text.startswith("Romanovsky AA (2006) Chapter 23.")


def test_semantic_scholar_references_and_counts(fixtures_dir):
    fields = run(fixtures_dir, "s2", "semanticscholar")
    assert fields["doi"] == "10.1177/23998083221081530"
    assert fields["citation_count"] == 3
    first = fields["references"][0]
    assert first.title == ("The Impact of a Signalized Crosswalk on Traffic Speed and Street-Crossing "
                           "Behaviors of Residents in an Underserved Neighborhood")
    assert first.url.startswith("https://www.semanticscholar.org/paper/The-Impact-of-a-Signalized")
    assert "Courtney L. Schultz, S. Sayers" in first.text and "Journal of Urban Health" in first.text
    assert all("TLDR" not in r.text and "Excerpt" not in r.text for r in fields["references"])


def test_ojs_galley_without_landing_markup_yields_nothing_wrong(fixtures_dir):
    # a full-text galley: the URL says OJS but the page has none of the landing-page markup
    fields = run(fixtures_dir, "ojs_galley", "ojs")
    assert "authors" not in fields and "references" not in fields


@pytest.mark.parametrize("key", ["springer", "sd_2023", "tandf", "acp", "plos"])
def test_dispatch_keeps_platform_affiliations(fixtures_dir, key):
    path, url = PAGES[key]
    record = dispatch(url, {"content-type": "text/html; charset=utf-8"},
                      (fixtures_dir / path).read_bytes()).record
    assert record is not None and record.authors
    assert all(a.affiliations for a in record.authors), [a.name for a in record.authors]


# Which adapter claims each real page (served at the URL the page names); all others: none.
CLAIMS = {
    "semanticscholar_paper_page_crosswalk.html": "semanticscholar",
    "acp_annals_M19-3075_atypon.html": "atypon",
    "acs_pubs_acsphotonics.9b00250.html": "atypon",  # ACS Publications runs on Atypon Literatum
    "nature_news_d41586-019-02790-3.html": "springer",
    "nature_news_d41586-020-02610-z.html": "springer",
    "plos_one_pone.0000001.html": "plos",
    "sciencedirect_pii_S0009261497040141.html": "sciencedirect",
    "sciencedirect_pii_S146290112300117X.html": "sciencedirect",
    "springer_link_BF02727953.html": "springer",
    "springer_link_s11926-017-0626-z.html": "springer",
    "tandfonline_00268976.2013.788745.html": "atypon",
    "arxiv_abs_1706.03762.html": "arxiv",
    "dlib_magazine_05vanhyning.html": "dlib",  # by its 10.1045 DOI meta (no URL on the page)
    "genders_journal_g58_fairlie.html": "genders",  # by its logo (no URL on the page)
    "lingbuzz_006747.html": "lingbuzz",  # by its relative canonical link
}


def test_no_adapter_claims_pages_of_other_platforms(fixtures_dir):
    pages = sorted(p for folder in ("publisher_html", "repository_html", "other")
                   for p in (fixtures_dir / folder).glob("*.html"))
    assert len(pages) > 30
    for path in pages:
        tree = parse_html(path.read_bytes().decode("utf-8", "replace"))
        url = next(iter(tree.xpath("//link[@rel='canonical']/@href|//meta[@property='og:url']/@content")),
                   "")
        adapter = find_adapter(str(url), tree)
        assert (adapter.NAME if adapter else None) == CLAIMS.get(path.name), path.name
