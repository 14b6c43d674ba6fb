"""The catalog on PostgreSQL (a real server started here on loopback) and on SQLite: the same
schema, the same rows, the same answers; and writers in several processes racing on one work.

The WARCs are tests/test_catalog.py's (an Emerald article fetched, then re-fetched as a
revisit with a corrected record; a Danish institute's project page).
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from archive import catalog_schema as schema
from archive.catalog import Catalog, CatalogError, rebuild
from archive.catalog_db import engine_url
from crawler.distributed.servers import PostgresServer, ServerUnavailable
from extractors.record import Record
from tests.test_catalog import ARTICLE_URL, crawl


def unavailable(reason: str) -> None:
    """Under CI the servers must run; elsewhere the test skips with the exact reason."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    try:
        server = PostgresServer(tmp_path_factory.mktemp("pg"))
    except (ServerUnavailable, OSError) as error:
        unavailable(f"PostgreSQL cannot be started: {error}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres) -> str:
    return postgres.database(f"t_{uuid.uuid4().hex[:12]}")


def test_postgres_catalog_holds_what_sqlite_holds(tmp_path, postgres, pg_url):
    with Catalog(pg_url) as live_pg:
        (tmp_path / "pg").mkdir()
        warcs = crawl(tmp_path / "pg", live_pg)
        pg_dump = live_pg.dump()
        found = live_pg.get_record("https://doi.org/10.1108/IJSSP-01-2022-0027")
        assert found is not None and found.title == "Co-production in welfare: a review"
        assert [r.title for r in live_pg.records(type="project")] == ["Samskabelse i velfærden"]
        assert [c.record_type for c in live_pg.captures_for(ARTICLE_URL)] == ["response", "revisit"]
        assert live_pg.counts()["records"] == 2 and live_pg.schema_version == schema.SCHEMA_VERSION
        # `_conn.execute` with sqlite3-style placeholders works on PostgreSQL too (replay uses it)
        row = live_pg._conn.execute("SELECT warc_file FROM records WHERE key = ?",
                                    ("10.1108/ijssp-01-2022-0027",)).fetchone()
        assert tuple(row) == ("b.warc.gz",)
    with rebuild(tmp_path / "rebuilt.sqlite", warcs) as on_sqlite:
        # the same rows in the same order (TEXT COLLATE "C" on PostgreSQL)
        assert on_sqlite.dump() == pg_dump

    with rebuild(postgres.database(f"r_{uuid.uuid4().hex[:8]}"), reversed(warcs)) as rebuilt:
        assert rebuilt.dump() == pg_dump and rebuilt.problems == []


def test_failed_rebuild_leaves_the_postgres_catalog_as_it_was(tmp_path, pg_url):
    with Catalog(pg_url) as live:
        warcs = crawl(tmp_path, live)
        before = live.dump()
    torn = tmp_path / "torn.warc.gz"
    torn.write_bytes(warcs[0].read_bytes()[:-40])
    with pytest.raises(CatalogError, match="torn.warc.gz"):
        rebuild(pg_url, [warcs[1], torn])
    with Catalog(pg_url) as after:
        assert after.dump() == before


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_tables_match_the_migrations(tmp_path, backend, request):
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else tmp_path / "c.sqlite"
    Catalog(url).close()
    engine = create_engine(engine_url(url))
    try:
        found = inspect(engine)
        for table in schema.TABLES:
            columns = {c["name"] for c in found.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name
    finally:
        engine.dispose()


def test_postgres_catalog_refuses_a_newer_schema(pg_url):
    Catalog(pg_url).close()
    engine = create_engine(engine_url(pg_url))
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE {schema.PG_VERSION_TABLE} SET version = version + 1")
    engine.dispose()
    with pytest.raises(CatalogError, match="newer than this coprod"):
        Catalog(pg_url)


# -- writers racing ----------------------------------------------------------------------------

WRITES = 40


def _write_versions(location: str, worker: int, ready: object) -> None:
    """Index WRITES metadata records of one DOI, dated so the two workers interleave."""
    ready.wait()  # type: ignore[attr-defined]
    with Catalog(location) as catalog:
        for n in range(WRITES):
            second, fraction = divmod(n * 2 + worker, 10)
            record = Record(title=f"version {n} of worker {worker}", source_url="https://x.org/a",
                            doi="10.1234/race")
            catalog.add_record(record, warc_file=f"w{worker}.warc.gz", offset=n,
                               record_id=f"urn:uuid:{worker}-{n}", refers_to=None,
                               warc_date=f"2024-05-01T10:00:{second:02d}.{fraction}Z")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_processes_racing_on_one_doi_keep_the_latest_record(tmp_path, backend, request):
    location = str(request.getfixturevalue("pg_url") if backend == "postgresql"
                   else tmp_path / "race.sqlite")
    Catalog(location).close()
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Barrier(2)
    workers = [spawn.Process(target=_write_versions, args=(location, n, ready)) for n in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with Catalog(location) as catalog:
        assert catalog.counts()["records"] == 1
        latest = catalog.get_record("10.1234/race")
        # the latest WARC-Date is worker 1's last: n=39 -> 2024-05-01T10:00:07.9Z
        assert latest is not None and latest.title == f"version {WRITES - 1} of worker 1"
        seqs = [seq for seq, _, _ in catalog.changed_records(0)]
        assert len(seqs) == 1 and seqs[0] == catalog.record_seq() >= WRITES


def test_changed_records_show_another_process_s_works(tmp_path, pg_url):
    with Catalog(pg_url) as mine, Catalog(pg_url) as theirs:
        seen = mine.record_seq()
        theirs.add_record(Record(title="A", source_url="https://x.org/a", doi="10.1234/a"),
                          warc_file="t.warc.gz", offset=1, record_id="r1", refers_to=None)
        changed = mine.changed_records(seen)
        assert [(key, data["title"]) for _, key, data in changed] == [("10.1234/a", "A")]
        assert mine.changed_records(changed[-1][0]) == []


def test_sqlite_path_and_url_name_the_same_catalog(tmp_path):
    path = tmp_path / "c.sqlite"
    with Catalog(path) as catalog:
        catalog.add_record(Record(title="A", source_url="https://x.org/a", doi="10.1234/a"),
                           warc_file="t.warc.gz", offset=1, record_id="r1", refers_to=None)
    with Catalog(f"sqlite:///{Path(path)}") as same:
        assert same.get_record("10.1234/a") is not None and same.dialect == "sqlite"
