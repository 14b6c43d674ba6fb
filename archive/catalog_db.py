"""The catalog's database connection: SQLite (a file, or in memory) or PostgreSQL, through
SQLAlchemy Core, with the same statements, transactions and locks on both.

A catalog is one connection in autocommit mode; `transaction()` opens an explicit one. On
SQLite that is `BEGIN IMMEDIATE` (the database's one writer lock, so a read-then-write never
fails on a stale snapshot when several processes share the file); on PostgreSQL a locking
transaction takes a transaction-scoped advisory lock, which plays the same part for the
catalog's read-compare-write steps (a work's row, a harvest date, the schema) while plain
upserts (INSERT ... ON CONFLICT) run beside it. SQLAlchemy's own transaction objects cannot
say BEGIN IMMEDIATE, hence the explicit statements (SQLAlchemy's documented pysqlite recipe
does the same). Driver errors are raised as the driver's own exceptions (sqlite3.Error,
psycopg.Error), so callers that test for a full disk keep working.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool, StaticPool

from archive.catalog_schema import PG_VERSION_TABLE

SQLITE_TIMEOUT = 30  # seconds a writer waits for another (sqlite3's busy timeout)
WRITE_LOCK = 0x636F70726F64  # "coprod": the PostgreSQL advisory lock of locking transactions
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def is_url(location: Path | str) -> bool:
    return "://" in str(location)


def engine_url(location: Path | str) -> str:
    """An SQLAlchemy URL for a file path, ":memory:", or a database URL (postgresql:// and
    postgres:// use psycopg 3, the driver coprod installs)."""
    text = str(location)
    if not is_url(text):
        return "sqlite://" if text == ":memory:" else f"sqlite:///{Path(text)}"
    scheme, rest = text.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return text


def _make_engine(location: Path | str) -> Engine:
    url = engine_url(location)
    if url.startswith("sqlite"):
        memory = url == "sqlite://"
        engine = create_engine(url, connect_args={"timeout": SQLITE_TIMEOUT},
                               poolclass=StaticPool if memory else NullPool)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL: readers (coprod report) never block the crawl; NORMAL: a power cut may
            # lose the last commits, which a rebuild from the WARCs restores.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, poolclass=NullPool)


class Database:
    """One autocommit connection, explicit transactions, and the driver's own errors."""

    def __init__(self, location: Path | str) -> None:
        self.engine = _make_engine(location)
        self.dialect = self.engine.dialect.name
        if self.dialect not in _INSERTS:
            raise ValueError(f"unsupported catalog database {self.dialect!r} "
                             "(SQLite or PostgreSQL)")
        self.depth = 0  # nesting of transaction(); > 0 while one is open
        self._prepared: dict[Any, tuple[str, dict[str, Any], Any]] = {}
        try:
            self.connection: Connection = self._unwrap(
                lambda: self.engine.connect().execution_options(isolation_level="AUTOCOMMIT"))
            self.raw = self.connection.connection.driver_connection  # sqlite3 / psycopg
        except BaseException:
            self.engine.dispose()
            raise

    def close(self) -> None:
        try:
            self.connection.close()
        finally:
            self.engine.dispose()

    @staticmethod
    def _unwrap(call: Any) -> Any:
        try:
            return call()
        except DBAPIError as error:
            if error.orig is None:
                raise
            raise error.orig.with_traceback(error.__traceback__) from None

    def execute(self, statement: Any, params: Any = None) -> CursorResult[Any]:
        return self._unwrap(lambda: self.connection.execute(statement, params))

    def run(self, statement: Any, params: dict[str, Any] | None = None) -> Any:
        """Run a statement the catalog keeps for its life (its hot lookups and upserts):
        SQLAlchemy compiles it once for this database, and the driver's cursor runs the SQL,
        which keeps SQLite at sqlite3's own speed. Returns the DB-API cursor."""
        prepared = self._prepared.get(statement)
        if prepared is None:
            compiled = statement.compile(dialect=self.engine.dialect)
            prepared = self._prepared[statement] = (
                str(compiled), dict(compiled.params), compiled.positiontup)
        sql, defaults, order = prepared
        values = {**defaults, **(params or {})}
        cursor = self.raw.cursor()
        cursor.execute(sql, tuple(values[name] for name in order) if order else values)
        return cursor

    def driver_sql(self, sql: str, params: Any = ()) -> CursorResult[Any]:
        """Plain SQL with `?` placeholders (sqlite3's style) on either database."""
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self._unwrap(lambda: self.connection.exec_driver_sql(sql, tuple(params)))

    def insert(self, table: Table) -> Any:
        """The dialect's INSERT, which has on_conflict_do_update/do_nothing on both."""
        return _INSERTS[self.dialect](table)

    @contextmanager
    def transaction(self, *, lock: bool = False) -> Iterator[None]:
        """One transaction (nested calls join the outer one). `lock`: serialise with every
        other locking transaction on this catalog, whatever process or machine runs it."""
        if self.depth:
            if lock:
                self._lock()
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
            return
        self.driver_sql("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
        self.depth = 1
        try:
            if lock:
                self._lock()
            yield
        except BaseException:
            self.depth = 0
            self.driver_sql("ROLLBACK")
            raise
        self.depth = 0
        self.driver_sql("COMMIT")

    def _lock(self) -> None:
        if self.dialect == "postgresql":  # re-entrant; released at COMMIT or ROLLBACK
            self.driver_sql("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
        # SQLite: BEGIN IMMEDIATE already holds the database's writer lock

    # -- schema version ------------------------------------------------------------------

    def schema_version(self) -> int:
        if self.dialect == "sqlite":
            return int(self.driver_sql("PRAGMA user_version").scalar() or 0)
        self.driver_sql(f"CREATE TABLE IF NOT EXISTS {PG_VERSION_TABLE} (version INTEGER NOT NULL)")
        return int(self.driver_sql(f"SELECT max(version) FROM {PG_VERSION_TABLE}").scalar() or 0)

    def set_schema_version(self, version: int) -> None:
        if self.dialect == "sqlite":
            self.driver_sql(f"PRAGMA user_version = {int(version)}")
            return
        self.driver_sql(f"DELETE FROM {PG_VERSION_TABLE}")
        self.driver_sql(f"INSERT INTO {PG_VERSION_TABLE} (version) VALUES (?)", (int(version),))
