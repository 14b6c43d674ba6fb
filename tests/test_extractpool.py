"""Extraction off the reactor (crawler.extractpool): a site crawl of real publisher pages
gives the same records whether its pages are parsed in the worker processes or inline, and
the pool really takes pages once its workers are up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.site import BenchWeb, load_templates, start_bench_web
from tests.conftest import PROJECT_ROOT

# Runs the real crawl command in a fresh process (Scrapy's reactor runs once per process)
# and prints the extraction counters and the catalogued records.
CRAWL = """
import json, sys
from archive.catalog import Catalog
from crawler.cli import build_parser
from crawler.commands.crawl import crawl
args = build_parser().parse_args(sys.argv[1:])
result = crawl(args)
stats = {k: v for k, v in result.stats.items() if k.startswith("coprod/extract/")}
with Catalog(args.data_dir + "/catalog.sqlite") as catalog:
    records = sorted((r.source_url, r.doi, r.title, [a.name for a in r.authors], r.abstract)
                     for r in catalog.records())
print(json.dumps({"stats": stats, "records": records}))
"""


def _crawl(bench: BenchWeb, data_dir: Path, workers: int) -> dict:
    command = [sys.executable, "-c", CRAWL, "crawl", "--depth", "2", "--max-pages", "0", "--all",
               "--delay", "0", "-q", "--data-dir", str(data_dir), "--resolve",
               "*.bench.test=127.0.0.1", "-s", "AUTOTHROTTLE_ENABLED=False",
               "-s", f"COPROD_EXTRACT_WORKERS={workers}"]
    for url in bench.start_urls:
        command += ["--source", f"url={url}"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env,
                          cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_pool_and_inline_give_the_same_records(tmp_path: Path, fixtures_dir: Path) -> None:
    # 140 real pages over 4 hosts, 50 ms a request: long enough for the workers to start
    bench = start_bench_web(140, hosts=4, latency=0.05, templates=load_templates(fixtures_dir))
    try:
        pooled = _crawl(bench, tmp_path / "pooled", workers=2)
        inline = _crawl(bench, tmp_path / "inline", workers=0)
    finally:
        bench.stop()
    pages = bench.site.pages + bench.site.index_pages
    assert pooled["stats"].get("coprod/extract/pool", 0) > 0  # the workers took pages
    assert pooled["stats"]["coprod/extract/pool"] + pooled["stats"]["coprod/extract/inline"] == pages
    assert inline["stats"] == {"coprod/extract/inline": pages}
    assert len(pooled["records"]) > 100
    assert pooled["records"] == inline["records"]


def test_workers_leave_when_the_crawl_is_killed(tmp_path: Path, fixtures_dir: Path) -> None:
    """kill -9 of the crawl (a power cut, the OOM killer) must not leave the forkserver and
    its workers behind: each worker watches the crawl process and leaves with it."""
    import signal
    import time

    from benchmarks.measure import _descendants

    bench = start_bench_web(2000, hosts=4, latency=0.05, templates=load_templates(fixtures_dir))
    command = [sys.executable, "-m", "crawler", "crawl", "--depth", "2", "--max-pages", "0",
               "--all", "--delay", "0", "-q", "--data-dir", str(tmp_path / "data"), "--resolve",
               "*.bench.test=127.0.0.1", "-s", "AUTOTHROTTLE_ENABLED=False",
               "-s", "COPROD_EXTRACT_WORKERS=2"]
    for url in bench.start_urls:
        command += ["--source", f"url={url}"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    crawl = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        helpers: list[int] = []
        deadline = time.monotonic() + 60
        while len(helpers) < 3 and time.monotonic() < deadline:  # forkserver + 2 workers
            time.sleep(0.2)
            helpers = _descendants(crawl.pid)
        assert len(helpers) >= 3, "the extraction workers never started"
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in helpers):
            time.sleep(0.2)
        left = [pid for pid in helpers if Path(f"/proc/{pid}").exists()]
        assert not left, f"left behind after kill -9: {left}"
    finally:
        if crawl.poll() is None:
            crawl.kill()
        bench.stop()
