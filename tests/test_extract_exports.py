"""Citation exports: the RIS/BibTeX links a page offers, and the files themselves."""

from __future__ import annotations

from pathlib import Path

from extractors.dispatch import extract
from extractors.encoding import decode_body
from extractors.exports import export_links, parse_export
from extractors.html import base_url, parse_html


def links(fixtures_dir: Path, name: str, url: str) -> list[str]:
    tree = parse_html(decode_body((fixtures_dir / name).read_bytes())[0])
    return export_links(tree, base_url(tree, url))


def test_springer_offers_its_own_ris_not_the_reference_list(fixtures_dir: Path) -> None:
    found = links(fixtures_dir, "publisher_html/springer_link_s11926-017-0626-z.html",
                  "https://link.springer.com/article/10.1007/s11926-017-0626-z")
    # the page also links ...-references.ris (its reference list), which is not the work
    assert found == ["https://link.springer.com/article/10.1007/s11926-017-0626-z.ris"]


def test_peerj_ris_before_bibtex(fixtures_dir: Path) -> None:
    found = links(fixtures_dir, "publisher_html/peerj_4375.html", "https://peerj.com/articles/4375/")
    assert found == ["https://peerj.com/articles/4375.ris", "https://peerj.com/articles/4375.bib"]


def test_atypon_formats_page_becomes_the_download_url(fixtures_dir: Path) -> None:
    found = links(fixtures_dir, "publisher_html/acp_annals_M19-3075_atypon.html",
                  "https://www.acpjournals.org/doi/10.7326/M19-3075")
    assert found == ["https://www.acpjournals.org/action/downloadCitation?doi=10.7326/M19-3075"
                     "&format=ris&include=cit"]


def test_highwire_and_drupal_export_paths(fixtures_dir: Path) -> None:
    assert links(fixtures_dir, "repository_html/biorxiv_2020.03.22.002386v3.html",
                 "https://www.biorxiv.org/content/10.1101/2020.03.22.002386v3") == [
        "https://www.biorxiv.org/highwire/citation/1214049/ris",
        "https://www.biorxiv.org/highwire/citation/1214049/bibtext"]
    assert links(fixtures_dir, "publisher_html/usenix_conference_paper_bulekov.html",
                 "https://www.usenix.org/conference/usenixsecurity22/presentation/bulekov") == [
        "https://www.usenix.org/biblio/export/bibtex/277148"]


def test_other_sites_records_are_not_the_publishers_export(fixtures_dir: Path) -> None:
    # arXiv links dblp's and BibSonomy's BibTeX: someone else's record, not an export
    assert links(fixtures_dir, "repository_html/arxiv_abs_1706.03762.html",
                 "https://arxiv.org/abs/1706.03762") == []


def test_nber_bibtex_file(fixtures_dir: Path) -> None:
    body = (fixtures_dir / "other/nber_working_paper_w29971.bib").read_bytes()
    record = extract("https://www.nber.org/papers/w29971.bib", {}, body).record
    assert record.title == ("The Narrow Channel of Quantitative Easing: Evidence from YCC Down "
                            "Under")
    assert [a.name for a in record.authors] == ["David Lucca", "Jonathan H Wright"]
    assert (record.type, record.doi, record.published) == ("report", "10.3386/w29971", "2022-04")
    assert record.publisher == "National Bureau of Economic Research"
    assert record.identifiers["report_number"] == "29971"
    assert record.issue is None  # a report's "number" is its report number
    assert record.abstract.startswith("We study the recent Australian experience with yield")
    assert set(record.provenance.fields.values()) == {"export:bibtex"}


def test_crossref_bibtex_with_month_macro_and_en_dash(fixtures_dir: Path) -> None:
    body = (fixtures_dir / "other/crossref_transform_bibtex_science.169.3946.635.bib").read_bytes()
    record = extract("https://api.crossref.org/works/x/transform", {}, body).record
    assert record.title.startswith("The Structure of Ordinary Water")
    assert [a.name for a in record.authors] == ["Henry S. Frank"]
    assert (record.container, record.volume, record.issue, record.pages) == (
        "Science", "169", "3946", "635-641")
    assert (record.published, record.doi) == ("1970-08", "10.1126/science.169.3946.635")


# A Cambridge Core RIS export (what the crawler fetches from the page of seed 002), written
# here by hand in the format's two-letter tags.
CAMBRIDGE_RIS = "\n".join([
    "TY  - JOUR",
    "AU  - Andfossen, Nina Beate",
    "TI  - Co-production between long-term care units and voluntary organisations in Norwegian "
    "municipalities: a theoretical discussion and empirical analysis",
    "T2  - Primary Health Care Research & Development",
    "VL  - 21",
    "SP  - e33",
    "PY  - 2020",
    "DA  - 2020/09/15",
    "DO  - 10.1017/S1463423620000353",
    "AB  - Background: In Norway, due to demographic challenges with an ageing population, "
    "policies encourage collaboration. Method: This study has scrutinised ongoing volunteer "
    "activities.",
    "KW  - co-production",
    "KW  - voluntary organisations",
    "ER  - ",
    "",
])


def test_ris_file_with_structured_abstract() -> None:
    record = extract("https://www.cambridge.org/core/services/aop-easybib-export?x", {},
                     CAMBRIDGE_RIS.encode()).record
    assert record.title.startswith("Co-production between long-term care units")
    assert [(a.given, a.family) for a in record.authors] == [("Nina Beate", "Andfossen")]
    assert (record.type, record.container, record.volume, record.pages) == (
        "article", "Primary Health Care Research & Development", "21", "e33")
    assert (record.published, record.doi) == ("2020-09-15", "10.1017/s1463423620000353")
    assert [s.label for s in record.abstract_sections] == ["Background", "Method"]
    assert record.keywords == ["co-production", "voluntary organisations"]
    assert record.provenance.fields["title"] == "export:ris"


def test_not_an_export() -> None:
    assert parse_export("Just some text\nTY is not a tag here") is None
    extraction = extract("https://example.org/x.ris", {}, b"TY  - JOUR\nER  - \n")
    assert extraction.record is None and "without a title" in extraction.reason
