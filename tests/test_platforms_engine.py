"""The table-driven engine and the structured-abstract splitter behind the platform adapters,
on small inline snippets (each says which real markup it stands for)."""

from __future__ import annotations

import time

import lxml.html

from extractors.html import parse_html
from extractors.platforms import engine
from extractors.platforms.cn_aggregator import extract as cn_extract
from extractors.platforms.pure import named_roles
from extractors.platforms.rdiscovery import citation_line
from extractors.platforms.sections import RUN_IN_LABEL, sections_from, split_labelled
from extractors.record import Person, Section


def tree(html: str):
    return parse_html(f"<html><body>{html}</body></html>")


def test_css_xpath_and_axis_selectors_first_match_wins():
    t = tree('<div class="a"><p id="x">one</p><p>two</p></div>')
    assert engine.texts(t, ["div.missing p", "div.a p"]) == ["one", "two"]
    assert engine.texts(t, ["//div[@class='a']/p[2]"]) == ["two"]
    assert engine.texts(t, ["p::attr(id)"]) == ["x"]
    [first] = engine.select(t, ["p#x"])
    assert engine.texts(first, ["following-sibling::p[1]"]) == ["two"]
    assert engine.first_text(t, ["span", "h1"]) is None


def test_numbered_affiliations_per_author_in_order():
    # the Springer / MDPI pattern: superscript links into a separate numbered list
    t = tree("""
      <ul class="authors">
        <li><a class="n">Ann Berg</a><sup><a href="#Aff2">2</a>,<a href="#Aff1">1</a></sup></li>
        <li><a class="n">Bo Lind</a><sup><a href="#Aff1">1</a></sup></li></ul>
      <ol class="affs">
        <li id="Aff1">University of Lund, Sweden</li><li id="Aff2">Region Skåne, Sweden</li></ol>""")
    table = {"authors": {"item": ["ul.authors > li"], "name": ["a.n"],
                         "affiliation_keys": ["sup a::attr(href)"]},
             "affiliation_index": {"item": ["ol.affs > li"], "key": ["@id"]}}
    authors = engine.extract(t, "https://x.example/", table)["authors"]
    assert [(a.name, a.affiliations) for a in authors] == [
        ("Ann Berg", ["Region Skåne, Sweden", "University of Lund, Sweden"]),
        ("Bo Lind", ["University of Lund, Sweden"]),
    ]


def test_one_unnumbered_affiliation_is_shared_but_several_are_not():
    spec = {"item": ["li"], "name": ["."]}
    one = tree("<ul><li>Ann Berg</li><li>Bo Lind</li></ul><p class='aff'>University of Lund</p>")
    index = engine.affiliation_index(one, {"item": ["p.aff"]})
    assert [a.affiliations for a in engine.authors(one, spec, index)] == [["University of Lund"]] * 2
    two = tree("<ul><li>Ann Berg</li><li>Bo Lind</li></ul><p class='aff'>Lund</p><p class='aff'>Malmö</p>")
    index = engine.affiliation_index(two, {"item": ["p.aff"]})
    assert [a.affiliations for a in engine.authors(two, spec, index)] == [[], []]


def test_degrees_and_markers_are_not_part_of_names():
    t = tree("<ul><li><a>Michael L. Anderson, PhD</a></li><li><a>Jane Roe, MD, MPH</a><sup>*</sup></li></ul>")
    authors = engine.authors(t, {"item": ["li"], "name": ["a"], "drop": ["sup"]}, {})
    assert [(a.given, a.family) for a in authors] == [("Michael L.", "Anderson"), ("Jane", "Roe")]


def test_dropped_parts_stay_out_across_many_items():
    # counters and link rows in every reference (the Atypon pattern), many items: the dropped
    # elements must be recognised for each one, however lxml recycles its element proxies
    items = "".join(f'<li><span class="label">{i}. </span>Ref {i} text.<span class="links">'
                    f'Crossref Google Scholar</span></li>' for i in range(1, 301))
    refs = engine.references(tree(f"<ol>{items}</ol>"), {"item": ["ol > li"], "drop": [".label", ".links"]},
                             "https://x.example/")
    assert len(refs) == 300
    assert [r.text for r in refs[:2]] == ["Ref 1 text.", "Ref 2 text."]
    assert not any("Crossref" in r.text or r.text[0].isdigit() for r in refs)


