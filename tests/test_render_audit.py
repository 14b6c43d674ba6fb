"""Rendered pages under audit and replay, in real Chromium through the real `coprod doi`: a
record read from a rendered DOM re-derives from that DOM (clean audit; a tampered DOM is
caught), `--from-archive` gives the identical records with nothing fetched and no browser
started, and `replay list|show` and the viewer show the DOM and the screenshot.

The pages are tests/pages/render_*.html (test_render_browser.py): a single-page-app paper
page whose record exists only once its script has fetch()ed JSON (found by the automatic
check), and a publisher article behind a OneTrust consent wall (rendered by host rule)."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import shutil
import threading
import urllib.request
from pathlib import Path

import pytest

from archive.audit_derive import evidence
from archive.catalog import Catalog
from archive.replay_index import ReplayIndex
from archive.viewer.pages import raw_url, record_url, view_url
from archive.viewer.server import ViewerServer
from crawler.cli import main
from crawler.render.browser import find_browser
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import json_lines, run_coprod
from tests.conftest import needs_system
from tests.test_audit import landing_member, the_warc
from tests.test_render_browser import (
    PAGES,
    add_app_paper,
    paper,
    registration_agencies_know_nothing,
)
from tests.warc_checks import all_warcs, read_records

pytestmark = needs_system(find_browser() is not None, "Chromium not installed (Debian: apt install chromium)")

APP_DOI, WALL_DOI = "10.5555/spa.audit", "10.5555/wall.audit"
PAGE_URL, WALL_URL = "https://papers.example/paper/3", "https://journal.example/article/9"
WALL = {"title": "Volunteers in public libraries: co-production or substitution?",
        "authors": ["Cai Doe", "Dee Roe"],
        "abstract": "Public libraries increasingly rely on volunteers. " * 3}
RENDER_HOSTS = ("-s", "COPROD_RENDER_HOSTS=journal.example")  # the wall; the app shell is found


def _site() -> tuple[Site, dict]:
    site = Site()
    registration_agencies_know_nothing(site)
    paper = add_app_paper(site, "papers.example", 3, APP_DOI)
    site.redirect(f"https://doi.org/{WALL_DOI}", WALL_URL, 302)
    site.add(WALL_URL, file=PAGES / "render_consent_wall.html")
    site.add(WALL_URL + "/content.json", body=json.dumps(WALL))
    return site, paper


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    """An archive made by a live run that rendered both pages, and the sandbox web it used."""
    site, paper = _site()
    data = tmp_path_factory.mktemp("render-audit") / "live"
    with SandboxWeb(site) as web:
        done = run_coprod("doi", APP_DOI, WALL_DOI, *RENDER_HOSTS, data_dir=data,
                          resolve=web.resolve_rules, timeout=60)
        assert done.returncode == 0, done.stderr[-3000:]
        records = {r["doi"]: r for r in json_lines(done.stdout)}
        yield data, records, paper, web


def _dom_id(record: dict, url: str) -> str:
    [note] = [n for n in record["provenance"]["notes"] if n.startswith("rendered DOM")]
    prefix = f"urn:dom:{url} "
    assert prefix in note, note
    return note.split(prefix, 1)[1]


def _audit(data: Path) -> tuple[int, dict]:
    """`coprod audit --json`, in this process (it starts no reactor)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["audit", "--json", "--data-dir", str(data)])
    return code, json.loads(out.getvalue())


def test_rendered_records_audit_clean_and_rederive_from_their_dom(rendered) -> None:
    data, records, paper, _ = rendered
    # the live records came from the rendered pages (read off the test's own JSON)
    assert records[APP_DOI]["title"] == paper["title"]
    assert records[WALL_DOI]["title"] == WALL["title"]
    code, report = _audit(data)
    assert code == 0, report["findings"]
    assert report["records"] == report["rederived"] == 2
    assert not [f for f in report["findings"] if f["severity"] != "note"]
    # what the audit re-extracted is the DOM: the served page alone gives "Loading paper…"
    with ReplayIndex.for_data_dir(data) as index:
        row = index.record_row_for_doi(APP_DOI)
        derived, problems = evidence(index, row.data)
        served = [c for c in index.captures_for(PAGE_URL) if c.record_type == "response"]
    assert problems == [] and [r.title for r in derived] == [paper["title"]]
    assert len(served) == 2  # the plain fetch and the browser's copy, both passed over


