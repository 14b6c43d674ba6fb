"""Seconds for a batch of DOIs on the sandbox web, and WARC bytes per DOI.

    python -m benchmarks.doi_batch [--dois 20] [--runs 3] [--delay SECONDS] [--json OUT]

Serves the real fixture pages behind doi.org redirect chains with Crossref/DataCite JSON
(crawler.sandbox.fixture_site), runs the real `coprod doi` command in a subprocess (process
start to exit, default politeness unless --delay), and reports the median, min and max.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawler.sandbox.fixture_site import fixture_site
from crawler.sandbox.server import SandboxWeb

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures"


def pick_dois(fixtures: object, count: int) -> list[str]:
    """Landing-page DOIs first (the full path), then API-only ones."""
    pages = [page.doi for page in fixtures.pages if page.doi]
    dois = list(dict.fromkeys(pages + fixtures.crossref_dois + fixtures.datacite_dois))
    return dois[:count]


def run_once(dois: list[str], web: SandboxWeb, delay: float | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "crawler", "doi", *dois, "--data-dir", tmp, "-q"]
        for rule in web.resolve_rules:
            command += ["--resolve", rule]
        if delay is not None:
            command += ["--delay", str(delay)]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - started
        records = [line for line in done.stdout.splitlines() if line.strip()]
        warc_bytes = sum(p.stat().st_size for p in Path(tmp, "warcs").glob("*.warc.gz"))
    return {"seconds": seconds, "records": len(records), "exit": done.returncode,
            "warc_bytes": warc_bytes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dois", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--delay", type=float, default=None, help="default: coprod's own politeness")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    fixtures = fixture_site(FIXTURES)
    dois = pick_dois(fixtures, args.dois)
    with SandboxWeb(fixtures.site) as web:
        runs = [run_once(dois, web, args.delay) for _ in range(args.runs)]
    seconds = [run["seconds"] for run in runs]
    result = {
        "dois": len(dois),
        "seconds_median": statistics.median(seconds),
        "seconds_min": min(seconds),
        "seconds_max": max(seconds),
        "records": runs[-1]["records"],
        "exit": runs[-1]["exit"],
        "warc_bytes_per_doi": runs[-1]["warc_bytes"] / len(dois),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
