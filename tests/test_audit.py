"""`coprod audit` on an archive made by a real fetch, then broken on purpose: a payload
changed with its old digests kept, a truncated file, a deleted record, edited catalog rows,
a file left `.open`, and records stored by another extractor version."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest

from archive import warcrecords
from archive.catalog import rebuild
from archive.warcwriter import RollingWarcWriter
from crawler.cli import main
from crawler.sandbox.demo_site import demo_site
from crawler.sandbox.fixture_site import fixture_site
from crawler.sandbox.server import SandboxWeb
from extractors import EXTRACTOR_VERSION
from tests.cli_runner import json_lines, run_coprod
from tests.warc_checks import all_warcs

PLOS_DOI = "10.1371/journal.pone.0000001"  # real PLOS page
PLOS_TITLE = "Neural Substrate of Cold-Seeking Behavior in Endotoxin Shock"  # its citation_title
DEMO_DOI = "10.5555/coprod.2020.0013"  # demo Cambridge-style page merged with its Crossref work


@pytest.fixture(scope="module")
def pristine(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    site, _ = demo_site()
    fixture_site(fixtures_dir, site=site)
    data = tmp_path_factory.mktemp("audit-pristine")
    with SandboxWeb(site) as web:
        done = run_coprod("doi", PLOS_DOI, DEMO_DOI, data_dir=data, resolve=web.resolve_rules)
    assert done.returncode == 0, done.stderr
    return data, {r["doi"]: r for r in json_lines(done.stdout)}


@pytest.fixture
def archive(pristine, tmp_path: Path):
    """A copy of the pristine archive for one test to break."""
    data, records = pristine
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    return copy, records


def audit(capsys: pytest.CaptureFixture[str], data: Path, *extra: str) -> tuple[int, dict, str]:
    code = main(["audit", "--json", "--data-dir", str(data), *extra])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def findings(report: dict, severity: str, check: str | None = None) -> list[dict]:
    return [f for f in report["findings"]
            if f["severity"] == severity and (check is None or f["check"] == check)]


def members(path: Path) -> list[tuple[int, int, bytes]]:
    """(offset, length, decompressed bytes) of each gzip member: one WARC record each."""
    data, out, pos = path.read_bytes(), [], 0
    while pos < len(data):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        record = inflater.decompress(data[pos:])
        used = len(data) - pos - len(inflater.unused_data)
        out.append((pos, used, record))
        pos += used
    return out


def the_warc(data: Path) -> Path:
    (path,) = all_warcs(data)
    return path


def landing_member(path: Path, record_id: str) -> tuple[int, int, bytes]:
    return next(m for m in members(path) if f"WARC-Record-ID: {record_id}".encode() in m[2])


def test_a_sound_archive_passes(archive, capsys) -> None:
    data, records = archive
    code, report, err = audit(capsys, data)
    assert code == 0, err
    assert report["records"] == report["rederived"] == len(records) == 2
    assert report["files"] == 1 and report["warc_records"] == report["digests_verified"] > 20
    assert not [f for f in report["findings"] if f["severity"] != "note"]
    assert "0 failure(s), 0 diff(s)" in err


def test_tampered_payload_with_old_digests(archive, capsys) -> None:
    data, records = archive
    path = the_warc(data)
    landing_id = records[PLOS_DOI]["provenance"]["warc_record_id"]
    offset, length, record = landing_member(path, landing_id)
    assert PLOS_TITLE.encode() in record
    forged = record.replace(b"Cold-Seeking", b"Warm-Seeking")  # same length: headers still fit
    raw = path.read_bytes()
    path.write_bytes(raw[:offset] + gzip.compress(forged) + raw[offset + length:])
    code, report, err = audit(capsys, data)
    assert code == 1
    digest = [f for f in findings(report, "failure", "integrity")
              if f["details"].get("record_id") == landing_id]
    assert digest and "block digest failed" in digest[0]["message"]
    assert "payload digest failed" in digest[0]["message"]
    diffs = findings(report, "diff", "rederive")
    assert [d["where"] for d in diffs] == [PLOS_DOI]
    title = next(f for f in diffs[0]["details"]["fields"] if f["field"] == "title")
    assert title["stored"] == PLOS_TITLE and title["derived"] == PLOS_TITLE.replace("Cold", "Warm")
    assert "changed since it was closed" in err


def test_truncated_file(archive, capsys) -> None:
    data, _ = archive
    path = the_warc(data)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    code, report, _ = audit(capsys, data)
    assert code == 1
    torn = [f for f in findings(report, "failure", "integrity") if "does not read to its end" in f["message"]]
    assert len(torn) == 1 and torn[0]["where"].startswith(path.name + ":")
    assert int(torn[0]["where"].rsplit(":", 1)[1]) < len(raw) // 2
    assert findings(report, "failure", "provenance")  # the catalog points past the cut


def test_deleted_record(archive, capsys) -> None:
    data, records = archive
    path = the_warc(data)
    landing_id = records[DEMO_DOI]["provenance"]["warc_record_id"]
    offset, length, _ = landing_member(path, landing_id)
    raw = path.read_bytes()
    path.write_bytes(raw[:offset] + raw[offset + length:])
    code, report, _ = audit(capsys, data)
    assert code == 1
    about_demo = [f["message"] for f in report["findings"] if f["where"] == DEMO_DOI]
    assert f"response record {landing_id} does not exist in the WARC files" in about_demo
    assert any(m.startswith("cannot re-derive: capture " + landing_id) for m in about_demo)
    assert any(f["where"] == landing_id and "points at nothing" in f["message"]
               for f in findings(report, "failure", "provenance"))
    # the other work still follows from its bytes (its rows only moved with the cut)
    assert not [f for f in report["findings"] if f["where"] == PLOS_DOI and f["check"] == "rederive"]


def test_edited_catalog_rows(archive, capsys) -> None:
    data, records = archive
    with sqlite3.connect(data / "catalog.sqlite") as db:
        db.execute("UPDATE records SET title = 'A better title', json = replace(json, ?, "
                   "'A better title') WHERE doi = ?", (PLOS_TITLE, PLOS_DOI))
        db.execute('UPDATE captures SET "offset" = "offset" + 1 WHERE record_id = ?',
                   (records[DEMO_DOI]["provenance"]["warc_record_id"],))
    code, report, _ = audit(capsys, data)
    assert code == 1
    failures = {f["where"]: f for f in findings(report, "failure", "provenance")}
    assert failures[PLOS_DOI]["details"]["columns"] == ["title", "json"]
    assert failures[records[DEMO_DOI]["provenance"]["warc_record_id"]]["details"]["columns"] == ["offset"]
    assert not findings(report, "failure", "integrity")  # the WARC itself is untouched
    assert not findings(report, "diff")  # re-derivation compares with the WARC's copy


def test_open_file_left_behind(archive, capsys) -> None:
    data, _ = archive
    (data / "warcs" / "coprod-20990101000000000-00000-host.warc.gz.open").write_bytes(b"")
    code, report, _ = audit(capsys, data)
    assert code == 1
    assert [f["where"] for f in findings(report, "failure", "integrity")] == [
        "coprod-20990101000000000-00000-host.warc.gz.open"]


def _store_again(data: Path, record: dict, **changes: object) -> None:
    """Archive a later metadata record for the same work (as a re-run would), then rebuild."""
    stored = json.loads(json.dumps(record))
    for name, value in changes.items():
        if name == "extractor_version":
            stored["provenance"]["extractor_version"] = value
        else:
            stored[name] = value
    writer = RollingWarcWriter(data / "warcs", {"software": "test"}, prefix="zz-later")
    writer.write(warcrecords.metadata_record(stored["source_url"], stored,
                                             refers_to=stored["provenance"]["warc_record_id"]))
    writer.close()
    rebuild(data / "catalog.sqlite", all_warcs(data)).close()


def test_diff_explained_by_another_extractor_version(archive, capsys) -> None:
    data, records = archive
    assert EXTRACTOR_VERSION != "0.0.1"
    _store_again(data, records[PLOS_DOI], title="An older reading of the title",
                 extractor_version="0.0.1")
    code, report, err = audit(capsys, data)
    assert code == 1
    (explained,) = findings(report, "explained")
    assert explained["where"] == PLOS_DOI and "0.0.1" in explained["message"]
    assert [f["field"] for f in explained["details"]["fields"]] == ["title"]
    assert not findings(report, "diff") and not findings(report, "failure")
    code, _, _ = audit(capsys, data, "--accept-newer-extractor")
    assert code == 0


def test_diff_with_the_same_extractor_version_is_not_explained(archive, capsys) -> None:
    data, records = archive
    _store_again(data, records[DEMO_DOI], volume="99")
    code, report, _ = audit(capsys, data, "--accept-newer-extractor")
    assert code == 1
    (diff,) = findings(report, "diff")
    assert diff["where"] == DEMO_DOI
    assert diff["details"]["fields"] == [{"field": "volume", "stored": "99",
                                          "derived": records[DEMO_DOI]["volume"]}]


def test_files_on_their_own_and_usage(archive, capsys) -> None:
    data, _ = archive
    code = main(["audit", "--warc", str(the_warc(data)), "--no-rederive"])
    _, err = capsys.readouterr()
    assert code == 0 and "2 records, 0 re-derived" in err
    code = main(["audit", "--data-dir", str(data / "missing")])
    _, err = capsys.readouterr()
    assert code == 2 and len(err.strip().splitlines()) == 1