def test_a_tampered_dom_is_caught(rendered, tmp_path: Path) -> None:
    live, records, paper, _ = rendered
    data = tmp_path / "data"
    shutil.copytree(live, data)
    dom_id = _dom_id(records[APP_DOI], PAGE_URL)
    path = the_warc(data)
    offset, length, member = landing_member(path, dom_id)
    assert f"<h1>{paper['title']}</h1>".encode() in member
    forged = member.replace(b"mental health support", b"dental health support")  # same length
    raw = path.read_bytes()
    path.write_bytes(raw[:offset] + gzip.compress(forged) + raw[offset + length:])
    code, report = _audit(data)
    assert code == 1
    integrity = [f for f in report["findings"] if f["check"] == "integrity"
                 and f["details"].get("record_id") == dom_id]
    assert integrity and "block digest failed" in integrity[0]["message"]
    [diff] = [f for f in report["findings"] if f["severity"] == "diff"]
    assert diff["where"] == APP_DOI
    fields = {f["field"]: f for f in diff["details"]["fields"]}
    assert fields["title"]["stored"] == paper["title"]
    assert fields["title"]["derived"] == paper["title"].replace("mental", "dental")


def test_from_archive_gives_the_same_records_with_nothing_fetched_and_no_browser(
        rendered, tmp_path: Path) -> None:
    live, records, _, web = rendered
    tripwire = tmp_path / "chromium"  # a "browser" that leaves a mark if anything starts it
    tripwire.write_text(f"#!/bin/sh\ntouch {tmp_path / 'launched'}\nexit 1\n")
    tripwire.chmod(0o755)
    web.clear_hits()
    again = run_coprod("doi", APP_DOI, WALL_DOI, *RENDER_HOSTS, "--from-archive", str(live),
                       "-s", f"COPROD_BROWSER={tripwire}", data_dir=tmp_path / "rerun",
                       resolve=web.resolve_rules, timeout=60)
    assert again.returncode == 0, again.stderr[-3000:]
    assert web.hits == [], "a --from-archive run must fetch nothing"
    assert not (tmp_path / "launched").exists(), "a --from-archive run must not start a browser"
    assert "pages 0 fetched" in again.stderr
    # the same records, provenance included: read from the same DOM, with the same notes
    assert {r["doi"]: r for r in json_lines(again.stdout)} == records
    wall_notes = records[WALL_DOI]["provenance"]["notes"]
    assert "render: consent banner dismissed (onetrust: refuse)" in wall_notes


def test_crawl_from_archive_gives_the_same_records_from_a_rendered_page(tmp_path: Path) -> None:
    """A site's list page (plain HTML) links to an app-shell paper page (rendered)."""
    start = "https://papers.example/list/"
    site = Site()
    site.add(start, content_type="text/html; charset=utf-8", body=(
        "<html><head><title>Papers</title></head><body><h1>Co-production papers</h1>"
        '<p>Papers on co-producing public services with their users.</p>'
        '<a href="/paper/21">A paper</a></body></html>'))
    data = paper(21, "10.5555/crawl.21")
    site.add("https://papers.example/paper/21", file=PAGES / "render_app_shell.html")
    site.add("https://papers.example/api/paper/21.json", body=json.dumps(data),
             content_type="application/json")
    live, rerun = tmp_path / "live", tmp_path / "rerun"
    with SandboxWeb(site) as web:
        done = run_coprod("crawl", "--source", f"url={start}", data_dir=live,
                          resolve=web.resolve_rules, timeout=60)
        assert done.returncode == 0, done.stderr[-3000:]
        web.clear_hits()
        again = run_coprod("crawl", "--source", f"url={start}", "--from-archive", str(live),
                           data_dir=rerun, resolve=web.resolve_rules, timeout=60)
        assert again.returncode == 0, again.stderr[-3000:]
        assert web.hits == []
    expected = _catalog_records(live)
    assert data["title"] in expected, "the paper's record comes from its rendered DOM"
    assert _catalog_records(rerun) == expected
    assert _audit(live)[0] == 0


