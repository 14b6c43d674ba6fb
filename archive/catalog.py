"""The catalog: an index over the WARCs, rebuildable from them alone.

`<data-dir>/catalog.sqlite` (or a PostgreSQL database: `Catalog("postgresql://...")`, for
workers on several machines) holds these tables. `captures` has one row per response,
revisit or resource record (where its bytes are); `records` one row per work, taken
from the WARC metadata records that hold coprod Records as JSON (a newer metadata
record for the same work replaces the row); `warc_files` one row per indexed file;
`harvests` the last successful harvest per crawl source (from harvest metadata records);
`failures` one row per fetch that failed (from failure metadata records).
The WARCs stay the source of truth: `rebuild()` re-creates a catalog from them, and
`dump()` gives a canonical form so two catalogs can be compared.

SQLAlchemy Core over SQLite (WAL, synchronous=NORMAL: readers such as `coprod report` never
block the crawl; a power cut may lose the last commits, which a rebuild restores) or
PostgreSQL, with one schema (archive.catalog_schema) and one set of statements. Every write
is an upsert (INSERT ... ON CONFLICT), so indexing a record twice, from any process, is
harmless; a work's row is read, compared and written under the catalog's write lock
(archive.catalog_db), so concurrent workers never lose each other's newer record.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, func, select

from archive import catalog_schema as schema
from archive.catalog_db import Database, is_url
from archive.catalog_schema import MIGRATIONS, SCHEMA_VERSION, render
from archive.catalog_warc import FAILURE_KEY as FAILURE_KEY
from archive.catalog_warc import HARVEST_KEY as HARVEST_KEY
from archive.catalog_warc import (
    MAX_METADATA_BYTES,
    CatalogError,
    capture_values,
    failure_values,
    file_sha256,
    harvest_values,
    is_json,
    metadata_record,
)
from archive.catalog_warc import failure_data as failure_data
from archive.warccheck import WarcEntry, WarcReadError, read_warc
from extractors.doi import normalise_doi
from extractors.record import Record

CATALOG_NAME = "catalog.sqlite"
CAPTURE_TYPES = ("response", "revisit", "resource")
# Identifiers that name one work (ISBN/ISSN do not: chapters share their book's ISBN).
KEY_IDENTIFIERS = ("pmid", "pmcid", "arxiv", "handle", "oai")
REPLACES_KEY = "replaces"  # a Record's JSON: the keys the same work was catalogued under before

_RECORD_COLUMNS = (
    "key", "doi", "title", "year", "type", "json", "warc_file", "offset", "record_id",
    "refers_to", "updated_at",
)
_HARVEST_COLUMNS = ("source", "started_at", "finished_at", "warc_file", "offset", "record_id")
_FAILURE_COLUMNS = ("record_id", "uri", "kind", "reason", "warc_date", "refers_to", "warc_file",
                    "offset")
_WARC_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z?$")


@dataclass(frozen=True)
class Capture:
    """One archived response, revisit or resource: what it is and where its bytes are."""

    record_id: str  # WARC-Record-ID, with its angle brackets
    record_type: str
    uri: str
    warc_date: str
    status: int | None
    mime: str | None
    payload_digest: str | None
    length: int | None  # WARC Content-Length (the block, uncompressed)
    warc_file: str  # basename
    offset: int
    record_length: int  # bytes in the file (the gzip member)
    refers_to: str | None = None  # revisits: the original response
    truncated: str | None = None  # a response's WARC-Truncated ("length", "disconnect"...)


_CAPTURE_COLUMNS = tuple(f.name for f in fields(Capture))


@dataclass(frozen=True)
class Harvest:
    """The last successful harvest of one crawl source, and the metadata record that says so."""

    source: str
    started_at: str  # WARC date: when the harvest began (the next one asks for changes since)
    finished_at: str
    warc_file: str | None = None
    offset: int | None = None
    record_id: str | None = None


@dataclass(frozen=True)
class Failure:
    """A fetch that failed, as its failure metadata record says (crawler.failures)."""

    record_id: str  # the metadata record's WARC-Record-ID
    uri: str
    kind: str  # blocked, network, http, truncated, too-large, redirect, ...
    reason: str
    warc_date: str
    refers_to: str | None  # the response it is about, when one was archived
    warc_file: str
    offset: int


def default_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / CATALOG_NAME


def record_key(record: Record) -> str:
    """The work's key: its DOI, else a hash of its first work identifier, else of its URL."""
    if record.doi:
        return record.doi
    identity = next(
        (f"{name}:{record.identifiers[name]}" for name in KEY_IDENTIFIERS
         if record.identifiers.get(name)),
        f"url:{record.source_url}",
    )
    return "h:" + hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def warc_now() -> str:
    """The current time as a WARC 1.1 date (microseconds), for rows written without one."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _date_order(warc_date: str) -> str:
    """WARC dates of any precision as fixed-width strings that sort in time order."""
    match = _WARC_DATE.match(warc_date or "")
    if not match:
        return warc_date or ""
    return f"{match.group(1)}.{(match.group(2) or '').ljust(9, '0')}"


def _record_id(value: str) -> str:
    value = value.strip()
    return value if value.startswith("<") else f"<{value}>"


class _DriverSQL:
    """`catalog._conn.execute(sql, params)`: plain SQL with `?` placeholders, as sqlite3's
    connection took it (replay lookups and tests use it), on either database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def execute(self, sql: str, params: Iterable[Any] = ()) -> Any:
        return self._db.driver_sql(sql, params)


