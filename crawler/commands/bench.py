"""Measure coprod against the tools a user would pick instead (bare Scrapy, wget's WARC
crawl, scrapy-webarchive, trafilatura, warcio) on the local sandbox web: pipeline speed,
archive overhead, extraction, WARC writing, replay lookups, memory over a long crawl, one
DOI end to end. Needs a source checkout (the harness is its benchmarks/ folder, with the
real pages in ../shared/fixtures); nothing leaves 127.0.0.1. Takes about an hour in full,
a few minutes with --quick. Exit 1 when a part could not run; missed targets are results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "benchmark coprod against bare Scrapy, wget, scrapy-webarchive, trafilatura, warcio"
PARTS = ("pipeline", "extraction", "warc", "replay", "memory", "doi")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help="fewer pages and runs (200-page site, 1 run, 10k-page memory crawl, "
                             "replay up to 100k captures); the output says so")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every number to FILE")
    parser.add_argument("--parts", default=",".join(PARTS), metavar="PART,...",
                        help=f"only these parts: {','.join(PARTS)}")
    parser.add_argument("--plan", action="append", default=[], metavar="KEY=VALUE",
                        help="change one value of the plan (site_pages, runs, memory_pages, "
                             "replay_sizes, ...; JSON values; repeatable)")


def checkout() -> Path | None:
    """The source checkout this coprod runs from, if it has the benchmark harness."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "benchmarks" / "harness.py").is_file() else None


def run(args: argparse.Namespace) -> int:
    from crawler.errors import UsageError

    root = checkout()
    if root is None:
        raise UsageError("coprod bench: the benchmark harness is not here: it lives in a source "
                         "checkout's benchmarks/ folder (git clone the project, pip install -e "
                         "it, and run coprod bench there)")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from benchmarks.harness import execute

    return execute(args)