def test_reference_dois_from_links_and_text_not_from_tracking_queries():
    t = tree("""<ol>
      <li>A. One (2020). Title. <a href="https://doi.org/10.1172%2FJCI113798">Article</a></li>
      <li>B. Two (2019). doi:10.1016/j.vaccine.2013.09.013</li>
      <li><a class="t" href="/doi/full/10.1080/00268970412331317788?src=recsys">Related one</a></li>
      <li>No identifier at all.</li></ol>""")
    refs = engine.references(t, {"item": ["ol > li"], "doi": ["a[href*='doi.org/']::attr(href)"],
                                 "url": ["a.t::attr(href)"]}, "https://www.tandfonline.com/doi/x")
    assert [r.doi for r in refs] == ["10.1172/jci113798", "10.1016/j.vaccine.2013.09.013",
                                     "10.1080/00268970412331317788", None]
    assert refs[2].url == "https://www.tandfonline.com/doi/full/10.1080/00268970412331317788?src=recsys"


def test_labelled_rows_accumulate_repeated_labels():
    # DSpace's full item record: one row per value
    t = tree("""<table><tr><td class="l">dc.subject</td><td class="v">co-production</td></tr>
      <tr><td class="l">dc.subject</td><td class="v">welfare</td></tr>
      <tr><td class="l">dc.date.issued</td><td class="v">2020-11</td></tr>
      <tr><td class="l">dc.type</td><td class="v">Working Paper</td></tr>
      <tr><td class="l">dc.unknown</td><td class="v">ignored</td></tr></table>""")
    found = engine.labelled(t, {"row": ["tr"], "label": ["td.l"], "value": ["td.v"],
                                "fields": {"dc.subject": "keywords", "dc.date.issued": "published",
                                           "dc.type": "type"}})
    assert found == {"keywords": ["co-production", "welfare"], "published": "2020-11", "type": "report"}


def test_counts_and_sentences():
    assert engine.count_in("被引:0") == 0
    assert engine.count_in("1,024 Citations") == 1024
    assert engine.count_in("no number") is None
    assert engine.sentences(["Title?", "A. One, B. Two", "Journal, 2015"]) == \
        "Title? A. One, B. Two. Journal, 2015"


def test_sections_from_three_label_layouts():
    layouts = {
        # headings then paragraphs (Springer, Cambridge)
        "siblings": "<div id='r'><h3>Background:</h3><p>One.</p>"
                    "<h3>Methods</h3><p>Two.</p><p>More.</p></div>",
        # headings inside wrapper sections (Wiley, Emerald)
        "wrapped": "<div id='r'><section><h3>Background</h3><p>One.</p></section>"
                   "<section><h3>Methods</h3><p>Two.</p><p>More.</p></section></div>",
        # bold run-ins opening paragraphs (OJS, T&F)
        "run-in": "<div id='r'><p><strong>Background:</strong> One.</p>"
                  "<p><strong>Methods</strong> Two.</p><p>More.</p></div>",
    }
    for name, html in layouts.items():
        root = tree(html).xpath("//div[@id='r']")[0]
        headings = root.xpath(".//h3") or root.xpath(RUN_IN_LABEL)
        sections, preamble = sections_from(root, headings)
        assert sections == [Section("Background", "One."), Section("Methods", "Two. More.")], name
        assert preamble == ""


def test_run_in_label_needs_nothing_before_it():
    root = tree("<div><p>Plain text with a <b>bold</b> word.</p></div>").xpath("//div")[0]
    assert root.xpath(RUN_IN_LABEL) == []


def test_split_labelled_on_seed_000(seeds_dir):
    text = (seeds_dir / "000_84e4bce6fdcfc31d.txt").read_text(encoding="utf-8").split("Talk to us")[0]
    body, citation = citation_line(text)
    assert citation == {"container": "Journal of Sociology and Social Policy", "published": "2022",
                        "volume": "43", "issue": "1/2", "pages": "197-213",
                        "doi": "10.1108/ijssp-01-2022-0027"}
    sections = split_labelled(body)
    assert [s.label for s in sections] == ["Purpose", "Methods", "Results", "Conclusions",
                                           "Support/Funding Source"]
    assert sections[0].text.startswith("The purpose of the present study")
    assert sections[2].text.endswith("the sports club volunteers.")


def test_split_labelled_leaves_running_text_alone():
    assert split_labelled("Results were mixed. Methods differed between sites.") == []
    assert split_labelled("We studied co-production. Results The study found little.") == []  # not at start
    assert split_labelled("Purpose Only one label here.") == []