def _upsert(db: Database, table: Any, keys: tuple[str, ...]) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE every other column: `INSERT OR REPLACE` that
    SQLite and PostgreSQL both speak, and that never deletes the row it replaces."""
    insert = db.insert(table)
    return insert.on_conflict_do_update(
        index_elements=list(keys),
        set_={c.name: insert.excluded[c.name] for c in table.columns if c.name not in keys},
    )


class Catalog:
    """The catalog at `path`: an SQLite file (created if missing), ":memory:", or a database
    URL (postgresql://user@host/db). A context manager that closes the connection."""

    def __init__(self, path: Path | str) -> None:
        self.path: Path | str = path if is_url(path) else Path(path)
        self.problems: list[str] = []  # what index_warc(strict=False) could not read
        self._db = Database(path)
        self._conn = _DriverSQL(self._db)
        self._statements: dict[str, Any] = {}
        try:
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._db.dialect

    @property
    def schema_version(self) -> int:
        return self._db.schema_version()

    def _migrate(self) -> None:
        with self.batch(immediate=True):
            version = self.schema_version
            if version > SCHEMA_VERSION:
                raise CatalogError(
                    f"{self.path}: catalog schema v{version} is newer than this coprod "
                    f"(v{SCHEMA_VERSION}); upgrade coprod or rebuild the catalog"
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    self._db.driver_sql(render(statement, self.dialect))
                self._db.set_schema_version(number + 1)

    @contextmanager
    def batch(self, *, immediate: bool = False) -> Iterator[None]:
        """One transaction for many writes (nested batches join the outer one). On SQLite it
        holds the writer lock from the start; `immediate` also serialises it with every other
        process's immediate batches on PostgreSQL (archive.catalog_db)."""
        with self._db.transaction(lock=immediate):
            yield

    def _statement(self, name: str) -> Any:
        """Statements built once per catalog (SQLAlchemy caches their compiled SQL)."""
        if not self._statements:
            db = self._db
            self._statements = {
                "capture": _upsert(db, schema.captures, ("record_id",)),
                "record": _upsert(db, schema.records, ("key",)),
                "warc_file": _upsert(db, schema.warc_files, ("name",)),
                "harvest": _upsert(db, schema.harvests, ("source",)),
                "failure": _upsert(db, schema.failures, ("record_id",)),
            }
        return self._statements[name]

    # -- writing -----------------------------------------------------------------------

    def add_capture(self, **values: Any) -> None:
        """Index one response/revisit/resource record; `values` are Capture's fields.
        Indexing the same WARC record again replaces its row."""
        capture = Capture(**{**values, "record_id": _record_id(values["record_id"])})
        self._db.run(self._statement("capture"), dict(vars(capture)))

    def add_record(
        self, record: Record, *, warc_file: str, offset: int, record_id: str,
        refers_to: str | None, warc_date: str | None = None, data: dict[str, Any] | None = None,
    ) -> bool:
        """Index the Record held by the metadata record at (warc_file, offset).

        One row per work (`record_key`): the metadata record with the latest WARC-Date
        wins (ties: the later file and offset), whatever order files are indexed in and
        whichever process indexes them. Pass the metadata record's WARC-Date so the row
        matches what a rebuild gives. `data` is the JSON as stored, when it was read from a
        WARC. Returns whether the row was written.
        """
        key = record_key(record)
        updated_at = warc_date or warc_now()
        payload = record.to_dict() if data is None else data
        row = {
            "key": key, "doi": record.doi, "title": record.title, "year": record.year,
            "type": record.type, "json": json.dumps(payload, ensure_ascii=False, sort_keys=True),
            "warc_file": Path(warc_file).name, "offset": offset, "record_id": _record_id(record_id),
            "refers_to": _record_id(refers_to) if refers_to else None, "updated_at": updated_at,
        }
        with self.batch(immediate=True):
            old = self._db.run(_SELECT["record_order"], {"key": key}).fetchone()
            new_order = (_date_order(updated_at), row["warc_file"], offset)
            if old and (_date_order(old[0]), old[1], old[2]) > new_order:
                return False
            row["seq"] = self.record_seq() + 1  # under the write lock: one writer at a time
            self._db.run(self._statement("record"), row)
            # One row per work: a work first held without a DOI, then merged with a record
            # that has one, names the key it was held under (crawler.crawlpipelines).
            for old_key in payload.get(REPLACES_KEY) or () if isinstance(payload, dict) else ():
                if isinstance(old_key, str) and old_key != key:
                    self._db.run(_SELECT["record_delete"], {"key": old_key})
        return True

    def add_warc_file(
        self, name: str, *, size: int, records: int, sha256: str | None = None,
        closed_at: str | None = None,
    ) -> None:
        """Note a finished WARC file: `records` counts every WARC record in it."""
        self._db.run(self._statement("warc_file"), {
            "name": Path(name).name, "size": size, "sha256": sha256, "records": records,
            "closed_at": closed_at})

    def set_harvest(
        self, source: str, *, started_at: str, finished_at: str, warc_file: str | None = None,
        offset: int | None = None, record_id: str | None = None,
    ) -> bool:
        """Note a successful harvest of `source`; an older one than the row holds is ignored
        (so files may be indexed in any order). Returns whether the row was written."""
        with self.batch(immediate=True):
            old = self._db.run(_SELECT["harvest_start"], {"source": source}).fetchone()
            if old and _date_order(old[0]) > _date_order(started_at):
                return False
            self._db.run(self._statement("harvest"), {
                "source": source, "started_at": started_at, "finished_at": finished_at,
                "warc_file": Path(warc_file).name if warc_file else None, "offset": offset,
                "record_id": _record_id(record_id) if record_id else None})
        return True

    def add_failure(self, failure: Failure) -> None:
        """Index one failure metadata record (indexing it again replaces its row)."""
        row = dataclasses.replace(failure, record_id=_record_id(failure.record_id))
        self._db.run(self._statement("failure"), dict(vars(row)))

    def index_warc(self, path: Path | str, *, strict: bool = True) -> int:
        """Index every capture and Record in one WARC file; returns the WARC records read.

        A file that does not read cleanly to its end, or a metadata record that claims
        to be JSON and is not, raises CatalogError naming the file and offset (nothing
        of the file is kept). With strict=False the error goes to `self.problems` and
        the rest is kept: every whole record before a torn one, every record around a
        bad one. Indexing a file again is harmless: rows are replaced in place.
        """
        path = Path(path)
        count = 0
        with self.batch():
            try:
                for entry in read_warc(path, is_json, max_content=MAX_METADATA_BYTES):
                    count += 1
                    try:
                        self._index_entry(path, entry)
                    except CatalogError as error:
                        if strict:
                            raise
                        self.problems.append(str(error))
            except WarcReadError as error:
                if strict:
                    raise CatalogError(str(error)) from error
                self.problems.append(str(error))
            stat = path.stat()
            closed = datetime.fromtimestamp(stat.st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.add_warc_file(
                path.name, size=stat.st_size, records=count, sha256=file_sha256(path),
                closed_at=closed,
            )
        return count

    def _index_entry(self, path: Path, entry: WarcEntry) -> None:
        rec, headers = entry.record, entry.record.rec_headers
        if rec.rec_type in CAPTURE_TYPES:
            self.add_capture(**capture_values(rec), warc_file=path.name,
                             offset=entry.offset, record_length=entry.length)
        elif entry.content is not None:
            found = metadata_record(path, entry)
            if found is not None:
                record, data = found
                self.add_record(
                    record, warc_file=path.name, offset=entry.offset,
                    record_id=headers.get_header("WARC-Record-ID"),
                    refers_to=headers.get_header("WARC-Refers-To"),
                    warc_date=headers.get_header("WARC-Date"), data=data,
                )
            elif (harvest := harvest_values(entry.content)) is not None:
                self.set_harvest(**harvest, warc_file=path.name, offset=entry.offset,
                                 record_id=headers.get_header("WARC-Record-ID"))
            elif (failure := failure_values(entry.content)) is not None:
                self.add_failure(Failure(
                    headers.get_header("WARC-Record-ID"), **failure,
                    warc_date=headers.get_header("WARC-Date") or "",
                    refers_to=headers.get_header("WARC-Refers-To"),
                    warc_file=path.name, offset=entry.offset,
                ))

    def clear(self) -> None:
        """Delete every row (a rebuild in place, inside its batch)."""
        with self.batch(immediate=True):
            for table in schema.TABLES:
                self._db.execute(delete(table))

    # -- reading -----------------------------------------------------------------------

    def _rows(self, statement: Any, params: dict[str, Any] | None = None) -> list[Any]:
        return list(self._db.execute(statement, params))

    def _kept_rows(self, name: str, params: dict[str, Any]) -> list[Any]:
        return self._db.run(_SELECT[name], params).fetchall()

    def records(self, *, type: str | None = None, year: int | None = None) -> Iterator[Record]:
        """Every work in the catalog (by key), optionally of one type or year."""
        table = schema.records
        query = select(table.c.json)
        if type is not None:
            query = query.where(table.c.type == type)
        if year is not None:
            query = query.where(table.c.year == year)
        for (text,) in self._rows(query.order_by(table.c.key)):
            yield Record.from_dict(json.loads(text))

    def get_record(self, doi: str) -> Record | None:
        """The work with this DOI (any form normalise_doi accepts); InvalidDOI if it is none."""
        row = self._db.run(_SELECT["record_by_doi"], {"doi": normalise_doi(doi)}).fetchone()
        return Record.from_dict(json.loads(row[0])) if row else None

    def record_data(self) -> Iterator[dict[str, Any]]:
        """Every work's JSON as stored, by key (with what a Record leaves out: the crawl's
        evidence), for reports."""
        table = schema.records
        for (text,) in self._rows(select(table.c.json).order_by(table.c.key)):
            yield json.loads(text)

    def record_json(self, key: str) -> dict[str, Any] | None:
        """The stored JSON of the work with this `record_key`, or None."""
        row = self._db.run(_SELECT["record_json"], {"key": key}).fetchone()
        return json.loads(row[0]) if row else None

    def record_seq(self) -> int:
        """The catalog's work-row change counter: the `seq` of the last row written."""
        return int(self._db.run(_SELECT["record_seq"]).fetchone()[0] or 0)

    def changed_records(self, after: int) -> list[tuple[int, str, dict[str, Any]]]:
        """(seq, key, JSON) of every work row written after change `after`, oldest first:
        how a process sharing the catalog learns of the works others stored."""
        rows = self._kept_rows("records_after", {"after": after})
        return [(int(seq), key, json.loads(text)) for seq, key, text in rows]

    def captures_for(self, uri: str) -> list[Capture]:
        """Every capture of `uri`, oldest first."""
        rows = self._kept_rows("captures_for", {"uri": uri})
        return [Capture(*row) for row in rows]

    def last_harvest(self, source: str) -> Harvest | None:
        """The last successful harvest of `source` (None: never harvested, fetch everything)."""
        row = self._db.run(_SELECT["harvest"], {"source": source}).fetchone()
        return Harvest(*row) if row else None

    def harvests(self) -> list[Harvest]:
        """The last successful harvest of every source, by source."""
        table = schema.harvests
        return [Harvest(*row) for row in self._rows(
            select(*_cols(table, _HARVEST_COLUMNS)).order_by(table.c.source))]

    def failures(self, uri: str | None = None) -> list[Failure]:
        """Failed fetches (of one URI), oldest first."""
        table = schema.failures
        query = select(*_cols(table, _FAILURE_COLUMNS))
        if uri is not None:
            query = query.where(table.c.uri == uri)
        return [Failure(*row) for row in self._rows(
            query.order_by(table.c.warc_date, table.c.record_id))]

    def counts(self) -> dict[str, int]:
        """Rows per table, captures by record type, and works with a DOI."""
        def count(statement: Any) -> int:
            return int(self._db.execute(statement).scalar() or 0)

        counts = {table.name: count(select(func.count()).select_from(table))
                  for table in (schema.captures, schema.records, schema.warc_files)}
        captures = schema.captures
        by_type = dict(self._rows(select(captures.c.record_type, func.count())
                                  .group_by(captures.c.record_type)))
        counts.update({f"{kind}s": by_type.get(kind, 0) for kind in CAPTURE_TYPES})
        counts["records_with_doi"] = count(select(func.count()).select_from(schema.records)
                                           .where(schema.records.c.doi.is_not(None)))
        return counts

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Everything the WARCs determine, in primary-key order: equal dumps mean equal
        catalogs, however the rows were added and on whichever database.
        warc_files.closed_at is left out: the WARC does not record when it was closed."""
        def rows(table: Any, names: Iterable[str], order: str) -> list[tuple[Any, ...]]:
            return [tuple(row) for row in self._rows(
                select(*_cols(table, names)).order_by(table.c[order]))]

        return {
            "captures": rows(schema.captures, _CAPTURE_COLUMNS, "record_id"),
            "records": rows(schema.records, _RECORD_COLUMNS, "key"),
            "warc_files": rows(schema.warc_files, ("name", "size", "sha256", "records"), "name"),
            "harvests": rows(schema.harvests, _HARVEST_COLUMNS, "source"),
            "failures": rows(schema.failures, _FAILURE_COLUMNS, "record_id"),
        }


def _cols(table: Any, names: Iterable[str]) -> list[Any]:
    return [table.c[name] for name in names]


_records, _captures, _harvests = schema.records, schema.captures, schema.harvests
# The lookups on the crawl's hot path, built once: SQLAlchemy then reuses their compiled SQL.
_SELECT: dict[str, Any] = {
    "record_order": select(_records.c.updated_at, _records.c.warc_file, _records.c.offset)
    .where(_records.c.key == bindparam("key")),
    "record_delete": delete(_records).where(_records.c.key == bindparam("key")),
    "record_json": select(_records.c.json).where(_records.c.key == bindparam("key")),
    "record_by_doi": select(_records.c.json).where(_records.c.doi == bindparam("doi"))
    .order_by(_records.c.key).limit(1),
    "record_seq": select(func.coalesce(func.max(_records.c.seq), 0)),
    "records_after": select(_records.c.seq, _records.c.key, _records.c.json)
    .where(_records.c.seq > bindparam("after")).order_by(_records.c.seq),
    "captures_for": select(*_cols(_captures, _CAPTURE_COLUMNS))
    .where(_captures.c.uri == bindparam("uri"))
    .order_by(_captures.c.warc_date, _captures.c.record_id),
    "harvest": select(*_cols(_harvests, _HARVEST_COLUMNS))
    .where(_harvests.c.source == bindparam("source")),
    "harvest_start": select(_harvests.c.started_at).where(_harvests.c.source == bindparam("source")),
}


def rebuild(
    catalog_path: Path | str, warc_paths: Iterable[Path | str], *, strict: bool = True
) -> Catalog:
    """Re-create the catalog at `catalog_path` from the WARCs alone and return it open.

    An SQLite catalog is built beside the old one and moved into place only when every
    file has been read; a database catalog (PostgreSQL) is emptied and refilled in one
    transaction. Either way a failed rebuild (WarcReadError when strict) leaves the old
    catalog as it was. Two WARCs with the same basename are refused: rows name files
    by basename. With strict=False, what could not be read is in `catalog.problems`.
    """
    paths = [Path(p) for p in warc_paths]
    names = [p.name for p in paths]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CatalogError(f"WARC files share a name: {', '.join(duplicates)}")
    if is_url(catalog_path):
        catalog = Catalog(catalog_path)
        try:
            with catalog.batch(immediate=True):
                catalog.clear()
                for path in sorted(paths, key=lambda p: p.name):
                    catalog.index_warc(path, strict=strict)
        except BaseException:
            catalog.close()
            raise
        return catalog
    target = Path(catalog_path)
    building = target.with_name(target.name + ".rebuild")
    _remove_database(building)
    try:
        with Catalog(building) as catalog:
            for path in sorted(paths, key=lambda p: p.name):
                catalog.index_warc(path, strict=strict)
            problems = catalog.problems
            catalog._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        _remove_database(building)
        raise
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(building, target)
    _remove_database(building)
    catalog = Catalog(target)
    catalog.problems = problems
    return catalog


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
