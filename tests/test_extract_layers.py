"""The layers one by one: value normalisers, meta vocabularies, schema.org, COinS, the text
layer. Small pages are hand-written; each says which real page family it stands for."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.embedded import extract_embedded
from extractors.embedded.values import classify_identifier, make_author, parse_date
from extractors.encoding import decode_body
from extractors.html import parse_html
from extractors.text import abstract_box, abstract_from_box, is_chrome_text, page_title


@pytest.mark.parametrize("raw, iso", [
    ("2020/09/15", "2020-09-15"), ("Dec 20, 2006", "2006-12-20"), ("24 Apr 2013", "2013-04-24"),
    ("15 September 2020", "2020-09-15"), ("2022 April", "2022-04"), ("July 2013", "2013-07"),
    ("1955", "1955"), ("2017-06-12 17:57:34 UTC", "2017-06-12"), ("2021年3月5日", "2021-03-05"),
    ("13/04/2020", "2020-04-13"), ("03/04/2020", "2020"), ("15 septembre 2009", "2009-09-15"),
    ("Published online: 2019", "2019"), ("no date", None), ("", None),
])
def test_dates_keep_the_precision_given(raw: str, iso: str | None) -> None:
    assert parse_date(raw) == iso


def test_author_names() -> None:
    a = make_author("Vaswani, Ashish")
    assert (a.name, a.given, a.family) == ("Ashish Vaswani", "Ashish", "Vaswani")
    a = make_author("Dirk van As", orcid="https://orcid.org/0000-0002-6553-8982")
    assert (a.given, a.family, a.orcid) == ("Dirk", "van As", "0000-0002-6553-8982")
    assert make_author("D N Astrov 1").name == "D N Astrov"  # IOP's affiliation marker
    org = make_author("International Genetics of Ankylosing Spondylitis Consortium (IGAS)")
    assert (org.given, org.family) == (None, None)
    assert make_author("https://www.nature.com/authors/1") is None
    assert make_author(given="Nina Beate", family="Andfossen").name == "Nina Beate Andfossen"


def test_identifiers() -> None:
    assert classify_identifier("info:doi/10.1103/PhysRevLett.122.145901") == (
        "doi", "10.1103/physrevlett.122.145901")
    assert classify_identifier("https://doi.org/10.1108/IJSSP-01-2022-0027") == (
        "doi", "10.1108/ijssp-01-2022-0027")
    assert classify_identifier("http://hdl.handle.net/10023/1234") == ("handle", "10023/1234")
    assert classify_identifier("info:pmid/31393839") == ("pmid", "31393839")
    assert classify_identifier("978-1-939133-31-1") == ("isbn", "978-1-939133-31-1")
    assert classify_identifier("1932-6203") == ("issn", "1932-6203")
    assert classify_identifier("https://hal.science/jpa-00235190") is None


def embedded(html: str, base: str = "https://repo.example.ac.uk/id/eprint/42/") -> dict:
    return dict(extract_embedded(parse_html(html), base))


# An EPrints repository abstract page (eprints.* and DC meta, as EPrints 3 writes them).
EPRINTS_PAGE = """<html><head>
<meta name="eprints.creators_name" content="Ärleskog, Caroline">
<meta name="eprints.creators_name" content="Vackerberg, Nicoline">
<meta name="eprints.type" content="article">
<meta name="eprints.title" content="Balancing power in co-production: introducing a reflection model">
<meta name="eprints.abstract" content="The role and position of users in health and welfare has
 recently changed to become more active in co-production of care.">
<meta name="eprints.date" content="2021-03-02">
<meta name="eprints.id_number" content="doi:10.1057/s41599-021-00763-y">
<meta name="eprints.publication" content="Humanities and Social Sciences Communications">
<meta name="eprints.volume" content="8"><meta name="eprints.number" content="1">
<meta name="eprints.pagerange" content="1-9">
<meta name="eprints.document_url" content="/42/1/arleskog2021.pdf">
<meta name="DC.title" content="Balancing power in co-production">
<meta name="DC.identifier" content="https://repo.example.ac.uk/id/eprint/42/">
</head><body></body></html>"""


def test_eprints_vocabulary() -> None:
    found = embedded(EPRINTS_PAGE)["embedded:eprints"]
    assert found["title"] == "Balancing power in co-production: introducing a reflection model"
    assert [a.name for a in found["authors"]] == ["Caroline Ärleskog", "Nicoline Vackerberg"]
    assert found["doi"] == "10.1057/s41599-021-00763-y"
    assert (found["container"], found["volume"], found["issue"], found["pages"]) == (
        "Humanities and Social Sciences Communications", "8", "1", "1-9")
    assert (found["published"], found["type"]) == ("2021-03-02", "article")
    assert found["identifiers"]["pdf_url"] == "https://repo.example.ac.uk/42/1/arleskog2021.pdf"
    assert found["abstract"].startswith("The role and position of users in health and welfare has "
                                        "recently changed")


# A journal page carrying schema.org JSON-LD with the Periodical > Volume > Issue chain
# (as Springer Nature and OJS themes emit it), and a reference list of COinS spans.
JSONLD_PAGE = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
 {"@type": "BreadcrumbList", "itemListElement": []},
 {"@type": "ScholarlyArticle", "headline": "Co-production in syringe service programs",
  "author": [{"@type": "Person", "givenName": "Theresa", "familyName": "Anasti",
              "affiliation": {"@type": "Organization", "name": "Portland State University"},
              "sameAs": "https://orcid.org/0000-0001-2345-6789"}],
  "datePublished": "2023-09-11", "keywords": "co-production, harm reduction",
  "identifier": {"@type": "PropertyValue", "propertyID": "doi",
                 "value": "https://doi.org/10.1177/02610183231199667"},
  "isPartOf": {"@type": "PublicationIssue", "issueNumber": "1",
               "isPartOf": {"@type": "PublicationVolume", "volumeNumber": "44",
                            "isPartOf": {"@type": "Periodical", "name": "Critical Social Policy",
                                         "issn": "0261-0183"}}},
  "abstract": "<p>Co-production in the human services is a way of working.</p>"}]}
</script></head><body>
<span class="Z3988" title="ctx_ver=Z39.88-2004&amp;rft.atitle=Cited+one"></span>
<span class="Z3988" title="ctx_ver=Z39.88-2004&amp;rft.atitle=Cited+two"></span>
</body></html>"""