def _catalog_records(data: Path) -> dict[str, dict]:
    with Catalog(data / "catalog.sqlite") as catalog:
        return {r.title: r.to_dict() for r in catalog.records()}


def test_replay_and_viewer_show_the_dom_and_the_screenshot(rendered) -> None:
    data, records, paper, _ = rendered
    dom_id = _dom_id(records[APP_DOI], PAGE_URL)
    listed = run_coprod("replay", "list", APP_DOI, "--json", data_dir=data, delay=None)
    assert listed.returncode == 0, listed.stderr
    kinds = {c["uri"]: (c["type"], c["mime"]) for c in json_lines(listed.stdout)}
    assert kinds[f"urn:dom:{PAGE_URL}"] == ("resource", "text/html")
    assert kinds[f"urn:screenshot:{PAGE_URL}"] == ("resource", "image/png")
    shown = run_coprod("replay", "show", f"urn:dom:{PAGE_URL}", data_dir=data, delay=None)
    assert shown.returncode == 0 and f"<h1>{paper['title']}</h1>" in shown.stdout

    with ReplayIndex.for_data_dir(data) as index:
        record_link = record_url(index.record_row_for_doi(APP_DOI))
        page = index.capture(records[APP_DOI]["provenance"]["warc_record_id"])
        [shot] = index.captures_for(f"urn:screenshot:{PAGE_URL}")
        [wall_dom] = index.captures_for(f"urn:dom:{WALL_URL}")
    with ViewerServer(("127.0.0.1", 0), lambda: ReplayIndex.for_data_dir(data)) as server:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            record_page = _get(server.url + record_link[1:]).decode()
            page_view = _get(server.url + view_url(page)[1:]).decode()
            png = _get(server.url + raw_url(shot)[1:])
            dom = _get(server.url + raw_url(wall_dom)[1:]).decode()
        finally:
            server.shutdown()
            thread.join(timeout=10)
    # the record lists its DOM and screenshot by name, and shows the screenshot
    assert f'href="{view_url(shot)}"' in record_page and ">screenshot<" in record_page
    assert ">rendered DOM<" in record_page
    assert f'<img src="{raw_url(shot)}"' in record_page
    assert png == _payload(data, shot.record_id) and png[:8] == b"\x89PNG\r\n\x1a\n"
    # the page's own capture links to what the browser made of it
    assert f'href="{view_url(shot)}"' in page_view and dom_id in _payload_ids(data, PAGE_URL)
    # the DOM's links resolve against its page (the journal's home, never archived), so they
    # lead to the viewer's "not archived" page, not to a urn: or the live web
    stamp = view_url(wall_dom).split("/")[2]
    assert WALL["title"] in dom
    assert f'href="/missing/{stamp}/https://journal.example/"' in dom


def _payload(data: Path, record_id: str) -> bytes:
    return next(r["payload"] for p in all_warcs(data) for r in read_records(p)
                if r["headers"]["WARC-Record-ID"] == record_id)


def _payload_ids(data: Path, page_url: str) -> set[str]:
    """Record ids of the resources archived for a page (its DOM and screenshot)."""
    return {r["headers"]["WARC-Record-ID"] for p in all_warcs(data) for r in read_records(p)
            if r["type"] == "resource" and r["headers"]["WARC-Target-URI"].endswith(":" + page_url)}


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:  # the viewer on 127.0.0.1
        return answer.read()
