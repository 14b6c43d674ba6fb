"""`coprod report`: one HTML file that opens offline (plots inlined as SVG, nothing fetched from
anywhere) and holds the counts: records per year, source and language, and the PRISMA-style
flow. The corpus is test_export_cmd's (five hand-made records of the kinds the crawl meets)
plus one work the crawl merged from Crossref, OpenAlex and its landing page, and one
completed harvest of an OAI-PMH source.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from archive.report import record_sources, source_of_field
from crawler.cli import main
from extractors.record import Provenance, Record
from extractors.relevance import RELEVANCE_THRESHOLD, score_relevance
from tests.test_export_cmd import build_corpus

OAI_SOURCE = "oai:https://repo.example.org/oai#hdl_1"
MERGED_TITLE = "Co-design and co-production with volunteers in public health services"


def _merged_work() -> tuple[Record, dict]:
    record = Record(
        title=MERGED_TITLE, doi="10.5555/exp.merged", published="2023-02", language="en",
        abstract="Volunteers, service users and staff co-produce public health services.",
        keywords=["co-production", "volunteers"], source_url="https://doi.org/10.5555/exp.merged",
        provenance=Provenance(fields={"title": "api:crossref", "abstract": "embedded:highwire"}),
    )
    record.relevance = score_relevance(record)
    data = record.to_dict()
    data["evidence"] = [  # as crawler.crawlpipelines keeps each source's own record
        {"title": MERGED_TITLE, "provenance": {"fields": {"title": "api:crossref"}}},
        {"title": MERGED_TITLE, "provenance": {"fields": {"title": "api:openalex"}}},
        {"title": MERGED_TITLE, "provenance": {"fields": {"abstract": "embedded:highwire"}}},
    ]
    return record, data


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, str]:
    from crawler.archiving import WarcArchive
    from crawler.incremental import record_harvest

    data = tmp_path_factory.mktemp("report") / "data"
    build_corpus(data)
    record, payload = _merged_work()
    assert record.relevance["score"] >= RELEVANCE_THRESHOLD
    archive = WarcArchive(data, {"software": "test"}, prefix="t", max_size=10**9)
    written = archive.write_metadata(record.source_url, payload, None)
    archive.catalog.add_record(record, warc_file=written.warc_file, offset=written.offset,
                               record_id=written.record_id, refers_to=None, warc_date=written.date,
                               data=payload)
    record_harvest(archive, OAI_SOURCE, "2024-05-01T02:00:00.000000Z")
    archive.close()
    code = main(["report", "--data-dir", str(data), "--threshold", str(RELEVANCE_THRESHOLD)])
    assert code == 0
    return data, (data / "report.html").read_text(encoding="utf-8")


def _counts(page: str) -> dict[str, int]:
    tree = lxml_html.fromstring(page)
    return {element.get("data-key"): int(element.text_content())
            for element in tree.xpath("//*[@data-key]")}


def test_report_holds_the_counts(report) -> None:
    _, page = report
    counts = _counts(page)
    assert {k: v for k, v in counts.items() if k.startswith("year:")} == {
        f"year:{y}": 1 for y in ("2018", "2019", "2020", "2021", "2022", "2023")}
    assert {k: v for k, v in counts.items() if k.startswith("language:")} == {
        "language:en": 4, "language:da": 1, "language:zh": 1}
    # Crossref: the article, the off-topic one, the merged work; OpenAlex: the Chinese record
    # and the merged work; web pages: the Pure project and the DOI fetch read off its page
    assert {k: v for k, v in counts.items() if k.startswith("source:")} == {
        "source:crossref": 3, "source:openalex": 2, "source:web pages": 2}
    assert {k: v for k, v in counts.items() if k.startswith("flow:")} == {
        "flow:identified": 7, "flow:duplicates": 1, "flow:screened": 6, "flow:excluded": 1,
        "flow:included": 5, "flow:not_scored": 1}
    assert counts["identified:crossref"] == 3 and counts["identified:web pages"] == 2
    assert counts["type:article"] == 5 and counts["type:project"] == 1
    assert OAI_SOURCE in page and "2024-05-01T02:00:00.000000Z" in page  # the harvest table


def test_report_opens_offline(report) -> None:
    _, page = report
    tree = lxml_html.fromstring(page)
    assert len(tree.xpath("//svg")) == 3  # years, sources, languages
    assert tree.xpath("//svg//text") or "<text" in page  # counts drawn as text, not pixels
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert not re.search(r"(https?:)?//", value), (element.tag, name, value)
    assert not tree.xpath("//script|//link|//img|//iframe|//object|//embed")
    styles = " ".join(tree.xpath("//style/text()") + tree.xpath("//@style"))
    assert "url(" not in styles and "@import" not in styles
    # the only URL in the file is the OAI source's name, as text in the harvest table
    assert re.findall(r"https?://[^\s<\"#]*", page) == ["https://repo.example.org/oai"]


def test_report_to_a_file_or_stdout(report, tmp_path: Path, capsys) -> None:
    data, page = report
    target = tmp_path / "r.html"
    assert main(["report", "--data-dir", str(data), "-o", str(target), "--threshold", "0.35"]) == 0
    assert _counts(target.read_text(encoding="utf-8")) == _counts(page)
    capsys.readouterr()
    assert main(["report", "--data-dir", str(data), "-o", "-", "--threshold", "0.35", "-q"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("<!DOCTYPE html>") and out.err == ""
    assert main(["report", "--data-dir", str(tmp_path / "none")]) == 2


def test_sources_of_a_record() -> None:
    assert source_of_field("api:oai_dc") == "oai-pmh" and source_of_field("platform:pure") == "web pages"
    page_and_api = {"provenance": {"fields": {"title": "api:crossref", "abstract": "text:trafilatura"}}}
    assert record_sources(page_and_api) == ["crossref"]  # its landing page is no second source
    assert record_sources({"provenance": {"fields": {"title": "embedded:highwire"}}}) == ["web pages"]
    assert record_sources({"provenance": {"fields": {"doi": "input:doi"}}}) == ["unknown"]
