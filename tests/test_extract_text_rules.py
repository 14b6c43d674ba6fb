"""The text layer's rules for pages that say little in metadata: citation lines, bylines,
"how to cite" blocks, cut-off descriptions, site names, description boxes, broken abstract
markup, keyword tails and closing "Summary" sections.

The small pages here are written for these tests; each says which real page kind it mimics.
Real pages that need the same rules are checked in test_extract_pages.py and by the labels.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.dispatch import extract
from extractors.jats import abstract_from_markup, abstract_from_text, split_keywords_tail
from extractors.text import parse_byline, parse_citation

HTML = {"Content-Type": "text/html; charset=utf-8"}
PROSE = ("We study how services and their users produce care together, across twelve towns "
         "and three years of fieldwork, and what changes when they do.")


def record(html: str, url: str = "https://journal.example/article/1"):
    extraction = extract(url, HTML, html.encode())
    assert extraction.record is not None, extraction.reason
    return extraction.record


@pytest.mark.parametrize(("line", "expected"), [
    ("Acta Palaeontologica Polonica 68 (4), 2023: 709-718 doi:10.4202/app.01105.2023",
     {"container": "Acta Palaeontologica Polonica", "volume": "68", "issue": "4",
      "published": "2023", "pages": "709-718", "doi": "10.4202/app.01105.2023"}),
    ("Published in: 2023. Acta Linguistica Academica 70: 195-218 (online June 6, 2023) "
     "https://doi.org/10.1556/2062.2023.00642",
     {"container": "Acta Linguistica Academica", "volume": "70", "pages": "195-218",
      "published": "2023-06-06", "doi": "10.1556/2062.2023.00642"}),
    ("First Monday, Volume 25, Number 10 - 5 October 2020",
     {"container": "First Monday", "volume": "25", "issue": "10", "published": "2020-10-05"}),
    ("Published in Journal of Sociology and Social Policy, 2022, Vol. 43 No. 1/2, pp. 197-213.",
     {"container": "Journal of Sociology and Social Policy", "published": "2022", "volume": "43",
      "issue": "1/2", "pages": "197-213"}),
])
def test_citation_lines(line: str, expected: dict) -> None:
    assert parse_citation(line) == expected


@pytest.mark.parametrize("line", [
    "Volume 23, Number 5/6",  # no container: a masthead line, not a citation
    "In 2010, 45 people came: 12 stayed",
    "The study ran for 12 weeks in 2019, at 3 sites",
    "Received 17 October 2019; revised 12 February 2020; accepted 28 August 2020.",
])
def test_lines_that_are_not_citations(line: str) -> None:
    assert parse_citation(line) == {}


def test_bylines() -> None:
    assert [a.name for a in parse_byline("By CHARLOTTE FAIRLIE")] == ["Charlotte Fairlie"]
    assert [a.name for a in parse_byline("by Calvin Liang, Jevan Alexander Hutson, and Os Keyes.",
                                         explicit=True)] == [
        "Calvin Liang", "Jevan Alexander Hutson", "Os Keyes"]
    assert [a.name for a in parse_byline("Dirk van As and X.-Y. Li")] == ["Dirk van As",
                                                                         "X.-Y. Li"]
    for line in ("Open Access", "Research Article", "November 2025", "Michael P. Taylor"):
        assert parse_byline(line, explicit=True) == [], line  # no "By": not when explicit
    for line in ("Open Access", "Research Article", "November 2025", "Table of contents",
                 "Recovering the Feminine in a Neolithic Tomb"):
        assert parse_byline(line) == [], line


# Mimics a legacy journal page (Acta Palaeontologica Polonica): no meta tags, the byline under
# the title heading and the citation line beside it.
LEGACY = f"""<html><head><title>Rivers and towns - The Journal</title></head><body>
<div class="menu"><a href="/">Home</a> <a href="/issues">Issues</a></div>
<h2>Rivers and towns</h2>
<p class="caption">Ann Lee and Bo Chen</p>
<div class="vol"><em>Journal of Things</em> 12 (3), 2019: 45-67 doi:10.1234/jot.2019.45</div>
<p>{PROSE} {PROSE}</p>
<p>Smith, J. and Doe, K. 2001. Other work. Journal of Stuff 3: 1-9.</p>
</body></html>"""


def test_byline_and_citation_line_in_the_header() -> None:
    r = record(LEGACY)
    assert r.title == "Rivers and towns"
    assert [a.name for a in r.authors] == ["Ann Lee", "Bo Chen"]
    assert (r.container, r.volume, r.issue, r.pages, r.published, r.doi) == (
        "Journal of Things", "12", "3", "45-67", "2019", "10.1234/jot.2019.45")
    assert r.provenance.fields["authors"] == "text:header"
    assert r.abstract is None  # body prose is no abstract


def test_header_is_not_read_when_metadata_names_authors() -> None:
    page = LEGACY.replace("<head>", '<head><meta name="citation_title" content="Rivers and towns">'
                                    '<meta name="citation_author" content="Lee, Ann">')
    r = record(page)
    assert [a.name for a in r.authors] == ["Ann Lee"]
    assert r.container is None  # a citation line on a page with metadata is not trusted


# Mimics an HTML galley (First Monday): title from <title>, an image saying "Abstract", and a
# closing block citing the work: title, "by ...", journal line, URL, DOI.
GALLEY = f"""<html><head><title>Care, together</title></head><body>
<p><img src="a.gif" alt="Abstract"><br>{PROSE}</p>
<p><strong>Introduction</strong></p><p>{PROSE} {PROSE}</p>
<p>Ann Lee, 2001. "Other work," <em>Journal of Stuff</em>, volume 3, pp. 1-9.<br>
doi: <a href="https://doi.org/10.9999/other">https://doi.org/10.9999/other</a></p>
<p>Care, together<br>by Ann Lee and Bo Chen.<br><em>First Monday</em>, Volume 25, Number 10 -
5 October 2020<br>https://firstmonday.org/ojs/index.php/fm/article/download/1/2<br>
doi: <a href="http://dx.doi.org/10.5210/fm.v25i10.1">http://dx.doi.org/10.5210/fm.v25i10.1</a></p>
</body></html>"""


def test_citation_block_and_abstract_image_on_a_galley() -> None:
    r = record(GALLEY, "https://firstmonday.org/ojs/index.php/fm/article/download/1/2")
    assert [a.name for a in r.authors] == ["Ann Lee", "Bo Chen"]
    assert (r.container, r.volume, r.issue, r.published) == ("First Monday", "25", "10",
                                                              "2020-10-05")
    assert r.doi == "10.5210/fm.v25i10.1"  # the block's, not a reference's
    assert r.abstract == PROSE and r.provenance.fields["abstract"] == "text:html"


# Mimics a blog post (Ghost): JSON-LD whose description is the opening paragraph cut mid-word.
BLOG = f"""<html><head><title>Eating our own dog food</title>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type":
"ScholarlyArticle", "headline": "Eating our own dog food", "description": "{PROSE[:90]}",
"author": {{"@type": "Person", "name": "Ann Lee"}}}}</script>
<meta property="og:site_name" content="Front Matter"></head><body><article>
<h1>Eating our own dog food</h1><p>{PROSE}</p><p>{PROSE}</p></article></body></html>"""


def test_description_cut_from_the_body_is_no_abstract() -> None:
    assert not PROSE[:90].endswith((".", " "))  # cut mid-word
    r = record(BLOG)
    assert r.abstract is None
    assert r.container == "Front Matter"  # the site's name: nothing else names a container
    whole = BLOG.replace(PROSE[:90], PROSE)  # a whole description stays the abstract
    assert record(whole).abstract == PROSE


def test_site_name_gives_way_to_a_journal_and_is_a_projects_organisation() -> None:
    page = BLOG.replace('<meta property="og:site_name"',
                        '<meta name="citation_journal_title" content="Journal of Things">'
                        '<meta property="og:site_name"')
    assert record(page).container == "Journal of Things"
    project = BLOG.replace('"ScholarlyArticle"', '"ResearchProject"')
    r = record(project)
    assert r.type == "project" and r.container is None and r.organisation == "Front Matter"


# Mimics a working-paper page (NBER): the meta description is the institution's boilerplate;
# the summary sits in the page header's intro box; related-paper cards have "intro" boxes too.
WORKING_PAPER = f"""<html><head><title>Yield curve control</title>
<meta name="citation_title" content="Yield curve control">
<meta name="description" content="Founded in 1920, the institute is a private, non-profit
organization dedicated to conducting economic research."></head><body>
<div class="page-header__intro"><p>{PROSE}</p></div>
<div class="card"><div class="intro">Another paper about bonds and how they are priced in
markets with many kinds of investors and rules.</div></div></body></html>"""


def test_intro_box_when_the_description_is_boilerplate() -> None:
    assert record(WORKING_PAPER).abstract == PROSE


def test_empty_abstract_box_closed_by_the_parser() -> None:
    # Mimics Acta Palaeontologica Polonica: <p id="abstract"><p>text</p></p> parses as an
    # empty p#abstract followed by the text's own <p>.
    page = ('<html><head><title>Pneumatic ribs</title></head><body><h2>Pneumatic ribs</h2>'
            f'<p id="abstract"><p>{PROSE}</p></p>'
            '<p id="keywords"><strong>Key words:</strong> a, b.</p></body></html>')
    assert record(page).abstract == PROSE


def test_keyword_tail_and_leading_words() -> None:
    text, keywords = split_keywords_tail("It works in communal areas.Keywords: Ecology, fences")
    assert (text, keywords) == ("It works in communal areas.", ["Ecology", "fences"])
    assert split_keywords_tail("Keywords matter.") == ("Keywords matter.", [])
    assert abstract_from_text("Summary of association tests for a study.")[0] == (
        "Summary of association tests for a study.")
    assert abstract_from_text("Summary: Tests for a study.")[0] == "Tests for a study."
    assert abstract_from_text("Abstract Purpose The aim. Methods We did.")[0] == (
        "Purpose: The aim.\n\nMethods: We did.")


def test_closing_summary_section_keeps_its_label() -> None:
    # Mimics a Springer review's abstract: labelled parts ending with "Summary".
    text, sections = abstract_from_markup(
        "<h3>Purpose of Review</h3><p>Why.</p><h3>Recent Findings</h3><p>What.</p>"
        "<h3>Summary</h3><p>So what.</p>")
    assert [s.label for s in sections] == ["Purpose of Review", "Recent Findings", "Summary"]
    assert text.endswith("Summary: So what.")
    _, sections = abstract_from_markup("<h3>Abstract</h3><p>Plain text.</p>")
    assert sections == []


def test_legacy_pages_read_whole(fixtures_dir: Path) -> None:
    body = (fixtures_dir / "publisher_html/genders_journal_g58_fairlie.html").read_bytes()
    r = extract("http://www.genders.org/g58/g58_fairlie.html", HTML, body).record
    assert r.title == "Reading Maeshowe: Recovering the Feminine in a Neolithic Tomb"
    assert [a.name for a in r.authors] == ["Charlotte Fairlie"]  # "By CHARLOTTE FAIRLIE"
    assert (r.container, r.issue, r.published) == ("Genders", "58", "2013")
    assert r.abstract is None  # the meta description is another article's; no abstract
    body = (fixtures_dir / "repository_html/lingbuzz_006747.html").read_bytes()
    r = extract("https://ling.auf.net/lingbuzz/006747", HTML, body).record
    assert [a.name for a in r.authors] == ["Hubert Haider"]
    assert r.abstract.startswith("• The theory of grammar-changes") and "[CHANGE" not in r.abstract
    assert r.abstract.endswith("than SOV or Type 3.")
    assert (r.container, r.volume, r.pages, r.published) == (
        "Acta Linguistica Academica", "70", "195-218", "2023-06-06")
    body = (fixtures_dir / "repository_html/arxiv_abs_1706.03762.html").read_bytes()
    r = extract("https://arxiv.org/abs/1706.03762", HTML, body).record
    assert (r.doi, r.type) == ("10.48550/arxiv.1706.03762", "preprint")
