"""One work, one record: the crawl's pipelines (validate -> merge -> relevance -> unchanged ->
archive) store one work seen by four sources as one record, whatever order they arrive in.

The four sources for one co-production article: Crossref and OpenAlex search pages built from
the real responses in ../shared/fixtures (tests/crawl_sites.py), a landing page with Highwire
tags, and an aggregator JSON record of the kind seed 003 shows (the demo site's, in the repo).
"""

from __future__ import annotations

import copy
import itertools
import json
from collections import Counter
from pathlib import Path

import pytest

from archive.catalog import Catalog, record_key
from crawler.archiving import WarcArchive
from crawler.crawlpipelines import MergePipeline, RelevancePipeline
from crawler.incremental import UnchangedRecordPipeline
from crawler.pipelines import ArchiveRecordPipeline, ValidatePipeline
from extractors.api import parse_api_response
from extractors.dispatch import extract
from extractors.record import Record
from tests.crawl_sites import Work, crossref_page, landing_page, openalex_page

DEMO = Path(__file__).resolve().parent.parent / "crawler" / "sandbox" / "demo_site"
PEER = Work(
    "10.5555/coprod.2023.1199",
    "Peer workers and co-production in harm reduction services: an organisational field in "
    "transition",
    "Harm reduction services were built by people who use drugs, and peer work remains their "
    "signature form of co-production. This article examines how organisations implement "
    "co-production while their structure changes.",
    (("Ruth", "Adeyemi"),), "Social Policy and Services Review", 2023,
    ("co-production", "peer work", "harm reduction"))


