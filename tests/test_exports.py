"""Feed exports read back by the tools researchers use: bibtexparser, rispy, citeproc-py, csv.

The records are hand-made in the shapes real pages give: an Emerald article with a
Swedish author and a structured abstract, a Chinese aggregator chapter, an organisation's
report, a Danish institute's project page, and a title copied from a hostile page that
looks like a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import json
import re

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON

from archive.exports import EXTENSIONS, FORMATS, write_records
from archive.exports.bibtex import escape
from extractors.record import Author, Provenance, Record

TRICKY_TITLE = "Co-production & {user} voice in Ärleskog's 合作生产 study: 50% of $ #1 a_b ~ cases"


def article() -> Record:
    return Record(
        type="article",
        title=TRICKY_TITLE,
        source_url="https://www.emerald.com/insight/content/doi/10.1108/IJSSP-01-2022-0027/full/html",
        authors=[
            Author(name="Cecilia Ärleskog", given="Cecilia", family="Ärleskog"),
            Author(name="Lei Wang", given="Lei", family="Wang"),
            Author(name="Health and Social Care Board"),
        ],
        abstract="Purpose\nTo study co-production & its limits.",
        doi="10.1108/ijssp-01-2022-0027",
        container="International Journal of Sociology and Social Policy",
        publisher="Emerald",
        volume="42",
        issue="13/14",
        pages="1–20",
        published="2022-03-15",
        keywords=["co-production", "public services", "合作生产"],
        provenance=Provenance(warc_file="coprod-1.warc.gz", warc_record_id="<urn:uuid:1>"),
    )


def chapter() -> Record:
    return Record(
        type="book-chapter",  # the Crossref spelling, as an API layer may pass it through
        title="合作生产：公共服务的新范式",
        source_url="https://www.cnki.net/kcms/detail/example.html",
        authors=[Author(name="王磊", family="王", given="磊")],
        container="公共管理评论",
        published="2021",
        pages="33-58",
    )


def report() -> Record:
    return Record(
        type="report",
        title="=HYPERLINK(\"http://evil.example\",\"Click\")",
        source_url="https://example.org/report.pdf",
        authors=[Author(name="@Care Council")],
        organisation="Care Council",
        published="2019-07",
        keywords=["-1+1", "+services"],
    )


def project() -> Record:
    return Record(
        type="project",
        title="Samskabelse i velfærden",
        source_url="https://www.vive.dk/da/forskning/projekt/samskabelse/",
        organisation="VIVE",
    )


def same_key_as_article() -> Record:
    return Record(
        type="article",
        title="Co-production revisited",
        source_url="https://example.org/b",
        authors=[Author(name="Ärleskog, C.")],
        published="2022",
    )


RECORDS = [article(), chapter(), report(), project(), same_key_as_article()]


def export(fmt: str, records: list[Record] = RECORDS) -> str:
    stream = io.StringIO()
    write_records(records, fmt, stream)
    return stream.getvalue()


def test_formats_and_unknown_format():
    assert set(FORMATS) == {"jsonl", "csv", "bibtex", "ris", "csl-json"} == set(EXTENSIONS)
    with pytest.raises(ValueError, match="unknown export format 'endnote'"):
        write_records(RECORDS, "endnote", io.StringIO())


def test_jsonl_round_trips_records():
    lines = export("jsonl").splitlines()
    assert len(lines) == len(RECORDS)
    for line, record in zip(lines, RECORDS, strict=True):
        assert Record.from_dict(json.loads(line)) == record
    assert "合作生产" in lines[1]  # UTF-8, not \\u escapes


def test_csv_flat_columns_and_formula_guard():
    rows = list(csv.DictReader(io.StringIO(export("csv"), newline="")))
    assert len(rows) == len(RECORDS)
    first = rows[0]
    assert first["title"] == TRICKY_TITLE
    assert first["authors"] == "Cecilia Ärleskog; Lei Wang; Health and Social Care Board"
    assert first["keywords"] == "co-production; public services; 合作生产"
    assert first["doi"] == "10.1108/ijssp-01-2022-0027"
    assert (first["year"], first["pages"]) == ("2022", "1–20")
    assert first["abstract"] == "Purpose\nTo study co-production & its limits."
    assert first["warc_record_id"] == "<urn:uuid:1>"
    hostile = rows[2]
    assert hostile["title"] == "'=HYPERLINK(\"http://evil.example\",\"Click\")"
    assert hostile["authors"] == "'@Care Council"
    assert hostile["keywords"] == "'-1+1; +services"  # the cell starts with '-', not the 2nd item
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def parse_bibtex(text: str):
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks
    return library


def test_bibtex_reads_back_with_titles_authors_and_types():
    text = export("bibtex")
    library = parse_bibtex(text)
    entries = library.entries
    types = ["article", "incollection", "techreport", "misc", "article"]
    assert [e.entry_type for e in entries] == types
    keys = [e.key for e in entries]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[a-z0-9]+", k) for k in keys), keys
    assert keys[0] == "arleskog2022coproduction"
    assert keys[4] == "arleskog2022coproductiona"  # same author, year and first word
    assert keys[1] == "anon2021"  # no ASCII letters in 王 or the title: placeholder + year
    assert keys[2] == "council2019hyperlink"

    first = entries[0].fields_dict
    assert first["title"].value == TRICKY_TITLE
    authors = "Ärleskog, Cecilia and Wang, Lei and Health and Social Care Board"
    assert first["author"].value == authors
    assert first["journal"].value == "International Journal of Sociology and Social Policy"
    assert first["doi"].value == "10.1108/ijssp-01-2022-0027"
    assert first["url"].value.endswith("/10.1108/IJSSP-01-2022-0027/full/html")
    assert first["pages"].value == "1–20"  # "1--20" in the file; LaTeX decoding gives the en dash
    assert first["keywords"].value == "co-production, public services, 合作生产"
    assert first["abstract"].value == "Purpose To study co-production & its limits."
    assert entries[1].fields_dict["title"].value == "合作生产：公共服务的新范式"
    assert entries[1].fields_dict["booktitle"].value == "公共管理评论"
    assert entries[2].fields_dict["institution"].value == "Care Council"
    # The raw file: LaTeX syntax escaped (a bare % would comment out the rest of the line),
    # and the organisation braced so BibTeX does not split it at "and".
    assert r"Co-production \& \{user\} voice" in text and r"50\% of \$ \#1 a\_b" in text
    assert "and {Health and Social Care Board}}" in text


def test_bibtex_keeps_braces_balanced():
    unbalanced = Record(title="A {broken} title} with { stray braces", source_url="https://x.example")
    text = export("bibtex", [unbalanced])
    assert text.count("{") == text.count("}")
    title = parse_bibtex(text).entries[0].fields_dict["title"].value
    assert "broken" in title and "stray braces" in title
    assert escape("a {b} c") == r"a \{b\} c"
    assert escape("x}") == r"x\textbraceright{}"


def test_control_characters_and_numbers_from_sloppy_extractors():
    sloppy = Record(title="Co-pro\x00duction\x1b in\n care", source_url="https://x.example",
                    volume=7, published="2020")  # type: ignore[arg-type]
    entry = rispy.loads(export("ris", [sloppy]))[0]
    assert (entry["title"], entry["volume"]) == ("Co-production in care", "7")
    fields = parse_bibtex(export("bibtex", [sloppy])).entries[0].fields_dict
    assert (fields["title"].value, fields["volume"].value) == ("Co-production in care", "7")


def test_ris_reads_back_with_rispy():
    entries = rispy.loads(export("ris"))
    assert [e["type_of_reference"] for e in entries] == ["JOUR", "CHAP", "RPRT", "GEN", "JOUR"]
    first = entries[0]
    assert first["title"] == TRICKY_TITLE
    assert first["authors"] == ["Ärleskog, Cecilia", "Wang, Lei", "Health and Social Care Board"]
    assert first["secondary_title"] == "International Journal of Sociology and Social Policy"
    assert (first["year"], first["date"]) == ("2022", "2022/03/15/")
    assert (first["start_page"], first["end_page"]) == ("1", "20")
    assert (first["volume"], first["number"]) == ("42", "13/14")
    assert first["doi"] == "10.1108/ijssp-01-2022-0027"
    assert first["keywords"] == ["co-production", "public services", "合作生产"]
    assert first["abstract"] == "Purpose To study co-production & its limits."
    assert entries[1]["title"] == "合作生产：公共服务的新范式"
    assert entries[2]["date"] == "2019/07//"
    assert entries[2]["publisher"] == "Care Council"
    assert entries[3]["urls"] == ["https://www.vive.dk/da/forskning/projekt/samskabelse/"]


def test_csl_json_renders_with_citeproc():
    items = json.loads(export("csl-json"))
    types = ["article-journal", "chapter", "report", "webpage", "article-journal"]
    assert [i["type"] for i in items] == types
    first = items[0]
    assert first["author"][0] == {"family": "Ärleskog", "given": "Cecilia"}
    assert first["author"][1] == {"family": "Wang", "given": "Lei"}
    assert first["author"][2] == {"literal": "Health and Social Care Board"}
    assert first["issued"] == {"date-parts": [[2022, 3, 15]]}
    assert (first["page"], first["DOI"], first["volume"], first["issue"]) == (
        "1-20", "10.1108/ijssp-01-2022-0027", "42", "13/14")
    assert items[2]["issued"] == {"date-parts": [[2019, 7]]}

    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, citeproc_formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(items)
    text = "\n".join(rendered)
    assert "Co-production & {user} voice in Ärleskog's 合作生产 study" in text
    assert "合作生产：公共服务的新范式" in text
    assert "Ärleskog, C." in text and "(2022)" in text
    assert "International Journal of Sociology and Social Policy" in text
