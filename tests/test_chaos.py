"""Chaos: a crawl of 330 sandbox pages over 30 hosts, `kill -9`-ed at several random moments
and resumed with `--resume` each time. At the end every page is captured exactly once (one
200 response per URL across all WARCs, no revisit), every WARC passes `warcio check`, no
`.open` file remains, and the catalog matches the WARCs.

The pages are small ones of our own: each host has an index (a listing, as a department's
publication page is) linking to ten work pages in Highwire markup (a publisher landing page).
The kill moments are drawn at random (seeded; COPROD_CHAOS_SEED repeats a run) as numbers of
pages the sandbox has served; each kill takes the crawler's whole process group.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from crawler.resume import FINISHED, job_dir, read_state
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import coprod_command, run_coprod
from tests.conftest import PROJECT_ROOT
from tests.test_faults_helpers import archive_records, check_archive, landing_html

HOSTS = [f"h{n:02d}.example.org" for n in range(30)]
PAPERS = 10
PAGES = [f"https://{host}/" for host in HOSTS] + [
    f"https://{host}/paper/{k}" for host in HOSTS for k in range(PAPERS)]
KILLS = 4


def _site() -> Site:
    site = Site()
    for n, host in enumerate(HOSTS):
        links = "".join(f'<li><a href="/paper/{k}">Paper {k}</a></li>' for k in range(PAPERS))
        site.add(f"https://{host}/", body=f"<html><head><title>Publications {n}</title></head>"
                                          f"<body><h1>Publications</h1><ul>{links}</ul></body></html>")
        for k in range(PAPERS):
            doi = f"10.5555/chaos.{n}.{k}"
            site.add(f"https://{host}/paper/{k}", body=landing_html(
                f"Co-production of public services with citizens, case {n}.{k}", doi))
    return site


def _crawl_command(data: Path, rules: list[str], resume: bool) -> list[str]:
    sources = [arg for host in HOSTS for arg in ("--source", f"url=https://{host}/")]
    return coprod_command("crawl", *sources, "--depth", "1", "--max-pages", "0",
                          *(["--resume"] if resume else []), data_dir=data, resolve=rules)


def _served(web: SandboxWeb) -> int:
    return len([hit for hit in web.hits if hit.path != "/robots.txt"])


def test_kill_9_at_random_moments_then_resume(tmp_path: Path) -> None:
    seed = int(os.environ.get("COPROD_CHAOS_SEED") or random.randrange(1 << 30))
    moments = sorted(random.Random(seed).sample(range(15, len(PAGES) - 15), KILLS))
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("COPROD_DATA", None)
    kills = 0
    with SandboxWeb(_site(), latency=0.01) as web:
        for number, moment in enumerate(moments):
            crawler = subprocess.Popen(_crawl_command(data, web.resolve_rules, resume=number > 0),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       env=env, cwd=PROJECT_ROOT, start_new_session=True)
            # killed once it has fetched a page of its own (so it counted itself a run: two
            # moments a few pages apart could otherwise kill the next run as it starts)
            target = max(moment, _served(web) + 1)
            deadline = time.monotonic() + 120
            while crawler.poll() is None and _served(web) < target and time.monotonic() < deadline:
                time.sleep(0.01)
            if crawler.poll() is None:
                os.killpg(crawler.pid, signal.SIGKILL)  # the crawler and any workers it started
                kills += 1
            crawler.wait(timeout=30)
        done = run_coprod(*_crawl_command(data, web.resolve_rules, resume=True)[3:], timeout=300)
        served = Counter(hit.url for hit in web.hits if hit.path != "/robots.txt")
    context = f"seed {seed}, kills at {moments}: {done.stderr[-3000:]}"
    assert kills >= KILLS - 1, context  # a run may finish its last pages before its moment
    assert done.returncode == 0, context
    assert "resuming job crawl" in done.stderr, context

    assert not list((data / "warcs").glob("*.open")), context
    check_archive(data)  # warcio + fastwarc check on every WARC; catalog == rebuild from them
    captures = [r for r in archive_records(data) if r["type"] in ("response", "revisit")]
    per_url = Counter(r["headers"]["WARC-Target-URI"] for r in captures)
    ok = Counter(r["headers"]["WARC-Target-URI"] for r in captures
                 if r["type"] == "response" and r["http"].get_statuscode() == "200")
    missing = [url for url in PAGES if ok[url] != 1]
    assert not missing, f"{context}\nnot captured exactly once: {[(u, ok[u]) for u in missing][:10]}"
    repeated = [url for url, count in per_url.items() if count > 1]
    assert not repeated, f"{context}\ncaptured more than once: {repeated[:10]}"
    assert set(served) == set(PAGES), context  # and the sandbox served every page
    state = read_state(job_dir(data, "crawl"))
    assert state is not None and state.state == FINISHED and state.runs == kills + 1, context
