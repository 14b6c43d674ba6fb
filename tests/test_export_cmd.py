"""`coprod export` from the catalog: every format read back with the tools researchers use
(bibtexparser, rispy, citeproc-py, csv, json), records below the relevance threshold left
out unless --all, never-scored records kept, stdout by default.

The corpus is written the way the crawl writes it (WARC metadata records + catalog rows,
through WarcArchive), from hand-made records of the kinds the crawl meets: a Crossref
article, a Danish Pure project page, a Chinese aggregator record, a clinical article that
is not about co-production, and an unscored one-off DOI fetch.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON

from crawler.cli import main
from extractors.record import Author, Provenance, Record
from extractors.relevance import RELEVANCE_THRESHOLD, score_relevance

RELEVANT_DOIS = ["10.5555/exp.article", "10.5555/exp.zh"]
OFF_TOPIC_DOI = "10.5555/exp.ppi"
UNSCORED_DOI = "10.5555/exp.volunteers"
PROJECT_TITLE = "Samskabelse i ældreplejen: frivillige, pårørende og kommunen"


def _record(title: str, *, doi: str | None, source: str, year: str, language: str,
            abstract: str = "", keywords: tuple[str, ...] = (), scored: bool = True,
            **values) -> Record:
    fields = {name: source for name in ("title", "abstract", "published", "language")}
    record = Record(
        type=values.pop("type", "article"), title=title, doi=doi, abstract=abstract or None,
        keywords=list(keywords), published=year, language=language,
        source_url=values.pop("source_url", f"https://doi.org/{doi}" if doi else ""),
        provenance=Provenance(fields=fields, extractor_version="test"), **values,
    )
    if scored:
        record.relevance = score_relevance(record)
    return record


def corpus() -> list[Record]:
    return [
        _record("Co-production of public services: user involvement in health and social care",
                doi=RELEVANT_DOIS[0], source="api:crossref", year="2021-05-04", language="en",
                abstract="How service users and professionals co-produce care in the welfare state.",
                keywords=("co-production", "user involvement", "social care"),
                authors=[Author("Ditte Andersen", given="Ditte", family="Andersen"),
                         Author("Lei Wang", given="Lei", family="Wang")],
                container="Journal of Sandbox Studies", volume="12", issue="3", pages="1-20"),
        _record(PROJECT_TITLE, doi=None, source="embedded:dc", year="2019", language="da",
                abstract="Projektet undersøger samskabelse mellem frivillige og kommunal ældrepleje.",
                type="project", source_url="https://pure.example.dk/da/projects/samskabelse",
                identifiers={"handle": "123/456"}),
        _record("合作生产：公共服务的新范式", doi=RELEVANT_DOIS[1], source="api:openalex", year="2022",
                language="zh", abstract="本文讨论公共服务中的合作生产与公民参与。",
                keywords=("合作生产", "公共服务"), container="公共管理学报"),
        _record("Proton pump inhibitors and gastric ulcer outcomes in older adults",
                doi=OFF_TOPIC_DOI, source="api:crossref", year="2020", language="en",
                abstract="A cohort study of PPI prescribing and bleeding.", keywords=("PPI",)),
        _record("Volunteers in welfare services", doi=UNSCORED_DOI, source="embedded:highwire",
                year="2018", language="en", scored=False),
    ]


def build_corpus(data: Path) -> list[Record]:
    """Archive `corpus()` into `data` as the crawl does; returns the records."""
    from crawler.archiving import WarcArchive

    records = corpus()
    archive = WarcArchive(data, {"software": "test"}, prefix="t", max_size=10**9)
    for record in records:
        payload = record.to_dict()
        written = archive.write_metadata(record.source_url, payload, None)
        archive.catalog.add_record(record, warc_file=written.warc_file, offset=written.offset,
                                   record_id=written.record_id, refers_to=None,
                                   warc_date=written.date, data=payload)
    archive.close()
    return records


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("export") / "data"
    records = build_corpus(data)
    scores = {r.title: (r.relevance or {}).get("score") for r in records}
    # the corpus is what it says: the scorer agrees which records are relevant
    assert scores["Proton pump inhibitors and gastric ulcer outcomes in older adults"] < RELEVANCE_THRESHOLD
    assert all(s >= RELEVANCE_THRESHOLD for t, s in scores.items()
               if s is not None and not t.startswith("Proton")), scores
    return data


def export(data: Path, capsys, *args: str) -> tuple[int, str, str]:
    if "--threshold" not in args:  # not whatever ./coprod.toml may say
        args = (*args, "--threshold", str(RELEVANCE_THRESHOLD))
    code = main(["export", *args, "--data-dir", str(data)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_jsonl_leaves_out_what_is_below_the_threshold_unless_all(data: Path, capsys) -> None:
    code, out, err = export(data, capsys)
    assert code == 0
    dois = [json.loads(line).get("doi") for line in out.splitlines()]
    assert sorted(d for d in dois if d) == sorted([*RELEVANT_DOIS, UNSCORED_DOI])
    assert len(dois) == 4 and OFF_TOPIC_DOI not in dois  # the project page has no DOI
    assert "1 below the relevance threshold" in err
    code, out, _ = export(data, capsys, "--all")
    everything = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(everything) == 5 and OFF_TOPIC_DOI in [r.get("doi") for r in everything]
    code, out, _ = export(data, capsys, "--threshold", "1")  # scores are below 1: only the unscored
    assert [json.loads(line)["doi"] for line in out.splitlines()] == [UNSCORED_DOI]


def test_bibtex_reads_back(data: Path, capsys) -> None:
    code, out, _ = export(data, capsys, "--format", "bibtex")
    library = bibtexparser.parse_string(out, append_middleware=[LatexDecodingMiddleware()])
    assert code == 0 and not library.failed_blocks
    by_title = {e.fields_dict["title"].value: e for e in library.entries}
    assert len(by_title) == 4
    article = by_title["Co-production of public services: user involvement in health and social care"]
    assert article.entry_type == "article"
    assert article.fields_dict["doi"].value == RELEVANT_DOIS[0]
    assert "Andersen" in article.fields_dict["author"].value
    assert article.fields_dict["journal"].value == "Journal of Sandbox Studies"
    assert PROJECT_TITLE in by_title and "合作生产：公共服务的新范式" in by_title


def test_ris_reads_back(data: Path, capsys, tmp_path: Path) -> None:
    target = tmp_path / "corpus.ris"
    code, out, err = export(data, capsys, "--format", "ris", "-o", str(target))
    assert code == 0 and out == "" and str(target) in err
    entries = rispy.loads(target.read_text(encoding="utf-8"))
    assert sorted(e.get("doi", "") for e in entries) == sorted(["", *RELEVANT_DOIS, UNSCORED_DOI])
    article = next(e for e in entries if e.get("doi") == RELEVANT_DOIS[0])
    assert article["type_of_reference"] == "JOUR" and article["authors"][0].startswith("Andersen")
    assert article["year"] == "2021"


def test_csl_json_renders_with_citeproc(data: Path, capsys) -> None:
    code, out, _ = export(data, capsys, "--format", "csl-json")
    items = json.loads(out)
    assert code == 0 and len(items) == 4
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, citeproc_formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    text = "\n".join(str(entry) for entry in bibliography.bibliography())
    assert "Andersen, D." in text and "(2021)" in text and "Journal of Sandbox Studies" in text
    assert "合作生产：公共服务的新范式" in text and "Samskabelse i ældreplejen" in text


def test_csv_has_one_row_per_record(data: Path, capsys) -> None:
    code, out, _ = export(data, capsys, "--format", "csv", "--all")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 5
    assert {row["doi"] for row in rows} == {"", *RELEVANT_DOIS, OFF_TOPIC_DOI, UNSCORED_DOI}


def test_threshold_from_the_config_file(data: Path, capsys, tmp_path: Path) -> None:
    config = tmp_path / "coprod.toml"
    config.write_text("[crawl]\nrelevance_threshold = 0.0\n", encoding="utf-8")
    code = main(["export", "--data-dir", str(data), "--config", str(config)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0 and len(lines) == 5  # everything scored passes a threshold of 0


def test_no_catalog_or_bad_threshold_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["export", "--data-dir", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert "no catalog" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "nothing").exists()
    assert main(["export", "--data-dir", str(tmp_path), "--threshold", "2"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
