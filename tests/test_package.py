"""`coprod package --wacz`: a WACZ of the demo DOIs' archive that py-wacz's own validator
accepts, whose hashes, index and pages we check ourselves, and which coprod can replay and
audit on its own; --query packs only one work and what it rests on."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.sandbox import SandboxWeb, demo_site
from tests.cli_runner import json_lines, run_coprod
from tests.warc_checks import BIN, all_warcs, read_records

QUERY_DOI = "10.5555/coprod.2022.0027"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """The demo's DOIs fetched from the bundled demo site (as `coprod demo` does)."""
    data = tmp_path_factory.mktemp("package-data")
    site, dois = demo_site()
    with SandboxWeb(site) as web:
        done = run_coprod("doi", *dois, data_dir=data, resolve=web.resolve_rules)
    assert done.returncode == 0, done.stderr
    return data, {r["doi"]: r for r in json_lines(done.stdout)}


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "wacz"), "validate", "-f", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_whole_archive_wacz_validates_and_hashes_match(demo, tmp_path: Path, capsys) -> None:
    data, records = demo
    out = tmp_path / "all.wacz"
    assert main(["package", "--wacz", str(out), "--data-dir", str(data)]) == 0
    checked = validate(out)
    assert checked.returncode == 0 and "is valid" in checked.stdout, checked.stdout + checked.stderr
    with zipfile.ZipFile(out) as package:
        names = set(package.namelist())
        warcs = all_warcs(data)
        assert {f"archive/{p.name}" for p in warcs} <= names
        assert {"indexes/index.cdx.gz", "pages/pages.jsonl", "datapackage.json"} <= names
        for warc in warcs:  # the WARCs go in byte for byte
            assert package.read(f"archive/{warc.name}") == warc.read_bytes()
        datapackage = json.loads(package.read("datapackage.json"))
        listed = {resource["path"]: resource for resource in datapackage["resources"]}
        assert set(listed) == names - {"datapackage.json", "datapackage-digest.json"}
        for path, resource in listed.items():  # WACZ 1.1: "hash" is "sha256:<hex>"
            content = package.read(path)
            assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
            assert resource["bytes"] == len(content)
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()]
        index = gzip.decompress(package.read("indexes/index.cdx.gz")).decode()
    assert pages[0]["format"] == "json-pages-1.0"
    responses = {r["headers"]["WARC-Record-ID"]: r for w in warcs for r in read_records(w)}
    expected = {}
    for record in records.values():
        response = responses[record["provenance"]["warc_record_id"]]
        if response["http"].get_header("Content-Type", "").startswith("text/html"):
            expected[response["headers"]["WARC-Target-URI"]] = record["title"]
    assert {p["url"]: p["title"] for p in pages[1:]} == expected and expected
    for response in responses.values():
        if response["type"] == "response":
            assert json.dumps(response["headers"]["WARC-Target-URI"]) in index


def test_query_packs_one_work_that_replays_and_audits_alone(demo, tmp_path: Path, capsys) -> None:
    data, records = demo
    record = records[QUERY_DOI]
    out = tmp_path / "one.wacz"
    assert main(["package", "--wacz", str(out), "--query", QUERY_DOI, "--data-dir", str(data)]) == 0
    capsys.readouterr()
    assert validate(out).returncode == 0
    assert main(["replay", "list", "--json", "--warc", str(out)]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["record_id"] for r in listed) == sorted(record["provenance"]["captures"])
    assert main(["audit", "--json", "--warc", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["records"] == report["rederived"] == 1  # re-derived from the WACZ alone
    assert report["digests_verified"] == report["warc_records"]  # copied byte for byte


def test_package_refusals(demo, tmp_path: Path, capsys) -> None:
    data, _ = demo
    out = tmp_path / "none.wacz"
    assert main(["package", "--wacz", str(out), "--query", "no such words anywhere",
                 "--data-dir", str(data)]) == 1
    assert not out.exists()
    assert main(["package", "--wacz", str(tmp_path / "x.zip"), "--data-dir", str(data)]) == 2
    assert main(["package", "--wacz", str(out), "--data-dir", str(tmp_path / "empty")]) == 2
    assert not out.exists()
