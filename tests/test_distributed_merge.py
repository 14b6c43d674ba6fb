"""Two processes storing evidence about one work (one DOI) at the same moment, through the
crawl's own pipelines as a distributed worker wires them (crawler.distributed.merge), into
one catalog: SQLite, and PostgreSQL (a real server on loopback). No evidence may be lost, the
catalog keeps one record, and the record a rebuild from the WARCs gives is the live one.

Each item mimics an institute page about the work (its Highwire tags), one page per host.
"""

from __future__ import annotations

import multiprocessing
import uuid
from pathlib import Path

import pytest

from archive.catalog import Catalog, rebuild
from crawler.archiving import WarcArchive
from crawler.distributed.merge import SharedMergePipeline
from crawler.pipelines import ArchiveRecordPipeline
from extractors.record import Author, Provenance, Record
from tests.test_catalog_pg import postgres, unavailable  # noqa: F401 - the fixture

DOI = "10.5555/coprod.2024.0808"
ITEMS = 12  # per process


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + count


def _page(worker: int, n: int) -> dict:
    record = Record(
        type="article", title="Co-producing neighbourhood care with volunteers",
        source_url=f"https://research{worker}-{n}.example/case", doi=DOI, published="2024",
        authors=[Author(name="Ditte Andersen", given="Ditte", family="Andersen")],
        keywords=[f"keyword {worker}-{n}"],
        provenance=Provenance(fields={"title": "embedded:highwire", "keywords": "embedded:highwire"}))
    return record.to_dict()


def _store(location: str, data_dir: str, worker: int, ready: object) -> None:
    archive = WarcArchive(Path(data_dir), {"software": "test"}, prefix=f"coprod-w{worker}",
                          max_size=10**9, catalog=location)
    stats = Stats()
    merge, store = SharedMergePipeline(archive, stats), ArchiveRecordPipeline(archive, stats)
    merge.seen = 0
    ready.wait()  # type: ignore[attr-defined]
    for n in range(ITEMS):
        store.process_item(merge.process_item(_page(worker, n)))
        merge.end_step()
    archive.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_workers_merging_one_doi_lose_no_evidence(tmp_path, backend, request):
    data = tmp_path / "data"
    if backend == "postgresql":
        location = request.getfixturevalue("postgres").database(f"m_{uuid.uuid4().hex[:10]}")
    else:
        location = str(data / "catalog.sqlite")
    data.mkdir()
    Catalog(location).close()
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Barrier(2)
    workers = [spawn.Process(target=_store, args=(location, str(data), n, ready)) for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(90)
        assert worker.exitcode == 0
    with Catalog(location) as catalog:
        assert catalog.counts()["records"] == 1
        stored = catalog.record_json(DOI)
        live = catalog.dump()["records"]
    hosts = {e["source_url"].split("/")[2] for e in stored["evidence"]}
    assert hosts == {f"research{w}-{n}.example" for w in (1, 2) for n in range(ITEMS)}
    assert set(stored["keywords"]) >= {f"keyword {w}-{n}" for w in (1, 2) for n in range(ITEMS)}
    # the metadata record written last holds all of it: a rebuild gives the same row
    warcs = sorted((data / "warcs").glob("*.warc.gz"))
    assert {p.name.split("-")[1] for p in warcs} == {"w1", "w2"}
    with rebuild(tmp_path / "rebuilt.sqlite", warcs) as rebuilt:
        assert rebuilt.dump()["records"] == live
