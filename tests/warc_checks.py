"""Helpers that read WARCs back the way an auditor would: warcio, fastwarc, and record parsing."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else (shutil.which(name) or name)


def assert_valid_warc(path: Path) -> None:
    """`warcio check` and `fastwarc check` both pass (digests verified, file reads to its end)."""
    for command in ([_tool("warcio"), "check", str(path)], [_tool("fastwarc"), "check", str(path)]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command[0]} check failed on {path}: {done.stdout}{done.stderr}"


def read_records(path: Path) -> list[dict]:
    """Each record: type, headers, http headers (raw bytes too), payload bytes (as stored), offset."""
    out = []
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            raw_http = record.http_headers.to_bytes() if record.http_headers else b""
            out.append({
                "type": record.rec_type,
                "headers": dict(record.rec_headers.headers),
                "http": record.http_headers,
                "raw_http": raw_http,
                "payload": record.raw_stream.read(),
                "offset": iterator.get_record_offset(),
            })
    return out


def captured_so_far(data_dir: Path, uri_like: str) -> int:
    """Captures whose URI matches the SQL LIKE pattern that a running crawl has indexed so far
    (its catalog opened read-only; 0 before it exists)."""
    path = data_dir / "catalog.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM captures WHERE uri LIKE ?", (uri_like,)).fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def all_warcs(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "warcs").glob("*.warc.gz"))
