"""What replay and audit look up: the catalog, plus the archive files its rows name.

Over a data directory this is the catalog itself (`<data-dir>/catalog.sqlite`) and the
WARCs under `warcs/`. Over files given by hand (`--warc`: coprod's own or anyone's WARC,
an ARC, a WACZ) the same tables are built in memory, so every command works the same
way on both. ARC files are read through warcio's arc2warc; their records carry no id, so
each gets a stable one from its file and offset. A WACZ is read in place: each WARC in
its `archive/` folder is one file, named `<wacz>#archive/<name>`.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

from archive.catalog import (
    CAPTURE_TYPES,
    CATALOG_NAME,
    Capture,
    Catalog,
    CatalogError,
    capture_values,
)
from extractors.record import Record

MAX_RECORD_JSON = 64 * 1024 * 1024
_CAPTURE_SELECT = (
    'SELECT record_id, record_type, uri, warc_date, status, mime, payload_digest, length, '
    'warc_file, "offset", record_length, refers_to, truncated FROM captures'
)
_RECORD_SELECT = (
    'SELECT key, doi, title, year, type, json, warc_file, "offset", record_id, refers_to, '
    "updated_at FROM records"
)


class NoArchive(CatalogError):
    """Nothing to read: no catalog in the data directory, or a file that is not an archive."""


@dataclass(frozen=True)
class ArchiveFile:
    """One WARC or ARC: a file on disk, or a member of a WACZ zip."""

    name: str  # what catalog rows call it
    path: Path
    member: str | None = None  # the WARC inside a WACZ

    @property
    def is_arc(self) -> bool:
        return (self.member or self.path.name).endswith((".arc", ".arc.gz"))

    def open(self) -> IO[bytes]:
        """A seekable binary stream; the caller closes it."""
        if self.member is None:
            return open(self.path, "rb")  # noqa: SIM115 - the caller closes it
        return _ZipMember(self.path, self.member)  # type: ignore[return-value]


class _ZipMember:
    """A WARC inside a WACZ, read in place. WACZ stores WARCs uncompressed (they are gzip
    already), so zipfile's forward seek is a plain read; closing it closes the zip too."""

    def __init__(self, path: Path, member: str) -> None:
        self._package = zipfile.ZipFile(path)
        try:
            self._stream = self._package.open(member)
        except BaseException:
            self._package.close()
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def __enter__(self) -> _ZipMember:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stream.close()
        self._package.close()


@dataclass(frozen=True)
class RecordRow:
    """A catalog row about one work: the Record as stored, and where its metadata record is."""

    key: str
    doi: str | None
    title: str
    year: int | None
    type: str
    data: dict[str, Any]
    warc_file: str
    offset: int
    record_id: str
    refers_to: str | None
    updated_at: str

    @property
    def record(self) -> Record:
        return Record.from_dict(self.data)


