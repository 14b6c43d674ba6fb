"""`--resume` after `kill -9` with a page rendered in real Chromium: the resumed run answers
the rendered page from the job's archived DOM (the record comes out the same, with nothing
fetched or rendered again) and renders only the page the crashed run never reached.

The pages are tests/pages/render_app_shell.html, as in test_render_browser.py."""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from crawler.render.browser import find_browser
from crawler.sandbox import SandboxWeb, Site
from crawler.sandbox.response import redirect
from tests.cli_runner import coprod_command, json_lines, run_coprod
from tests.conftest import PROJECT_ROOT, needs_system
from tests.test_render_audit import _audit
from tests.test_render_browser import add_app_paper, registration_agencies_know_nothing, render_logs
from tests.warc_checks import all_warcs, assert_valid_warc, read_records

pytestmark = needs_system(find_browser() is not None, "Chromium not installed (Debian: apt install chromium)")

DONE_DOI, LATE_DOI = "10.5555/spa.resume.1", "10.5555/spa.resume.2"
DONE_URL, LATE_URL = "https://papers.example/paper/11", "https://papers.example/paper/12"


def _site() -> tuple[Site, dict, dict]:
    """Two app-shell papers; the second's doi.org hop hangs the first time it is asked for,
    so the crashed run never reaches that page."""
    site = Site()
    registration_agencies_know_nothing(site)
    done = add_app_paper(site, "papers.example", 11, DONE_DOI)
    late = add_app_paper(site, "papers.example", 12, LATE_DOI)
    hop = redirect(LATE_URL, 302)
    site.add_sequence(f"https://doi.org/{LATE_DOI}", [dataclasses.replace(hop, delay=120), hop])
    return site, done, late


def _archived_dom(data: Path, url: str) -> bool:
    """Whether the running crawl's catalog holds the page's DOM (read-only)."""
    path = data / "catalog.sqlite"
    if not path.exists():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM captures WHERE uri = ?",
                                (f"urn:dom:{url}",)).fetchone()[0] > 0
    except sqlite3.Error:  # not created yet
        return False


def test_a_resumed_job_does_not_render_again_what_it_has(tmp_path: Path) -> None:
    data = tmp_path / "data"
    site, done, late = _site()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    with SandboxWeb(site) as web:
        crashed = subprocess.Popen(
            coprod_command("doi", DONE_DOI, LATE_DOI, data_dir=data, resolve=web.resolve_rules),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=PROJECT_ROOT)
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and crashed.poll() is None and not _archived_dom(data, DONE_URL):
            time.sleep(0.05)
        crashed.send_signal(signal.SIGKILL)
        crashed.wait(timeout=10)
        assert _archived_dom(data, DONE_URL), "the first run never rendered the first page"
        assert not any(hit.path == "/paper/12" for hit in web.hits)
        web.clear_hits()
        resumed = run_coprod("doi", DONE_DOI, LATE_DOI, "--resume", data_dir=data,
                             resolve=web.resolve_rules, timeout=60)
        hits = {hit.path for hit in web.hits if hit.host == "papers.example"}
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming job doi" in resumed.stderr and "after a crash" in resumed.stderr
    # the page the job had was neither fetched nor rendered again; the other one was, once
    assert "/paper/11" not in hits and "/api/paper/11.json" not in hits
    assert {"/paper/12", "/api/paper/12.json"} <= hits
    records = []
    for path in all_warcs(data):
        assert_valid_warc(path)
        records += read_records(path)
    logs = render_logs(records)
    assert sorted(log["page_url"] for log in logs) == [DONE_URL, LATE_URL]
    # both records read from a rendered DOM: the first from the DOM the crashed run archived
    out = {r["doi"]: r for r in json_lines(resumed.stdout)}
    assert out[DONE_DOI]["title"] == done["title"] and out[LATE_DOI]["title"] == late["title"]
    [first] = [log for log in logs if log["page_url"] == DONE_URL]
    prov = out[DONE_DOI]["provenance"]
    assert prov["warc_record_id"] == first["records"]["document"]
    assert {first["records"]["dom"], first["records"]["screenshot"]} <= set(prov["captures"])
    [note] = [n for n in prov["notes"] if n.startswith("rendered DOM")]
    assert note == (f"rendered DOM ({first['browser']}; app shell (react)) "
                    f"urn:dom:{DONE_URL} {first['records']['dom']}")
    # and the record the resumed run made is the one the audit re-derives from the archive
    code, report = _audit(data)
    assert code == 0, report["findings"]
