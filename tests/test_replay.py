"""`coprod replay list|show` and `coprod doi --from-archive` on an archive made by a real fetch:
the bundled demo site (pages written for the demo, with Crossref answers) and real fixture
pages behind doi.org, plus one hand-written article page served twice with different
content (gzip and chunked on the wire) to have two captures of one URL."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.sandbox.demo_site import demo_site
from crawler.sandbox.fixture_site import fixture_site
from crawler.sandbox.response import Response
from crawler.sandbox.server import SandboxWeb
from tests.cli_runner import json_lines, run_coprod
from tests.warc_checks import all_warcs, read_records

PLOS_DOI = "10.1371/journal.pone.0000001"  # real PLOS page; Crossref and DataCite answer 404
PEERJ_DOI = "10.7717/peerj.4375"  # real PeerJ page
DEMO_DOI = "10.5555/coprod.2020.0013"  # demo Cambridge-style page + its Crossref work
VERSIONED_DOI = "10.5555/replay.versioned"
VERSIONED_URL = "https://journal.example.org/article/versioned"
ETAG_DOI = "10.5555/replay.etag"  # served with an ETag: the second fetch gets 304 Not Modified
ETAG_URL = "https://journal.example.org/article/etag"


def article(title: str, sentence: str, doi: str = VERSIONED_DOI) -> str:
    """A small landing page with Highwire citation_* tags, like a journal article page."""
    return (
        "<!doctype html><html><head><meta charset=utf-8>"
        f"<title>{title}</title><meta name=citation_title content='{title}'>"
        "<meta name=citation_author content='Ada Example'>"
        f"<meta name=citation_doi content='{doi}'>"
        "<meta name=citation_publication_date content='2021/05/04'>"
        f"<meta name=citation_journal_title content='Journal of Replays'></head>"
        f"<body><h1>{title}</h1><div class=abstract><p>{sentence}</p></div></body></html>"
    )


FIRST = article("Co-producing care: the first version", "Service users and staff co-produce day care.")
SECOND = article("Co-producing care: the revised version", "A revised abstract about co-production.")
UNCHANGED = article("Co-production in welfare: an unchanged page", "Nothing changes here.", ETAG_DOI)


@pytest.fixture(scope="module")
def web(fixtures_dir: Path):
    site, _ = demo_site()
    fixture_site(fixtures_dir, site=site)
    site.redirect(f"https://doi.org/{VERSIONED_DOI}", VERSIONED_URL, status=302)
    site.add_sequence(VERSIONED_URL, [
        Response(body=FIRST, content_type="text/html; charset=utf-8", gzip=True, chunked=True),
        Response(body=SECOND, content_type="text/html; charset=utf-8", gzip=True, chunked=True),
    ])
    site.redirect(f"https://doi.org/{ETAG_DOI}", ETAG_URL, status=302)
    site.add(ETAG_URL, body=UNCHANGED, content_type="text/html; charset=utf-8", etag="v1")
    with SandboxWeb(site) as server:
        yield server


@pytest.fixture(scope="module")
def archive(web: SandboxWeb, tmp_path_factory: pytest.TempPathFactory):
    """Two fetches into one data dir: all DOIs, then the versioned and the ETag DOIs again."""
    data = tmp_path_factory.mktemp("replay-data")
    first = run_coprod("doi", PLOS_DOI, PEERJ_DOI, DEMO_DOI, VERSIONED_DOI, ETAG_DOI, data_dir=data,
                       resolve=web.resolve_rules)
    assert first.returncode == 0, first.stderr
    second = run_coprod("doi", VERSIONED_DOI, ETAG_DOI, data_dir=data, resolve=web.resolve_rules)
    assert second.returncode == 0, second.stderr
    records = {r["doi"]: r for r in json_lines(first.stdout)}
    records.update({r["doi"] + "#2": r for r in json_lines(second.stdout)})
    return data, records


def coprod(capsys: pytest.CaptureFixture[bytes], *args: str) -> tuple[int, bytes, str]:
    """Run the CLI in this process (replay needs no reactor): exit code, stdout bytes, stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err.decode()


def warc_responses(data: Path) -> list[dict]:
    """Response and revisit records (a re-fetch of an unchanged URL is archived as a revisit)."""
    return [dict(r, file=p.name) for p in all_warcs(data) for r in read_records(p)
            if r["type"] in ("response", "revisit")]


def test_list_gives_every_capture_with_where_it_is(archive, capsysbinary) -> None:
    data, _ = archive
    code, out, _ = coprod(capsysbinary, "replay", "list", "--json", "--data-dir", str(data))
    assert code == 0
    listed = {row["record_id"]: row for row in map(json.loads, out.splitlines())}
    responses = warc_responses(data)
    assert len(listed) == len(responses) > 20
    for response in responses:
        headers = response["headers"]
        row = listed[headers["WARC-Record-ID"]]
        assert (row["warc_file"], row["offset"]) == (response["file"], response["offset"])
        assert row["digest"] == headers["WARC-Payload-Digest"]
        assert row["size"] == int(headers["Content-Length"])
        assert row["status"] == int(response["http"].get_statuscode())
        assert row["time"] == headers["WARC-Date"] and row["uri"] == headers["WARC-Target-URI"]
    times = [row["time"] for row in listed.values()]
    assert times == sorted(times)