def archive_files(paths: Iterable[Path | str]) -> list[ArchiveFile]:
    """The WARC/ARC files in `paths` (a WACZ gives each WARC it holds). NoArchive if a
    path is missing or two files share a name (catalog rows name files by basename)."""
    found: list[ArchiveFile] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise NoArchive(f"no such file: {path}")
        if path.suffix.lower() == ".wacz":
            found += _wacz_members(path)
        else:
            found.append(ArchiveFile(path.name, path))
    names = [f.name for f in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise NoArchive(f"archive files share a name: {', '.join(duplicates)}")
    return found


def _wacz_members(path: Path) -> list[ArchiveFile]:
    try:
        with zipfile.ZipFile(path) as package:
            members = [n for n in package.namelist()
                       if n.startswith("archive/") and n.endswith((".warc", ".warc.gz", ".arc.gz"))]
    except zipfile.BadZipFile as error:
        raise NoArchive(f"{path}: not a WACZ (zip) file: {error}") from error
    if not members:
        raise NoArchive(f"{path}: no WARC files in its archive/ folder")
    return [ArchiveFile(f"{path.name}#{member}", path, member) for member in sorted(members)]


def data_dir_files(data_dir: Path) -> list[ArchiveFile]:
    """Finished WARCs of a data directory (`.open` files are the audit's business)."""
    return [ArchiveFile(p.name, p) for p in sorted((data_dir / "warcs").glob("*.warc.gz"))]


class ReplayIndex(Catalog):
    """The catalog with replay's lookups, and the archive files its rows point into."""

    def __init__(self, path: Path | str, files: Iterable[ArchiveFile]) -> None:
        super().__init__(path)
        self.files = {f.name: f for f in files}

    @classmethod
    def for_data_dir(cls, data_dir: Path | str) -> ReplayIndex:
        data_dir = Path(data_dir)
        catalog = data_dir / CATALOG_NAME
        if not catalog.is_file():
            raise NoArchive(f"no catalog at {catalog} (fetch something, or `coprod catalog rebuild`)")
        return cls(catalog, data_dir_files(data_dir))

    @classmethod
    def for_files(cls, paths: Iterable[Path | str]) -> ReplayIndex:
        """An in-memory index over the given files; what could not be read is in `problems`."""
        files = archive_files(paths)
        index = cls(":memory:", files)
        for archive_file in files:
            index.index_file(archive_file)
        return index

    # -- indexing files not written by coprod ----------------------------------------------

    def index_file(self, archive_file: ArchiveFile) -> int:
        """Index captures and Records of one file, keeping what reads (problems noted)."""
        count = 0
        with self.batch(), archive_file.open() as stream:
            try:
                count = self._index_stream(archive_file, stream)
            except Exception as error:  # warcio on a torn or foreign file: keep what was read
                self.problems.append(f"{archive_file.name}: unreadable: {error}")
        return count

    def _index_stream(self, archive_file: ArchiveFile, stream: IO[bytes]) -> int:
        iterator = ArchiveIterator(stream, arc2warc=True)
        count = 0
        for record in iterator:
            wanted = is_json_metadata(record)
            content = record.content_stream().read(MAX_RECORD_JSON + 1) if wanted else None
            iterator.read_to_end()
            offset, length = iterator.get_record_offset(), iterator.get_record_length()
            count += 1
            if record.rec_type in CAPTURE_TYPES:
                problem = self.add_unique_capture(archive_file, record, offset, length)
                if problem:
                    self.problems.append(problem)
            elif content is not None:
                self.index_metadata(archive_file, record, offset, content)
        return count

    def add_unique_capture(self, archive_file: ArchiveFile, record: Any, offset: int,
                           length: int) -> str | None:
        """Index one capture under an id no other capture has. ARC records (no id) and
        records without one are named by file and offset; a record repeating another's
        WARC-Record-ID (wget 1.14 writes such files) gets `#file:offset` added, and the
        repeat is returned as a problem."""
        headers = record.rec_headers
        record_id = headers.get_header("WARC-Record-ID")
        if archive_file.is_arc or not record_id:
            record_id = arc_record_id(archive_file, offset)
            headers.replace_header("WARC-Record-ID", record_id)
        problem = None
        earlier = self.capture(record_id)
        if earlier is not None and (earlier.warc_file, earlier.offset) != (archive_file.name, offset):
            problem = (f"{archive_file.name}:{offset}: repeats the WARC-Record-ID {record_id} of "
                       f"{earlier.warc_file}:{earlier.offset} (record ids must be unique)")
            headers.replace_header("WARC-Record-ID", f"{record_id[:-1]}#{archive_file.name}:{offset}>")
        self.add_capture(**capture_values(record), warc_file=archive_file.name, offset=offset,
                         record_length=length)
        return problem

    def index_metadata(self, archive_file: ArchiveFile, record: Any, offset: int,
                       content: bytes) -> None:
        """Index the coprod Record a JSON metadata record holds (other JSON is let be);
        JSON that does not parse goes to `problems`."""
        if not is_json_metadata(record):
            return
        try:
            data = json.loads(content)
            if not (isinstance(data, dict) and "provenance" in data and data.get("title")):
                return
            found = Record.from_dict(data)
        except (ValueError, TypeError, AttributeError) as error:
            self.problems.append(f"{archive_file.name}: metadata at byte {offset}: {error}")
            return
        headers = record.rec_headers
        self.add_record(found, warc_file=archive_file.name, offset=offset,
                        record_id=headers.get_header("WARC-Record-ID"),
                        refers_to=headers.get_header("WARC-Refers-To"),
                        warc_date=headers.get_header("WARC-Date"), data=data)

    # -- lookups ---------------------------------------------------------------------------

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(sql, tuple(args)).fetchall()

    def capture(self, record_id: str) -> Capture | None:
        rows = self._query(f"{_CAPTURE_SELECT} WHERE record_id = ?", (record_id,))
        return Capture(*rows[0]) if rows else None

    def all_captures(self) -> list[Capture]:
        """Every capture, oldest first."""
        return [Capture(*row) for row in self._query(f"{_CAPTURE_SELECT} ORDER BY warc_date, record_id")]

    def find_captures(self, uri: str) -> list[Capture]:
        """Captures of `uri`, or, when it has none, of the same URL with or without its
        trailing slash or with the other of http/https (how people type URLs)."""
        for variant in url_variants(uri):
            found = self.captures_for(variant)
            if found:
                return found
        return []

    def captures_with_digest(self, digest: str) -> list[Capture]:
        rows = self._query(f"{_CAPTURE_SELECT} WHERE payload_digest = ? AND record_type != "
                           "'revisit' ORDER BY warc_date", (digest,))
        return [Capture(*row) for row in rows]

    def record_rows(self, limit: int | None = None) -> list[RecordRow]:
        sql = f"{_RECORD_SELECT} ORDER BY key" + (" LIMIT ?" if limit is not None else "")
        return [_record_row(row) for row in self._query(sql, [limit] if limit is not None else [])]

    def records_resting_on(self, record_id: str) -> list[RecordRow]:
        """Works whose provenance names this capture."""
        rows = self._query(f"{_RECORD_SELECT} WHERE instr(json, ?) ORDER BY key", (record_id,))
        found = [_record_row(row) for row in rows]
        return [row for row in found if record_id in _rests_on(row)]

    def warc_file_rows(self) -> list[tuple[str, int, str | None]]:
        """(name, size, sha256) of every WARC the catalog noted when it closed."""
        return [tuple(row) for row in self._query("SELECT name, size, sha256 FROM warc_files ORDER BY name")]

    def record_row(self, key: str) -> RecordRow | None:
        rows = self._query(f"{_RECORD_SELECT} WHERE key = ?", (key,))
        return _record_row(rows[0]) if rows else None

    def record_row_for_doi(self, doi: str) -> RecordRow | None:
        rows = self._query(f"{_RECORD_SELECT} WHERE doi = ? ORDER BY key LIMIT 1", (doi,))
        return _record_row(rows[0]) if rows else None

    def search(self, text: str, limit: int = 200) -> list[RecordRow]:
        """Works whose title, DOI, authors, container or URL hold every word of `text`
        (SQLite's LIKE narrows the rows first; the fields are then checked in Python)."""
        words = [w.casefold() for w in text.split()]
        # LIKE folds ASCII case only, and the JSON escapes quotes: such words skip it
        narrow = [w for w in words if w.isascii() and '"' not in w and "\\" not in w]
        sql = f"{_RECORD_SELECT} WHERE " + " AND ".join(["json LIKE ? ESCAPE '!'"] * len(narrow) or ["1"])
        likes = ["%" + w.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%" for w in narrow]
        found = []
        for row in map(_record_row, self._query(sql + " ORDER BY key", likes)):
            haystack = _search_text(row.data)
            if all(word in haystack for word in words):
                found.append(row)
                if len(found) >= limit:
                    break
        return found

    def file(self, name: str) -> ArchiveFile:
        try:
            return self.files[name]
        except KeyError:
            raise NoArchive(f"archive file {name} is not there") from None


def _record_row(row: tuple[Any, ...]) -> RecordRow:
    values = list(row)
    values[5] = json.loads(values[5])
    return RecordRow(*values)


def _rests_on(row: RecordRow) -> set[str]:
    prov = row.data.get("provenance", {})
    return {*prov.get("captures", []), prov.get("warc_record_id") or ""}


def _search_text(data: dict[str, Any]) -> str:
    parts = [data.get(k) or "" for k in ("title", "doi", "container", "source_url", "published")]
    parts += [a.get("name", "") for a in data.get("authors", [])]
    return " ".join(str(p) for p in parts).casefold()


def is_json_metadata(record: Any) -> bool:
    content_type = record.rec_headers.get_header("Content-Type") or ""
    return record.rec_type == "metadata" and content_type.split(";")[0].strip().lower() == (
        "application/json")


def arc_record_id(archive_file: ArchiveFile, offset: int) -> str:
    """ARC records have no id: name them by where they are, so the name never changes."""
    return f"<urn:coprod:arc:{archive_file.name}:{offset}>"


def url_variants(uri: str) -> Iterator[str]:
    yield uri
    others = [uri[:-1] if uri.endswith("/") else uri + "/"]
    if uri.startswith("http://"):
        others.append("https://" + uri[7:])
    elif uri.startswith("https://"):
        others.append("http://" + uri[8:])
    for other in list(others[1:]):
        others.append(other[:-1] if other.endswith("/") else other + "/")
    yield from others
