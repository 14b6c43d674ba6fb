"""extractors.jats: JATS and HTML abstracts to plain text and labelled sections."""

from __future__ import annotations

import json
import time

import lxml.html

from extractors.jats import (
    abstract_from_element,
    abstract_from_markup,
    abstract_from_text,
    markup_to_text,
    split_labelled_text,
)


def _crossref_abstract(fixtures_dir, name):
    path = fixtures_dir / "aggregator_json" / name
    return json.loads(path.read_text(encoding="utf-8"))["message"]["abstract"]


def test_structured_jats_abstract(fixtures_dir):
    text, sections = abstract_from_markup(
        _crossref_abstract(fixtures_dir, "crossref_work_bmj_jclinpath-2020-206745.json"))
    assert [s.label for s in sections] == ["Background", "Objective", "Methods", "Results",
                                           "Conclusion"]
    assert sections[0].text == ("The absence of high-quality next-generation sequencing (NGS) "
                                "reference material (RM) has impeded the clinical use of liquid "
                                "biopsies with plasma cell-free DNA (cfDNA) in China.")
    assert sections[2].text.startswith("Mutation cell lines detected by NGS")
    assert text.split("\n\n")[0] == "Background: " + sections[0].text
    assert len(text.split("\n\n")) == 5


def test_abstract_heading_is_not_a_section(fixtures_dir):
    text, sections = abstract_from_markup(
        _crossref_abstract(fixtures_dir, "crossref_work_nature_srep16696.json"))
    assert sections == []
    assert text.startswith("Oligomers of alpha-synuclein are toxic to cells")  # no "Abstract"
    text, sections = abstract_from_markup(
        _crossref_abstract(fixtures_dir, "crossref_work_degruyter_cdem-2018-0001.json"))
    assert sections == [] and text.startswith("The Earth has existed for more than four billion")


def test_europepmc_html_headings(fixtures_dir):
    data = json.loads((fixtures_dir / "aggregator_json" / "europepmc_rest_search_core_cancer.json")
                      .read_text(encoding="utf-8"))
    [hit] = [r for r in data["resultList"]["result"] if r["pmid"] == "40468710"]
    text, sections = abstract_from_markup(hit["abstractText"])
    assert [s.label for s in sections][:3] == ["Objective", "Design", "Methods"]
    assert "(at p < .001)" in text  # a bare "<" in the text survives


def test_inline_markup_and_entities():
    assert markup_to_text("The Cationic Copolymerization of Styrene and <i>p</i>-Bromo") == (
        "The Cationic Copolymerization of Styrene and p-Bromo")
    assert markup_to_text("Lorenz B&#252;hmann &amp; R&D&nbsp;Lab") == "Lorenz Bühmann & R&D Lab"
    assert markup_to_text("CO<sub>2</sub> uptake (\n  <i>in vivo</i>\n )") == (
        "CO2 uptake (in vivo)")
    assert markup_to_text("<mml:math><mml:mi>x</mml:mi></mml:math> model") == "x model"
    assert markup_to_text("<p>First.</p><p>Second.</p>") == "First. Second."
    assert markup_to_text(None) == ""


def test_plain_text_with_inline_labels(seeds_dir):
    """Seed 000 (an aggregator abstract page) runs its Emerald-style labels into the text."""
    [seed] = seeds_dir.glob("000_*.txt")
    body = seed.read_text(encoding="utf-8").split("\n\n", 1)[1]
    text, sections = abstract_from_text(body.split("\n")[0])
    assert [s.label for s in sections][:4] == ["Purpose", "Methods", "Results", "Conclusions"]
    assert sections[0].text.startswith("The purpose of the present study was to explore")
    assert sections[1].text.startswith("The study used a critical case study approach")
    assert text.startswith("Purpose: The purpose")


def test_labels_on_their_own_lines(seeds_dir):
    """Seed 002 (Cambridge Core) puts "Background:" and friends on lines of their own."""
    [seed] = seeds_dir.glob("002_*.txt")
    page = seed.read_text(encoding="utf-8")
    abstract = page.split("\nAbstract\n", 1)[1].split("\nInformation\n", 1)[0]
    sections = split_labelled_text(abstract)
    assert [s.label for s in sections] == ["Background", "Method", "Aim", "Findings"]
    assert sections[0].text.startswith("In Norway, due to demographic challenges")


def test_prose_is_not_split():
    text = ("Findings show that staff value peers. Results were mixed across sites. "
            "Implications for practice are discussed.")
    assert split_labelled_text(text) == []
    assert abstract_from_text(text) == (text, [])


def test_html_element_with_bold_labels():
    """Mimics an Emerald/SAGE article page: <p><b>Purpose</b> ...</p> paragraphs."""
    div = lxml.html.fragment_fromstring(
        "<div class='abstract'><h2>Abstract</h2>"
        "<p><b>Purpose</b> This paper explores co-production.</p>"
        "<p><strong>Design/methodology/approach:</strong> Interviews with 26 staff.</p>"
        "<p><b>Findings</b> Peers <i>matter</i>.</p></div>")
    text, sections = abstract_from_element(div)
    assert [(s.label, s.text) for s in sections] == [
        ("Purpose", "This paper explores co-production."),
        ("Design/methodology/approach", "Interviews with 26 staff."),
        ("Findings", "Peers matter.")]
    assert text.startswith("Purpose: This paper")


def test_hostile_markup_is_bounded():
    start = time.monotonic()
    deep = "<i>" * 50_000 + "x" + "</i>" * 50_000
    assert markup_to_text(deep) in ("x", "")
    nested = lxml.html.fromstring("<div>" * 2000 + "deep" + "</div>" * 2000)
    assert abstract_from_element(nested)[0] in ("deep", "")
    huge = "<p>" + "word " * 400_000 + "</p>"
    text, _ = abstract_from_markup(huge)
    assert len(text) <= 500_000
    assert time.monotonic() - start < 10