class Stats(Counter):
    """Scrapy's stats interface, as far as the pipelines use it."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] += count


def _stamped(record: Record, capture: str) -> dict:
    record.provenance.warc_record_id = f"<urn:uuid:{capture}>"
    record.provenance.captures = [f"<urn:uuid:{capture}>"]
    return record.to_dict()


@pytest.fixture(scope="module")
def four_sources(fixtures_dir: Path) -> list[dict]:
    [crossref] = parse_api_response(
        "https://api.crossref.org/works?query.bibliographic=co-production&rows=100&cursor=*",
        crossref_page(fixtures_dir, [PEER], "c2", rows=1).encode(), "application/json")
    [openalex] = parse_api_response(
        "https://api.openalex.org/works?search=co-production&per-page=100&cursor=*",
        openalex_page(fixtures_dir, [PEER], None).encode(), "application/json")
    page = extract(f"https://journals.example.org/doi/{PEER.doi}",
                   {"Content-Type": "text/html; charset=utf-8"}, landing_page(PEER).encode()).record
    [aggregator] = parse_api_response("https://www.xueshu.example/api/paper/detail?doi=x",
                                      (DEMO / "aggregator_record.json").read_bytes(),
                                      "application/json")
    assert {r.doi for r in (crossref, openalex, page, aggregator)} == {PEER.doi}
    return [_stamped(crossref, "crossref"), _stamped(openalex, "openalex"),
            _stamped(page, "landing"), _stamped(aggregator, "aggregator")]


def store(items: list[dict], data: Path) -> tuple[dict[str, dict], Stats]:
    """Run items through the crawl's pipelines into a fresh archive; the catalog's records."""
    stats = Stats()
    archive = WarcArchive(data, {"software": "test"}, prefix="t", max_size=10**9)
    chain = [ValidatePipeline(stats), MergePipeline(archive, stats), RelevancePipeline(stats, 0.35),
             UnchangedRecordPipeline(archive, stats), ArchiveRecordPipeline(archive, stats)]
    try:
        for item in items:
            item = {**copy.deepcopy(item), "_source": "test"}
            for pipeline in chain:
                item = pipeline.process_item(item)
        with Catalog(data / "catalog.sqlite") as catalog:
            rows = {record_key(r): catalog.record_json(record_key(r)) for r in catalog.records()}
    finally:
        archive.close()
    return rows, stats


def test_four_sources_in_all_24_orders_give_one_identical_record(four_sources, tmp_path) -> None:
    results = set()
    for n, order in enumerate(itertools.permutations(four_sources)):
        rows, stats = store(list(order), tmp_path / str(n))
        assert list(rows) == [PEER.doi]  # one work, one record
        assert stats["coprod/source/test/added"] == 1 and stats["coprod/source/test/merged"] == 3
        results.add(json.dumps(rows[PEER.doi], sort_keys=True, ensure_ascii=False))
    assert len(results) == 1
    stored = json.loads(results.pop())
    record = Record.from_dict(stored)
    # per-field provenance: each field from the richest layer that had it
    fields = record.provenance.fields
    assert fields["title"].startswith("api:") and fields["keywords"] == "embedded:highwire"
    assert set(fields.values()) >= {"embedded:highwire"} and len(
        {f.split(":")[1] for f in fields.values() if f.startswith("api:")}) >= 2
    # every capture the evidence rests on
    assert record.provenance.captures == sorted(
        f"<urn:uuid:{c}>" for c in ("aggregator", "crossref", "landing", "openalex"))
    assert len(stored["evidence"]) == 4
    assert record.relevance["relevant"] is True and "co-production" in record.relevance["terms"]


def test_pairwise_merging_would_depend_on_the_order(four_sources) -> None:
    """Why the evidence is kept: merging the stored record with each newcomer in turn does
    not give one result for these four sources."""
    from extractors.merge import merge_records

    outcomes = set()
    for order in itertools.permutations(four_sources):
        merged = Record.from_dict(order[0])
        for data in order[1:]:
            merged = merge_records([merged, Record.from_dict(data)])
        outcomes.add(json.dumps(merged.to_dict(), sort_keys=True))
    assert len(outcomes) > 1  # (the author list's credited source, for one, varies)


def test_the_same_evidence_again_changes_nothing(four_sources, tmp_path) -> None:
    rows, _ = store(four_sources, tmp_path / "a")
    again, stats = store(four_sources + four_sources, tmp_path / "b")
    assert again == {PEER.doi: again[PEER.doi]} and stats["coprod/source/test/same"] == 4
    assert again[PEER.doi]["evidence"] == rows[PEER.doi]["evidence"]
    assert stats["coprod/records_unchanged"] == 4  # not archived a second time


def test_same_title_other_doi_stays_apart(four_sources, tmp_path) -> None:
    other = copy.deepcopy(four_sources[0])
    other["doi"] = "10.5555/coprod.2023.9999"  # a corrigendum, say: same title, its own DOI
    rows, stats = store([four_sources[0], other], tmp_path)
    assert sorted(rows) == [PEER.doi, "10.5555/coprod.2023.9999"]
    assert stats["coprod/source/test/added"] == 2


def test_a_work_first_held_without_doi_keeps_one_row(four_sources, tmp_path) -> None:
    """An OAI record without a DOI, then the Crossref record of the same work (fuzzy match on
    title + year + first author): one row, under the DOI, also after a catalog rebuild."""
    from archive.catalog import rebuild

    repository = copy.deepcopy(four_sources[2])
    repository.pop("doi")
    repository["identifiers"] = {"oai": "oai:repo.example.org:42"}
    repository["source_url"] = "https://repo.example.org/handle/42"
    rows, stats = store([repository, four_sources[0]], tmp_path)
    assert list(rows) == [PEER.doi] and stats["coprod/source/test/merged"] == 1
    assert rows[PEER.doi]["identifiers"]["oai"] == "oai:repo.example.org:42"
    with rebuild(tmp_path / "rebuilt.sqlite", sorted((tmp_path / "warcs").glob("*.warc.gz"))) as cat:
        assert [r.doi for r in cat.records()] == [PEER.doi]


def test_a_verdict_is_kept_only_for_the_record_it_was_given_to(four_sources, tmp_path) -> None:
    """The spider judges each record (to decide what to follow) and sends the verdict along:
    a work stored as it came keeps it; a stale verdict (other scoring version) or a merged
    work is judged afresh, on what is stored."""
    from crawler.focus import judge

    crossref, openalex = four_sources[0], four_sources[1]
    given = {**judge(Record.from_dict(crossref), 0.35), "score": 0.0123}  # marks it as the spider's
    rows, _ = store([{**crossref, "relevance": given}], tmp_path / "kept")
    [stored] = rows.values()
    assert stored["relevance"]["score"] == 0.0123

    stale = {**given, "version": "0.old"}
    rows, _ = store([{**crossref, "relevance": stale}], tmp_path / "stale")
    [stored] = rows.values()
    assert stored["relevance"] == judge(Record.from_dict(crossref), 0.35)

    rows, _ = store([{**crossref, "relevance": given}, {**openalex, "relevance": given}],
                    tmp_path / "merged")
    [stored] = rows.values()
    fresh = judge(Record.from_dict({k: v for k, v in stored.items() if k != "relevance"}), 0.35)
    assert stored["relevance"] == fresh and stored["relevance"]["score"] != 0.0123
