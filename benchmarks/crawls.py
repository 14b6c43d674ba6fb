"""The crawlers under comparison, each run as its own process against the same BenchWeb.

- coprod: `coprod crawl --source url=<root index>` per host, depth 2, no focus (`--all`:
  the index pages are no co-production works, and every tool must fetch every page), the full
  pipeline: fetch, archive (WARC + CDXJ + catalog), extract, merge, relevance, records.
- scrapy: benchmarks/bare_scrapy.py, stock Scrapy fetching and following index links.
- wget: `wget --recursive --level 2 --warc-file`, through the sandbox as its HTTP proxy
  (wget has no --resolve; the sandbox answers a proxy's absolute-form requests by Host).
- scrapy-webarchive: bare_scrapy.py with its WACZ exporter, in a venv of its own
  (benchmarks/webarchive.py).

Same politeness for all: robots.txt fetched and obeyed, one request at a time per host, no
delay (coprod: `--delay 0`, AutoThrottle off, as bare Scrapy), 16 requests at a time in all for
the Scrapy-based tools; wget fetches one page at a time, as it always does.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import ProcessRun, run_process
from benchmarks.site import DOMAIN, BenchWeb

ROOT = Path(__file__).resolve().parent.parent
BARE_SCRAPY = Path(__file__).resolve().parent / "bare_scrapy.py"
DEPTH = 2


@dataclass
class CrawlRun:
    tool: str
    run: ProcessRun
    fetched: int  # pages the sandbox served during the run
    expected: int  # requests a complete crawl makes

    @property
    def pages_per_second(self) -> float:
        return self.fetched / self.run.seconds

    @property
    def complete(self) -> bool:
        return self.run.exit == 0 and self.fetched >= self.expected

    def summary(self) -> dict[str, float | int | str]:
        return {"seconds": round(self.run.seconds, 3), "cpu_seconds": round(self.run.cpu_seconds, 3),
                "main_cpu_seconds": round(self.run.main_cpu_seconds, 3),
                "fetched": self.fetched, "expected": self.expected, "exit": self.run.exit,
                "pages_per_second": round(self.pages_per_second, 2),
                "max_rss_mb": round(self.run.max_rss_mb, 1)}


def env() -> dict[str, str]:
    values = {**os.environ, "PYTHONPATH": str(ROOT)}
    values.pop("COPROD_DATA", None)
    return values


def coprod_command(bench: BenchWeb, data_dir: Path, *,
                   extra: tuple[str, ...] = ()) -> list[str]:
    command = [sys.executable, "-m", "crawler", "crawl", "--depth", str(DEPTH), "--max-pages", "0",
               "--all", "--delay", "0", "-q", "--data-dir", str(data_dir),
               "--resolve", f"*.{DOMAIN}=127.0.0.1", "-s", "AUTOTHROTTLE_ENABLED=False"]
    for url in bench.start_urls:
        command += ["--source", f"url={url}"]
    return command + list(extra)


def _measured(tool: str, bench: BenchWeb, command: list[str], environ: dict[str, str] | None = None,
              cwd: Path = ROOT, **kwargs) -> CrawlRun:
    bench.reset()
    run = run_process(command, cwd=cwd, env=environ or env(), **kwargs)
    return CrawlRun(tool, run, bench.ok_hits(), bench.site.requests)


def run_coprod(bench: BenchWeb, *, archive: bool = True, extra: tuple[str, ...] = (),
               **kwargs) -> CrawlRun:
    """coprod's crawl; `archive=False` runs it with benchmarks/noarchive_settings.py."""
    environ = env()
    if not archive:
        environ["SCRAPY_SETTINGS_MODULE"] = "benchmarks.noarchive_settings"
    with tempfile.TemporaryDirectory(prefix="coprod-bench-") as tmp:
        return _measured("coprod" if archive else "coprod-no-archive", bench,
                         coprod_command(bench, Path(tmp), extra=extra), environ, **kwargs)


def run_scrapy(bench: BenchWeb, *, python: str = sys.executable, webarchive: bool = False,
               trafilatura: bool = False) -> CrawlRun:
    with tempfile.TemporaryDirectory(prefix="scrapy-bench-") as tmp:
        command = [python, str(BARE_SCRAPY), "--out", f"{tmp}/stats.json", *bench.start_urls]
        if webarchive:
            command += ["--webarchive", f"{tmp}/wacz"]
        if trafilatura:
            command.append("--trafilatura")
        tool = "scrapy-webarchive" if webarchive else "scrapy+trafilatura" if trafilatura else "scrapy"
        environ = None if python == sys.executable else {**os.environ, "PYTHONPATH": ""}
        return _measured(tool, bench, command, environ, cwd=Path(tmp))


def wget_path() -> str | None:
    return shutil.which("wget")


def run_wget(bench: BenchWeb) -> CrawlRun:
    with tempfile.TemporaryDirectory(prefix="wget-bench-") as tmp:
        command = [wget_path() or "wget", "--quiet", "--recursive", "--level", str(DEPTH),
                   "--warc-file", f"{tmp}/crawl", "--directory-prefix", f"{tmp}/files",
                   "-e", "use_proxy=yes", "-e", f"http_proxy=http://127.0.0.1:{bench.port}",
                   *bench.start_urls]
        return _measured("wget", bench, command)