def test_pure_roles_come_from_a_vocabulary():
    people = named_roles("Ditte Andersen (PI) and Sine Kirkegaard (post doc) study the COVID-19 "
                         "Pandemic (COVID-19) with Region Zealand (Denmark).",
                         [Person(name="Ditte Andersen", email="den@vive.dk")])
    assert people == [Person(name="Ditte Andersen", role="PI", email="den@vive.dk"),
                      Person(name="Sine Kirkegaard", role="post doc")]


def test_chinese_aggregator_without_json_or_labels_gives_nothing():
    assert cn_extract(tree("<h1>Just a heading</h1><p>Some text</p>"), "https://x.example/") == \
        {"title": "Just a heading"}


def test_adapters_leave_the_tree_untouched():
    from extractors.platforms import springer
    t = tree("<ul data-test='authors-list'><li><a data-test='author-name'>Ann Berg</a>"
             "<sup><a href='#Aff1'>1</a></sup></li></ul><ol class='c-article-author-affiliation__list'>"
             "<li id='Aff1'><p class='c-article-author-affiliation__address'>Lund</p></li></ol>")
    before = lxml.html.tostring(t)
    assert springer.extract(t, "https://link.springer.com/article/x")["authors"][0].affiliations == ["Lund"]
    assert lxml.html.tostring(t) == before


def test_hostile_page_is_bounded():
    # 50,000 list items and deep nesting: items are capped and the page still takes well under 2 s
    items = "<li>x</li>" * 50_000
    deep = "<div>" * 5000 + "deep" + "</div>" * 5000
    t = tree(f"<ol class='refs'>{items}</ol>{deep}")
    start = time.perf_counter()
    refs = engine.references(t, {"item": ["ol.refs > li"]}, "https://x.example/")
    assert len(refs) == engine.MAX_ITEMS
    engine.extract(t, "https://x.example/", {"abstract_sections": {"root": ["div"], "heading": ["h3"]}})
    assert time.perf_counter() - start < 2


def test_reference_items_without_their_text_part_keep_the_title_or_go():
    t = tree("<ol><li><a class='t' href='/p/1'>Only a title</a></li><li><span>nothing</span></li></ol>")
    refs = engine.references(t, {"item": ["ol > li"], "text": ["p.cite"], "title": ["a.t"],
                                 "url": ["a.t::attr(href)"]}, "https://x.example/")
    assert [(r.text, r.title, r.url) for r in refs] == [(None, "Only a title", "https://x.example/p/1")]


# --- adapter matching: host table, shared page signature ------------------------------------


def test_marker_needles_and_meta_markers_from_the_signature():
    from extractors.platforms._matching import has_marker, needles, signature

    assert needles("ul#author-list a.author-name").classes == {"author-name"}
    assert needles("ul#author-list a.author-name").ids == {"author-list"}
    assert needles("a[href$='/x.xhtml']").classes == frozenset()  # no class inside brackets
    assert needles("meta[name=generator][content*='Open Journal Systems']").meta == (
        ("name", "=", "generator"), ("content", "*=", "Open Journal Systems"))
    tree = lxml.html.document_fromstring(
        '<html><head><meta name="generator" content="Open Journal Systems 3.3">'
        '</head><body><div class="a b" id="main"><span class="c">x</span></div></body></html>')
    ran: list[str] = []

    def select(t, s):
        ran.append(s)
        return t.cssselect(s)

    assert has_marker(tree, ["meta[name=generator][content^='Open Journal']"], select)
    assert not has_marker(tree, ["meta[name=generator][content^='DSpace']"], select)
    assert ran == []  # meta markers never walk the tree
    assert not has_marker(tree, ["div.missing span", "#nowhere"], select) and ran == []
    assert has_marker(tree, ["div.a span.c"], select) and ran == ["div.a span.c"]
    assert signature(tree) is signature(tree)  # one signature per page, shared


def test_host_table_first_then_markers():
    from extractors.platforms import find_adapter

    empty = lxml.html.document_fromstring("<html><body><p>nothing here</p></body></html>")
    assert find_adapter("https://www.tandfonline.com/doi/full/10.1/x", empty).NAME == "atypon"
    assert find_adapter("https://link.springer.com/article/10.1/x", empty).NAME == "springer"
    assert find_adapter("https://example.org/x", empty) is None
    ojs = lxml.html.document_fromstring(
        '<html><head><meta name="generator" content="Open Journal Systems 3.3.0.8"></head>'
        "<body></body></html>")
    assert find_adapter("https://journals.example.org/x", ojs).NAME == "ojs"