def test_jsonld_work_with_container_chain_and_many_coins_ignored() -> None:
    found = embedded(JSONLD_PAGE)
    assert "embedded:coins" not in found  # two spans: a reference list, not this work
    work = found["embedded:jsonld"]
    assert work["title"] == "Co-production in syringe service programs"
    author = work["authors"][0]
    assert (author.name, author.affiliations, author.orcid) == (
        "Theresa Anasti", ["Portland State University"], "0000-0001-2345-6789")
    assert work["doi"] == "10.1177/02610183231199667"
    assert (work["container"], work["volume"], work["issue"]) == (
        "Critical Social Policy", "44", "1")
    assert work["identifiers"] == {"issn": "0261-0183"}
    assert work["keywords"] == ["co-production", "harm reduction"]
    assert work["abstract"] == "Co-production in the human services is a way of working."


def test_text_layer_structured_abstract(fixtures_dir: Path) -> None:
    body = (fixtures_dir / "publisher_html/acp_annals_M19-3075_atypon.html").read_bytes()
    tree = parse_html(decode_body(body)[0])
    abstract, sections, _ = abstract_from_box(abstract_box(tree))
    assert [s.label for s in sections] == [
        "Background", "Objective", "Design", "Setting", "Participants", "Intervention",
        "Measurements", "Results", "Limitation", "Conclusion", "Primary Funding Source"]
    assert sections[0].text.startswith("Observational studies using traditional research")
    assert sections[-1].text == "National Institute on Aging."
    assert "Visual Abstract" not in abstract  # the figure inside the abstract box


def test_title_from_heading_and_title_element() -> None:
    page = """<html><head><title>SVO – Attractors in grammar evolution - lingbuzz/006747</title>
    </head><body><h1>lingbuzz</h1></body></html>"""
    assert page_title(parse_html(page)) == "SVO – Attractors in grammar evolution"
    page = """<html><head><title>Neural Substrate of Cold-Seeking Behavior | PLOS One</title>
    </head><body><h1>PLOS One</h1><h1>Neural Substrate of Cold-Seeking Behavior</h1></body></html>"""
    assert page_title(parse_html(page)) == "Neural Substrate of Cold-Seeking Behavior"


@pytest.mark.parametrize("line", [
    "Talk to us", "Schedule a call", "Hostname: page-component-89b8bd64d-dvtzq",
    "Total loading time: 0 Render date: 2026-05-09T13:24:31.279Z Has data issue: false",
    "Spring til...", "Hovedindhold", "Sidefod", "引用", "收藏", "相关论文", "共 50 条",
    "This website uses cookies to improve your experience", "Skip to main content",
    "Rights & Permissions [Opens in a new window]", "© 2019 American Physical Society",
])
def test_chrome_lines(line: str) -> None:
    assert is_chrome_text(line)


@pytest.mark.parametrize("line", [
    "Co-production is advocated as a functional and innovative method.",
    "Results show that shared care rests on trust.", "Cookies were baked by volunteers.",
])
def test_content_is_not_chrome(line: str) -> None:
    assert not is_chrome_text(line)


def test_one_type_vocabulary_for_every_layer() -> None:
    from archive.exports.common import kind_of
    from extractors.api._common import work_type
    from extractors.embedded.values import normalise_type
    from extractors.record import Record
    from extractors.types import RECORD_TYPES, record_type

    for term, kind in [("journal-article", "article"), ("ScholarlyArticle", "article"),
                       ("info:eu-repo/semantics/conferenceObject", "conference-paper"),
                       ("JOUR", "article"), ("inproceedings", "conference-paper"),
                       ("posted-content", "preprint"), ("Book Chapter", "chapter"),
                       ("http://schema.org/Dataset", "dataset"), ("ResearchProject", "project"),
                       ("doctoralThesis", "thesis"), ("working paper", "report")]:
        assert record_type(term) == normalise_type(term) == work_type(term) == kind, term
    assert record_type("website") is None and work_type("website") == "other"
    assert all(record_type(t) in (t, None) for t in RECORD_TYPES)
    assert kind_of(Record(type="proceedings-article")).ris == "CPAPER"  # exports read it too
    assert kind_of(Record(type="conference-paper")).bibtex == "inproceedings"
