"""Resume after `kill -9`: the next `--resume` run finishes the job with every page captured
exactly once, no WARC left open or corrupt, and no record written twice.

The pages are small ones of our own in Highwire markup (a publisher landing page), each a
little slow (as a real publisher is), behind doi.org redirects; Crossref and DataCite
answer 404, so every DOI costs five exchanges besides robots.txt.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from crawler.resume import FINISHED, job_dir, read_state
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import coprod_command, json_lines, run_coprod
from tests.conftest import PROJECT_ROOT
from tests.warc_checks import all_warcs, assert_valid_warc, captured_so_far, read_records

PAGE = """<html><head><meta name="citation_title" content="Co-producing care, case {n}">
<meta name="citation_doi" content="{doi}"><meta name="citation_publication_date" content="2022">
</head><body><p>Service users and staff co-produce care.</p></body></html>"""
DOIS = [f"10.5555/resume.{n}" for n in range(12)]
KILL_AFTER = 5  # landing pages archived before the kill


def _site() -> Site:
    site = Site()
    for n, doi in enumerate(DOIS):
        site.redirect(f"https://doi.org/{doi}", f"https://journal.example.org/case/{n}", status=302)
        site.add(f"https://journal.example.org/case/{n}", body=PAGE.format(n=n, doi=doi),
                 content_type="text/html; charset=utf-8", delay=0.15)
    return site


def _captures(data: Path) -> list[tuple[str, str, str]]:
    """(type, target URI, WARC-Date) of every response and revisit in the data dir."""
    return [(r["type"], r["headers"]["WARC-Target-URI"], r["headers"]["WARC-Date"])
            for path in all_warcs(data) for r in read_records(path)
            if r["type"] in ("response", "revisit")]


def test_kill_9_then_resume_captures_every_page_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    with SandboxWeb(_site()) as web:
        killed = subprocess.Popen(coprod_command("doi", *DOIS, data_dir=data, resolve=web.resolve_rules),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                  cwd=PROJECT_ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and killed.poll() is None:
            if captured_so_far(data, "%/case/%") >= KILL_AFTER:
                break
            time.sleep(0.02)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        assert killed.returncode == -signal.SIGKILL
        assert list((data / "warcs").glob("*.warc.gz.open")), "the killed run left its WARC open"
        assert read_state(job_dir(data, "doi")).state == "running"
        web.clear_hits()
        resumed_at = time.time()
        done = run_coprod("doi", *DOIS, "--resume", data_dir=data, resolve=web.resolve_rules)
        second_hits = [h.url for h in web.hits]
    assert done.returncode == 0, done.stderr
    assert "resuming job doi" in done.stderr and "after a crash" in done.stderr
    assert [r["doi"] for r in json_lines(done.stdout)] == DOIS
    assert not list((data / "warcs").glob("*.open"))
    for path in all_warcs(data):
        assert_valid_warc(path)
    captures = _captures(data)
    # every URL captured exactly once, over both runs: no duplicate response, no revisit
    per_uri = Counter(uri for _, uri, _ in captures)
    assert per_uri and max(per_uri.values()) == 1, [u for u, n in per_uri.items() if n > 1]
    assert {t for t, _, _ in captures} == {"response"}
    assert all(f"https://journal.example.org/case/{n}" in per_uri for n in range(len(DOIS)))
    # what the killed run had archived was not asked for again
    before = {uri for _, uri, date in captures
              if datetime.fromisoformat(date.replace("Z", "+00:00")).timestamp() < resumed_at}
    assert len([u for u in before if "/case/" in u]) >= KILL_AFTER
    assert not before & set(second_hits)
    assert any("/case/" in url for url in second_hits), "the kill left pages to fetch"
    assert len(second_hits) == len(set(second_hits))
    # one metadata record per work, though both runs made the records they could
    metadata = Counter(r["headers"]["WARC-Target-URI"] for p in all_warcs(data) for r in read_records(p)
                       if r["type"] == "metadata")
    assert len(metadata) == len(DOIS) and set(metadata.values()) == {1}
    state = read_state(job_dir(data, "doi"))
    assert state.state == FINISHED and state.runs == 2


def test_resume_with_nothing_to_resume_starts_afresh(tmp_path: Path) -> None:
    with SandboxWeb(_site()) as web:
        done = run_coprod("doi", DOIS[0], "--resume", data_dir=tmp_path, resolve=web.resolve_rules)
    assert done.returncode == 0, done.stderr
    assert "no unfinished doi job to resume" in done.stderr
    assert [r["doi"] for r in json_lines(done.stdout)] == [DOIS[0]]
    assert read_state(job_dir(tmp_path, "doi")).runs == 1
