"""The catalog's schema, as data: the migrations (SQL, oldest first), the tables they make as
SQLAlchemy Core objects (what archive.catalog builds its statements from), and how a migration
is spelled for each database.

The migrations are written once, in the SQL that SQLite and PostgreSQL share. Two words are
spelled differently on PostgreSQL by `render`: INTEGER is 64-bit in SQLite and 32-bit in
PostgreSQL (BIGINT there), and TEXT compares by bytes in SQLite but by the locale in
PostgreSQL (`COLLATE "C"` there), so both order keys and URIs alike and dumps compare equal.
Append to MIGRATIONS, never edit an applied step; `tests/test_catalog_pg.py` checks that the
Table objects below and the migrated database agree, on both databases.
"""

from __future__ import annotations

import re

from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, Text

# Schema changes, oldest first; the catalog keeps how many were applied (SQLite: PRAGMA
# user_version; PostgreSQL: the one row of coprod_schema).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE warc_files (
            name TEXT PRIMARY KEY, size INTEGER NOT NULL, sha256 TEXT,
            records INTEGER NOT NULL, closed_at TEXT)""",
        """CREATE TABLE captures (
            record_id TEXT PRIMARY KEY, record_type TEXT NOT NULL, uri TEXT NOT NULL,
            warc_date TEXT NOT NULL, status INTEGER, mime TEXT, payload_digest TEXT,
            length INTEGER, warc_file TEXT NOT NULL, "offset" INTEGER NOT NULL,
            record_length INTEGER NOT NULL, refers_to TEXT)""",
        "CREATE INDEX captures_uri ON captures (uri, warc_date)",
        "CREATE INDEX captures_digest ON captures (payload_digest)",
        """CREATE TABLE records (
            key TEXT PRIMARY KEY, doi TEXT, title TEXT NOT NULL, year INTEGER,
            type TEXT NOT NULL, json TEXT NOT NULL, warc_file TEXT NOT NULL,
            "offset" INTEGER NOT NULL, record_id TEXT NOT NULL, refers_to TEXT,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX records_doi ON records (doi)",
        "CREATE INDEX records_year ON records (year)",
    ),
    (  # 2: the last successful harvest of each crawl source (API `from` dates, OAI `from`)
        """CREATE TABLE harvests (
            source TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
            warc_file TEXT, "offset" INTEGER, record_id TEXT)""",
    ),
    (  # 3: fetches that failed (from failure metadata records; crawler.failures)
        """CREATE TABLE failures (
            record_id TEXT PRIMARY KEY, uri TEXT NOT NULL, kind TEXT NOT NULL,
            reason TEXT NOT NULL, warc_date TEXT NOT NULL, refers_to TEXT,
            warc_file TEXT NOT NULL, "offset" INTEGER NOT NULL)""",
        "CREATE INDEX failures_uri ON failures (uri, warc_date)",
    ),
    (  # 4: a response whose body is not whole (WARC-Truncated) is never a page's archived copy
        "ALTER TABLE captures ADD COLUMN truncated TEXT",
    ),
    (  # 5: a change counter per work row, so workers sharing a catalog see each other's works
        "ALTER TABLE records ADD COLUMN seq INTEGER",
        "CREATE INDEX records_seq ON records (seq)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
PG_VERSION_TABLE = "coprod_schema"  # PostgreSQL has no user_version: a one-row table


def render(statement: str, dialect: str) -> str:
    """A migration statement as `dialect` ("sqlite" or "postgresql") spells it."""
    if dialect != "postgresql":
        return statement
    statement = re.sub(r"\bINTEGER\b", "BIGINT", statement)
    return re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', statement)


# -- the tables the migrations make (for building statements; never used to create them) ---

metadata = MetaData()

warc_files = Table(
    "warc_files", metadata,
    Column("name", Text, primary_key=True), Column("size", BigInteger, nullable=False),
    Column("sha256", Text), Column("records", BigInteger, nullable=False),
    Column("closed_at", Text),
)
captures = Table(
    "captures", metadata,
    Column("record_id", Text, primary_key=True), Column("record_type", Text, nullable=False),
    Column("uri", Text, nullable=False), Column("warc_date", Text, nullable=False),
    Column("status", Integer), Column("mime", Text), Column("payload_digest", Text),
    Column("length", BigInteger), Column("warc_file", Text, nullable=False),
    Column("offset", BigInteger, nullable=False), Column("record_length", BigInteger, nullable=False),
    Column("refers_to", Text), Column("truncated", Text),
)
records = Table(
    "records", metadata,
    Column("key", Text, primary_key=True), Column("doi", Text), Column("title", Text, nullable=False),
    Column("year", Integer), Column("type", Text, nullable=False), Column("json", Text, nullable=False),
    Column("warc_file", Text, nullable=False), Column("offset", BigInteger, nullable=False),
    Column("record_id", Text, nullable=False), Column("refers_to", Text),
    Column("updated_at", Text, nullable=False), Column("seq", BigInteger),
)
harvests = Table(
    "harvests", metadata,
    Column("source", Text, primary_key=True), Column("started_at", Text, nullable=False),
    Column("finished_at", Text, nullable=False), Column("warc_file", Text),
    Column("offset", BigInteger), Column("record_id", Text),
)
failures = Table(
    "failures", metadata,
    Column("record_id", Text, primary_key=True), Column("uri", Text, nullable=False),
    Column("kind", Text, nullable=False), Column("reason", Text, nullable=False),
    Column("warc_date", Text, nullable=False), Column("refers_to", Text),
    Column("warc_file", Text, nullable=False), Column("offset", BigInteger, nullable=False),
)
TABLES = (captures, records, warc_files, harvests, failures)
