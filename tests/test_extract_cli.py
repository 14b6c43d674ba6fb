"""`coprod extract`: one saved page or API response -> one JSON record; a WARC -> JSON lines.

Runs the real command in a subprocess (tests/cli_runner.py). Inputs are fixture files read in
place, small bodies written here, and a WARC built here with archive.warcwriter and
archive.warcrecords (the crawler's own writer), so `--warc` reads what a crawl would leave.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive import warcrecords
from archive.warcread import iter_responses
from archive.warcwriter import RollingWarcWriter
from tests.cli_runner import json_lines, run_coprod

ACP = "publisher_html/acp_annals_M19-3075_atypon.html"
ACP_URL = "https://www.acpjournals.org/doi/10.7326/M19-3075"
CROSSREF = "aggregator_json/crossref_work_elife.01567.json"
CHALLENGE = "other/cloudflare_challenge_tandfonline.html"
HTML_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"


def test_saved_page_gives_one_json_record(fixtures_dir: Path) -> None:
    result = run_coprod("extract", str(fixtures_dir / ACP), "--url", ACP_URL, delay=None)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["doi"] == "10.7326/m19-3075"
    assert record["container"] == "Annals of Internal Medicine"
    assert record["abstract"].startswith("Background: Observational studies")
    assert record["source_url"] == ACP_URL
    assert record["provenance"]["fields"]["abstract"] == "platform:atypon"
    assert record["provenance"]["extractor_version"]


def test_api_response_from_stdin(fixtures_dir: Path) -> None:
    body = (fixtures_dir / CROSSREF).read_text(encoding="utf-8")
    result = run_coprod("extract", "-", "--url", "https://api.crossref.org/works/10.7554/eLife.01567",
                        delay=None, stdin=body)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["doi"] == "10.7554/elife.01567"
    assert set(record["provenance"]["fields"].values()) == {"api:crossref"}


@pytest.mark.parametrize(("body", "why"), [
    (b"", "empty body"),
    (b"   \n\t", "empty body"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary input (PDF)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary input (PNG)"),
    (b'{"message": {"title": ["unterminated"', "malformed JSON"),
])
def test_unusable_input_exits_2_with_one_line(tmp_path: Path, body: bytes, why: str) -> None:
    path = tmp_path / "saved"
    path.write_bytes(body)
    result = run_coprod("extract", str(path), "--url", "https://example.org/x", delay=None)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coprod extract:") and why in lines[0]


def test_challenge_page_exits_1_and_says_why(fixtures_dir: Path) -> None:
    result = run_coprod("extract", str(fixtures_dir / CHALLENGE), "--url",
                        "https://www.tandfonline.com/doi/full/10.1080/00268976.2013.788745",
                        delay=None)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "anti-bot challenge page (cloudflare)" in result.stderr


@pytest.mark.parametrize("args", [
    ["extract"],  # nothing to read
    ["extract", "page.html"],  # no --url
    ["extract", "page.html", "--url", "https://example.org/", "--warc", "x.warc.gz"],
    ["extract", "does-not-exist.html", "--url", "https://example.org/"],
    ["extract", "--warc", "does-not-exist.warc.gz"],
])
def test_bad_usage_exits_2(tmp_path: Path, args: list[str]) -> None:
    result = run_coprod(*args, delay=None, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == "" and result.stderr.strip()


def _warc(directory: Path, responses: list[tuple[str, bytes, bytes]]) -> Path:
    """A WARC as a crawl writes it: a request and a response per exchange, then a metadata
    record (which `--warc` must skip: only responses are re-extracted)."""
    writer = RollingWarcWriter(directory, {"software": "coprod tests"}, prefix="extract-cli")
    for number, (uri, head, body) in enumerate(responses):
        date = warcrecords.iso_date(1_700_000_000 + number)
        response = warcrecords.response_record(uri, head, body, date=date)
        request = warcrecords.request_record(
            uri, b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n", date=date,
            concurrent_to=warcrecords.record_id(response))
        writer.write_group([request, response])
    writer.write(warcrecords.metadata_record(responses[0][0], {"note": "not a response"},
                                             refers_to=None))
    path = writer.close()
    assert path is not None and path.name.endswith(".warc.gz")
    return path


def test_warc_gives_one_line_per_response(fixtures_dir: Path, tmp_path: Path) -> None:
    responses = [
        (ACP_URL, HTML_HEAD, (fixtures_dir / ACP).read_bytes()),
        ("https://api.crossref.org/works/10.7554/eLife.01567", JSON_HEAD,
         (fixtures_dir / CROSSREF).read_bytes()),
        ("https://www.tandfonline.com/doi/full/10.1080/00268976.2013.788745",
         b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\ncf-mitigated: challenge\r\n\r\n",
         (fixtures_dir / CHALLENGE).read_bytes()),
    ]
    path = _warc(tmp_path, responses)
    result = run_coprod("extract", "--warc", str(path), delay=None)
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    assert len(lines) == 3  # requests and the metadata record are not responses
    archived = list(iter_responses(path))
    page, api, challenge = lines
    assert page["doi"] == "10.7326/m19-3075" and api["doi"] == "10.7554/elife.01567"
    for line, response in zip((page, api), archived, strict=False):
        provenance = line["provenance"]
        assert provenance["warc_file"] == path.name
        assert provenance["warc_record_id"] == response.record_id
        assert provenance["offset"] == response.offset
        assert provenance["fetched_at"] == response.date
    assert challenge["url"] == responses[2][0]
    assert challenge["warc_record_id"] == archived[2].record_id
    assert "challenge" in challenge["reason"]


def test_warc_with_an_unusable_response_exits_1(fixtures_dir: Path, tmp_path: Path) -> None:
    path = _warc(tmp_path, [(ACP_URL, HTML_HEAD, (fixtures_dir / ACP).read_bytes()),
                            ("https://example.org/empty", HTML_HEAD, b"")])
    result = run_coprod("extract", "--warc", str(path), delay=None)
    assert result.returncode == 1
    page, empty = json_lines(result.stdout)
    assert page["title"].startswith("The Effect of Influenza Vaccination for the Elderly")
    assert empty["url"] == "https://example.org/empty" and "empty body" in empty["error"]


@pytest.mark.parametrize("body", [
    b"this is not a WARC file at all\n" * 10,  # five words a line: warcio would read ARC
    b"<html><body>a saved page</body></html>\n",
    b"\x00\x01\x02 binary",
])
def test_not_a_warc_exits_2(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "fake.warc.gz"
    path.write_bytes(body)
    result = run_coprod("extract", "--warc", str(path), delay=None)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coprod extract:") and result.stdout == ""


def test_torn_warc_never_crashes(fixtures_dir: Path, tmp_path: Path) -> None:
    # warcio hands back what a torn gzip member held, without an error: the command prints
    # what it could read (here the page's first half still names the work) and does not crash.
    path = _warc(tmp_path, [(ACP_URL, HTML_HEAD, (fixtures_dir / ACP).read_bytes())])
    data = path.read_bytes()
    torn = tmp_path / "torn.warc.gz"
    torn.write_bytes(data[: len(data) // 2] + b"\x1f\x8bjunk")
    result = run_coprod("extract", "--warc", str(torn), delay=None)
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1, 2)
    assert [line.get("doi") for line in json_lines(result.stdout)] == ["10.7326/m19-3075"]