def test_list_by_doi_is_the_chain_the_record_rests_on(archive, capsysbinary) -> None:
    data, records = archive
    code, out, _ = coprod(capsysbinary, "replay", "list", f"doi:{PLOS_DOI}", "--data-dir", str(data))
    assert code == 0
    rows = [line.split("\t") for line in out.decode().splitlines()]
    by_uri = {row[6]: row for row in rows}
    assert by_uri[f"https://doi.org/{PLOS_DOI}"][1] == "302"
    landing = records[PLOS_DOI]["source_url"]
    assert by_uri[landing][1] == "200"
    code, out, _ = coprod(capsysbinary, "replay", "list", PLOS_DOI, "--json", "--data-dir", str(data))
    ids = [json.loads(line)["record_id"] for line in out.splitlines()]
    assert sorted(ids) == sorted(records[PLOS_DOI]["provenance"]["captures"])


def test_list_since(archive, capsysbinary) -> None:
    data, _ = archive
    code, out, err = coprod(capsysbinary, "replay", "list", "--since", "2999-01-01", "--data-dir", str(data))
    assert (code, out) == (1, b"") and "no captures" in err
    code, out, _ = coprod(capsysbinary, "replay", "list", "--since", "20000101", "--data-dir", str(data))
    assert code == 0 and len(out.splitlines()) == len(warc_responses(data))
    code, _, err = coprod(capsysbinary, "replay", "list", "--since", "last tuesday", "--data-dir", str(data))
    assert code == 2 and "--since" in err


def test_show_gives_the_page_as_served(archive, fixtures_dir: Path, capsysbinary) -> None:
    data, records = archive
    code, out, err = coprod(capsysbinary, "replay", "show", PLOS_DOI, "--data-dir", str(data))
    assert code == 0
    page = fixtures_dir / "publisher_html" / "plos_one_pone.0000001.html"
    assert out == page.read_bytes()
    assert records[PLOS_DOI]["provenance"]["warc_record_id"] is not None
    assert records[PLOS_DOI]["source_url"] in err


def test_show_raw_and_headers_keep_the_stored_bytes(archive, capsysbinary) -> None:
    data, _ = archive
    code, decoded, _ = coprod(capsysbinary, "replay", "show", VERSIONED_URL, "--data-dir", str(data))
    assert code == 0 and decoded == SECOND.encode()
    code, raw, _ = coprod(capsysbinary, "replay", "show", VERSIONED_URL, "--raw", "--data-dir", str(data))
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Content-Encoding: gzip" in head
    assert b"Transfer-Encoding" not in head  # stored de-chunked, as the README says
    assert gzip.decompress(payload) == SECOND.encode()
    code, both, _ = coprod(capsysbinary, "replay", "show", VERSIONED_URL, "--headers",
                           "--data-dir", str(data))
    assert both.startswith(b"WARC-Type: response\r\n") or b"\r\nWARC-Type: response\r\n" in both
    assert f"WARC-Target-URI: {VERSIONED_URL}".encode() in both
    assert both.endswith(b"\r\n\r\n" + SECOND.encode())


def test_show_at_picks_the_nearest_capture(archive, capsysbinary) -> None:
    data, records = archive
    first_time = records[VERSIONED_DOI]["provenance"]["fetched_at"]
    second_time = records[VERSIONED_DOI + "#2"]["provenance"]["fetched_at"]
    assert first_time < second_time
    code, out, err = coprod(capsysbinary, "replay", "show", VERSIONED_URL, "--at", first_time,
                            "--data-dir", str(data))
    assert code == 0 and out == FIRST.encode() and first_time in err
    code, out, _ = coprod(capsysbinary, "replay", "show", VERSIONED_DOI, "--at", "2000-01-01",
                          "--data-dir", str(data))
    assert out == FIRST.encode()  # long before both: the nearer is the first
    code, out, _ = coprod(capsysbinary, "replay", "show", VERSIONED_DOI, "--data-dir", str(data))
    assert out == SECOND.encode()  # the record now in the catalog came from the second fetch


def test_show_errors(archive, capsysbinary) -> None:
    data, _ = archive
    code, out, err = coprod(capsysbinary, "replay", "show", "https://never.example.org/",
                            "--data-dir", str(data))
    assert (code, out) == (1, b"") and "nothing archived" in err
    code, _, err = coprod(capsysbinary, "replay", "show", "--data-dir", str(data))
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = coprod(capsysbinary, "replay", "list", "--data-dir", str(data / "nothing"))
    assert code == 2 and "no catalog" in err


def test_from_archive_rerun_fetches_nothing_and_gives_the_same_records(archive, web) -> None:
    data, records = archive
    before = len(warc_responses(data))
    web.clear_hits()
    newest = {c["uri"]: c for c in map(json.loads, _list_json(data))}
    assert newest[ETAG_URL]["type"] == "revisit" and newest[ETAG_URL]["status"] == 304
    rerun = run_coprod("doi", PLOS_DOI, PEERJ_DOI, DEMO_DOI, VERSIONED_DOI, ETAG_DOI, "--from-archive",
                       data_dir=data, resolve=web.resolve_rules)
    assert rerun.returncode == 0, rerun.stderr
    assert web.hits == [], "a --from-archive run must not touch the (sandbox) web"
    again = {r["doi"]: r for r in json_lines(rerun.stdout)}
    expected = {doi: records[doi] for doi in (PLOS_DOI, PEERJ_DOI, DEMO_DOI)}
    expected[VERSIONED_DOI] = records[VERSIONED_DOI + "#2"]  # the newest capture answers
    expected[ETAG_DOI] = records[ETAG_DOI + "#2"]  # a 304 revisit answers with what it confirmed
    assert again == expected
    assert len(warc_responses(data)) == before  # cache hits are not archived again


def _list_json(data: Path) -> list[bytes]:
    done = run_coprod("replay", "list", "--json", data_dir=data, delay=None)
    assert done.returncode == 0, done.stderr
    return done.stdout.encode().splitlines()
