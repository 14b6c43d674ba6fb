"""`coprod doi` end to end on the sandbox web: real fixture pages behind doi.org redirect chains,
Crossref/DataCite JSON, and what lands in the WARC files, the catalog and on stdout."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from crawler.sandbox.fixture_site import fixture_site
from crawler.sandbox.server import SandboxWeb
from tests.cli_runner import json_lines, run_coprod
from tests.warc_checks import all_warcs, assert_valid_warc, read_records

PAGE_DOI = "10.1371/journal.pone.0000001"  # real PLOS page; no Crossref/DataCite JSON for it
API_DOI = "10.7554/elife.01567"  # real Crossref JSON; its landing page answers a Cloudflare challenge
ROBOTS_DOI = "10.1038/srep16696"  # real Crossref JSON; its landing page is disallowed by robots.txt
FLAKY_DOI = "10.5555/always-503"
DATACITE_DOI = "10.5061/dryad.8515"  # real DataCite JSON; Crossref does not know it; landing page 404


@pytest.fixture(scope="module")
def web(fixtures_dir: Path):
    fixtures = fixture_site(fixtures_dir)
    site = fixtures.site
    challenge = fixtures_dir / "other" / "cloudflare_challenge_tandfonline.html"
    site.redirect(f"https://doi.org/{API_DOI}", "https://elifesciences.org/articles/01567", status=302)
    site.add("https://elifesciences.org/articles/01567", file=challenge, status=403,
             content_type="text/html; charset=UTF-8")
    site.redirect(f"https://doi.org/{ROBOTS_DOI}", "https://www.nature.com/articles/srep16696", status=302)
    site.robots("https://www.nature.com/", "User-agent: *\nDisallow: /articles/srep16696\n")
    site.add("https://www.nature.com/articles/srep16696", body="<html>must never be fetched</html>")
    site.redirect(f"https://doi.org/{FLAKY_DOI}", "https://flaky.example.org/work", status=302)
    site.add("https://flaky.example.org/work", body="overloaded", status=503)
    site.redirect(f"https://doi.org/{DATACITE_DOI}", "https://datadryad.org/stash/dataset/gone", status=302)
    site.add("https://datadryad.org/stash/dataset/gone", body="<html>Not here</html>", status=404)
    with SandboxWeb(site) as server:
        yield server


@pytest.fixture(scope="module")
def fetched(web: SandboxWeb, tmp_path_factory: pytest.TempPathFactory):
    """One batch run shared by the assertions below: a page DOI, an API-only DOI, an unknown DOI."""
    data = tmp_path_factory.mktemp("doi-data")
    web.clear_hits()
    done = run_coprod("doi", f"doi:{PAGE_DOI}", f"https://doi.org/{API_DOI}", "10.5555/no-such-doi",
                      "--mailto", "reviewer@example.org", data_dir=data, resolve=web.resolve_rules)
    return done, data, web.hits


def test_batch_exit_code_and_stderr(fetched) -> None:
    done, _, _ = fetched
    assert done.returncode == 1, done.stderr  # one DOI unknown: the rest is done, exit 1
    assert "10.5555/no-such-doi: DOI not found at doi.org (404)" in done.stderr
    records = json_lines(done.stdout)
    assert [r["doi"] for r in records] == [PAGE_DOI, API_DOI]  # input order


def test_page_record_fields_and_provenance(fetched) -> None:
    done, data, _ = fetched
    record = json_lines(done.stdout)[0]
    assert record["title"] == "Neural Substrate of Cold-Seeking Behavior in Endotoxin Shock"
    assert record["container"] == "PLOS ONE"
    assert record["source_url"].startswith("https://journals.plos.org/plosone/article")
    prov = record["provenance"]
    assert prov["warc_file"].endswith(".warc.gz") and (data / "warcs" / prov["warc_file"]).exists()
    assert prov["fields"]["title"].split(":")[0] in ("embedded", "platform")
    assert prov["extractor_version"]
    assert any("crossref: HTTP 404" in note for note in prov["notes"])


def test_api_only_record_when_landing_is_a_challenge(fetched) -> None:
    done, _, _ = fetched
    record = json_lines(done.stdout)[1]
    assert record["title"]
    assert record["provenance"]["fields"]["title"] == "api:crossref"
    notes = " ".join(record["provenance"]["notes"])
    assert "HTTP 403" in notes and "registration agency API only" in notes


def test_robots_fetched_first_and_mailto_sent(fetched) -> None:
    _, _, hits = fetched
    for host in {hit.host for hit in hits}:
        host_hits = [hit for hit in hits if hit.host == host]
        assert host_hits[0].path == "/robots.txt", f"{host}: first request was {host_hits[0].path}"
    crossref = [hit for hit in hits if hit.host == "api.crossref.org" and hit.path != "/robots.txt"]
    assert crossref and all("mailto=reviewer%40example.org" in hit.target for hit in crossref)
    agent = crossref[0].headers.get("User-Agent", "")
    assert agent.startswith("coprod/") and "mailto:reviewer@example.org" in agent


def test_every_exchange_archived_as_request_response_pairs(fetched) -> None:
    _, data, hits = fetched
    warcs = all_warcs(data)
    assert warcs and not list((data / "warcs").glob("*.open"))
    records = [r for path in warcs for r in read_records(path)]
    for path in warcs:
        assert_valid_warc(path)
        assert path.with_name(path.name.removesuffix(".warc.gz") + ".cdxj").exists()
    info = records[0]
    assert info["type"] == "warcinfo"
    fields = info["payload"].decode()
    for name in ("software: coprod/", "hostname:", "operator: reviewer@example.org", "robots: obey",
                 "format: WARC File Format 1.1", "conformsTo:", "isPartOf: coprod-", "coprod-settings:"):
        assert name in fields
    responses = [r for r in records if r["type"] == "response"]
    requests = {r["headers"]["WARC-Concurrent-To"]: r for r in records if r["type"] == "request"}
    assert len(responses) == len(hits), "one response record per request the server saw"
    for response in responses:
        headers = response["headers"]
        assert headers["WARC-Record-ID"] in requests
        assert headers["WARC-IP-Address"] == "127.0.0.1"
        assert headers["WARC-Block-Digest"].startswith("sha1:")
        assert headers["WARC-Payload-Digest"].startswith("sha1:")
        assert requests[headers["WARC-Record-ID"]]["headers"]["WARC-Target-URI"] == headers["WARC-Target-URI"]
    uris = [r["headers"]["WARC-Target-URI"] for r in responses]
    assert f"https://doi.org/{PAGE_DOI}" in uris  # the redirect hop itself
    assert "https://doi.org/robots.txt" in uris
    assert any(u.startswith("https://journals.plos.org/plosone/article") for u in uris)
    assert any(u.startswith(f"https://api.crossref.org/works/{API_DOI}") for u in uris)
    assert any(u.startswith(f"https://api.datacite.org/dois/{PAGE_DOI}") for u in uris)
    hop = next(r for r in responses if r["headers"]["WARC-Target-URI"] == f"https://doi.org/{PAGE_DOI}")
    assert hop["http"].get_statuscode() in ("301", "302")


def test_records_are_metadata_records_referring_to_their_response(fetched) -> None:
    done, data, _ = fetched
    records = [r for path in all_warcs(data) for r in read_records(path)]
    by_id = {r["headers"]["WARC-Record-ID"]: r for r in records}
    metadata = [r for r in records if r["type"] == "metadata"]
    assert len(metadata) == 2
    for stored, printed in zip(sorted(metadata, key=lambda r: json.loads(r["payload"])["doi"]),
                               sorted(json_lines(done.stdout), key=lambda r: r["doi"]), strict=True):
        assert stored["headers"]["Content-Type"] == "application/json"
        refers = stored["headers"]["WARC-Refers-To"]
        assert by_id[refers]["type"] == "response"
        body = json.loads(stored["payload"])
        assert body["provenance"]["warc_record_id"] == refers == printed["provenance"]["warc_record_id"]
        assert body["title"] == printed["title"]
        offset = printed["provenance"]["offset"]
        assert by_id[refers]["offset"] == offset


def test_catalog_indexes_and_rebuilds_equal(fetched) -> None:
    _, data, _ = fetched
    from archive.catalog import Catalog

    with Catalog(data / "catalog.sqlite") as catalog:
        before = catalog.dump()
    assert sqlite3.connect(data / "catalog.sqlite").execute("select count(*) from records").fetchone()[0] == 2
    done = run_coprod("catalog", "rebuild", data_dir=data)
    assert done.returncode == 0, done.stderr
    with Catalog(data / "catalog.sqlite") as catalog:
        assert catalog.dump() == before


def test_unmapped_failure_is_retried_then_recorded(web: SandboxWeb, tmp_path: Path) -> None:
    web.clear_hits()
    done = run_coprod("doi", FLAKY_DOI, "--set", "RETRY_BACKOFF_BASE=0.05", data_dir=tmp_path,
                      resolve=web.resolve_rules)
    assert done.returncode == 1
    assert f"{FLAKY_DOI}: " in done.stderr
    tries = [hit for hit in web.hits_for("flaky.example.org") if hit.path == "/work"]
    assert len(tries) == 4  # first try + RETRY_TIMES=3
    for path in all_warcs(tmp_path):
        assert_valid_warc(path)
    statuses = [r["http"].get_statuscode() for path in all_warcs(tmp_path) for r in read_records(path)
                if r["type"] in ("response", "revisit") and "flaky" in r["headers"]["WARC-Target-URI"]
                and not r["headers"]["WARC-Target-URI"].endswith("robots.txt")]
    assert statuses == ["503"] * 4  # every attempt archived (repeats of one payload as revisits)


def test_robots_disallow_is_obeyed(web: SandboxWeb, tmp_path: Path) -> None:
    web.clear_hits()
    done = run_coprod("doi", ROBOTS_DOI, data_dir=tmp_path, resolve=web.resolve_rules)
    assert done.returncode == 0, done.stderr
    assert [hit.path for hit in web.hits_for("www.nature.com")] == ["/robots.txt"]
    record = json_lines(done.stdout)[0]
    assert record["doi"] == ROBOTS_DOI
    assert any("robots.txt" in note for note in record["provenance"]["notes"])


@pytest.mark.parametrize("fmt,check", [
    ("bibtex", "@"), ("ris", "TY  - "), ("csl-json", '"type"'), ("csv", "title"),
])
def test_output_file_and_formats(web: SandboxWeb, tmp_path: Path, fmt: str, check: str) -> None:
    out = tmp_path / f"out.{fmt}"
    done = run_coprod("doi", PAGE_DOI, "-o", str(out), "--format", fmt, data_dir=tmp_path / "d",
                      resolve=web.resolve_rules)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert check in text and "Neural Substrate of Cold-Seeking Behavior" in text


def test_file_of_dois_with_comments(web: SandboxWeb, tmp_path: Path) -> None:
    listing = tmp_path / "dois.txt"
    listing.write_text(f"# my review\n\n{PAGE_DOI}  # PLOS\nhttps://doi.org/{PAGE_DOI.upper()}\n")
    done = run_coprod("doi", "--file", str(listing), data_dir=tmp_path / "d", resolve=web.resolve_rules)
    assert done.returncode == 0, done.stderr
    assert [r["doi"] for r in json_lines(done.stdout)] == [PAGE_DOI]  # duplicates folded


def test_global_options_after_or_before_the_subcommand(web: SandboxWeb, tmp_path: Path) -> None:
    rules = [arg for rule in web.resolve_rules for arg in ("--resolve", rule)]
    before = run_coprod("--data-dir", str(tmp_path / "a"), *rules, "doi", PAGE_DOI)
    after = run_coprod("doi", PAGE_DOI, "--data-dir", str(tmp_path / "b"), *rules)
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert all_warcs(tmp_path / "a") and all_warcs(tmp_path / "b")


# Reset mid-body, stalls and the rest of the fault matrix: tests/test_faults.py.


def test_datacite_answers_when_crossref_does_not(web: SandboxWeb, tmp_path: Path) -> None:
    web.clear_hits()
    done = run_coprod("doi", DATACITE_DOI, data_dir=tmp_path, resolve=web.resolve_rules)
    assert done.returncode == 0, done.stderr
    record = json_lines(done.stdout)[0]
    assert record["doi"] == DATACITE_DOI and record["title"]
    assert record["provenance"]["fields"]["title"] == "api:datacite"
    notes = " ".join(record["provenance"]["notes"])
    assert "crossref: HTTP 404" in notes and "HTTP 404 at https://datadryad.org" in notes
    asked = [hit.host for hit in web.hits if hit.path != "/robots.txt"]
    assert asked.index("api.crossref.org") < asked.index("api.datacite.org")
