"""`coprod crawl`: killed with -9 mid-crawl, finished by `--resume` with every page captured
exactly once and no corrupt WARC; then a second, incremental run over the unchanged site
archives only revisits and adds no record.

The site is a research institute's, written for the test: a "browse" page linking article
pages (Highwire citation_* tags, as a repository or institute site carries them), each a
little slow, as real sites are.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from archive.catalog import Catalog
from crawler.resume import FINISHED, job_dir, read_state
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import coprod_command, run_coprod
from tests.conftest import PROJECT_ROOT
from tests.warc_checks import all_warcs, assert_valid_warc, captured_so_far, read_records

SITE = "https://www.coproduction-institute.example/research/"
ARTICLES = 12
KILL_AFTER = 5
HTML = "text/html; charset=utf-8"


# Distinct works: titles that differ only in a number would be joined by the fuzzy matcher.
TOPICS = ["elder care", "mental health services", "child welfare", "disability support",
          "primary care", "homelessness services", "youth work", "rehabilitation",
          "palliative care", "public libraries", "housing associations", "dementia care",
          "maternity services", "social prescribing"]
AUTHORS = ["Ditte Andersen", "Lei Wang", "Hanne Sørensen", "Peter Lund", "Mette Kristensen",
           "Cecilia Ärleskog", "Ola Nordmann", "Aino Virtanen", "Jonas Berg", "Sara Holm",
           "Kari Dahl", "Anna Lindqvist", "Mikkel Friis", "Ingrid Moe"]


def _article(n: int) -> str:
    title = f"Co-producing {TOPICS[n]} with service users and volunteers"
    return (f'<html><head><title>{title}</title><meta name="citation_title" content="{title}">'
            f'<meta name="citation_author" content="{AUTHORS[n]}">'
            '<meta name="citation_publication_date" content="2022"></head><body>'
            f'<h1>{title}</h1><div class="abstract"><p>How care services co-produce support with '
            'citizens, service users and voluntary organisations.</p></div></body></html>')


def _site(delay: float) -> Site:
    site = Site()
    links = "".join(f'<a href="/research/case-{n}">Case {n}</a>' for n in range(ARTICLES))
    site.add(SITE, content_type=HTML, body=f"<html><head><title>Browse research</title></head>"
                                           f"<body><h1>Browse research</h1>{links}</body></html>")
    for n in range(ARTICLES):
        site.add(f"{SITE}case-{n}", content_type=HTML, body=_article(n), delay=delay)
    return site


def _types_by_uri(paths: list[Path]) -> Counter[tuple[str, str]]:
    return Counter((r["type"], r["headers"]["WARC-Target-URI"]) for p in paths for r in read_records(p)
                   if r["type"] in ("response", "revisit"))


def test_crawl_killed_then_resumed_then_run_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    args = ("crawl", "--source", f"url={SITE}", "--depth", "1")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    site = _site(delay=0.15)
    with SandboxWeb(site) as web:
        killed = subprocess.Popen(coprod_command(*args, data_dir=data, resolve=web.resolve_rules),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                  cwd=PROJECT_ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and killed.poll() is None:
            if captured_so_far(data, "%/case-%") >= KILL_AFTER:
                break
            time.sleep(0.02)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        assert killed.returncode == -signal.SIGKILL
        assert read_state(job_dir(data, "crawl")).state == "running"
        web.clear_hits()
        resumed = run_coprod(*args, "--resume", data_dir=data, resolve=web.resolve_rules)
        resume_hits = [h.url for h in web.hits if not h.path.endswith("robots.txt")]
        after_resume = set(all_warcs(data))

        for n in range(ARTICLES):  # the same pages, answered at once: a quick second night
            site.add(f"{SITE}case-{n}", content_type=HTML, body=_article(n))
        with Catalog(data / "catalog.sqlite") as catalog:
            rows = catalog.dump()["records"]
        again = run_coprod(*args, data_dir=data, resolve=web.resolve_rules)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming job crawl" in resumed.stderr and "after a crash" in resumed.stderr
    assert not list((data / "warcs").glob("*.open"))
    captured = _types_by_uri(sorted(after_resume))
    assert {kind for kind, _ in captured} == {"response"}  # no revisit: nothing fetched twice
    assert max(captured.values()) == 1, [k for k, n in captured.items() if n > 1]
    assert {uri for _, uri in captured} >= {SITE} | {f"{SITE}case-{n}" for n in range(ARTICLES)}
    assert SITE not in resume_hits  # the browse page came from the archive
    assert len([u for u in resume_hits if "/case-" in u]) <= ARTICLES - KILL_AFTER
    for path in sorted(after_resume):
        assert_valid_warc(path)
    metadata = Counter(r["headers"]["WARC-Target-URI"] for p in sorted(after_resume)
                       for r in read_records(p) if r["type"] == "metadata")
    works = {uri: n for uri, n in metadata.items() if not uri.startswith("urn:coprod:harvest:")}
    assert len(works) == ARTICLES and set(works.values()) == {1}
    assert len(rows) == ARTICLES
    assert read_state(job_dir(data, "crawl")).state == FINISHED

    # the second night: only revisits, no record added or rewritten
    assert again.returncode == 0, again.stderr
    new_files = sorted(set(all_warcs(data)) - after_resume)
    second = [r for p in new_files for r in read_records(p)]
    assert {r["type"] for r in second} == {"warcinfo", "request", "revisit", "metadata"}
    # the one metadata record says the source was harvested completely (its date advances)
    assert [r["headers"]["WARC-Target-URI"] for r in second if r["type"] == "metadata"] == [
        "urn:coprod:harvest:url%3A" + quote(SITE, safe="")]
    assert sum(_types_by_uri(new_files).values()) == sum(captured.values())
    with Catalog(data / "catalog.sqlite") as catalog:
        assert catalog.dump()["records"] == rows
    assert "url" in again.stderr and f"pages {sum(captured.values()) - 1} fetched" in again.stderr
