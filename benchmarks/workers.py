"""Pages per second with 1, 2 and 4 worker processes of one distributed crawl.

The sandbox web of benchmarks/site.py (real fixture pages over 20 hosts, 50 ms latency),
crawled as benchmarks/crawls.py crawls it (depth 2, no focus, no delay, one request at a time
per host), by `coprod crawl --redis` plus N-1 `coprod worker`s sharing one data directory
and its SQLite catalog, against a throwaway redis-server on loopback. For comparison, the
plain `coprod crawl` (no Redis) on the same site. Wall time runs from the first process's
start to the last one's exit (start-up included: each worker is a fresh Python process).

    python -m benchmarks.workers [--pages 1000] [--workers 1 2 4] [--repeat 1]

The machine's cores bound the curve: extraction is CPU work, and every worker has its own
extraction pool, so past the core count more workers only share the same CPUs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.crawls import ROOT, coprod_command, env
from benchmarks.site import DOMAIN, start_bench_web
from crawler.distributed.servers import RedisServer


def worker_command(url: str, prefix: str, data: Path) -> list[str]:
    return [sys.executable, "-m", "crawler", "worker", "--redis", url, "--redis-prefix", prefix,
            "--delay", "0", "-q", "--data-dir", str(data), "--resolve", f"*.{DOMAIN}=127.0.0.1",
            "-s", "AUTOTHROTTLE_ENABLED=False", "--wait", "60"]


def timed(commands: list[list[str]]) -> tuple[float, list[int]]:
    """Start the commands together; wall seconds until the last exits, and their exit codes."""
    started = time.monotonic()
    processes = [subprocess.Popen(c, cwd=ROOT, env=env(), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for c in commands]
    codes = []
    for process in processes:
        _, err = process.communicate(timeout=1800)
        if process.returncode:
            print(err[-2000:], file=sys.stderr)
        codes.append(process.returncode)
    return time.monotonic() - started, codes


def measure(bench, redis: RedisServer, workers: int, run: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="coprod-workers-") as tmp:
        data = Path(tmp) / "data"
        bench.reset()
        if workers == 0:  # the plain crawl
            seconds, codes = timed([coprod_command(bench, data)])
        else:
            prefix = f"bench:{workers}:{run}:{os.getpid()}"
            first = coprod_command(bench, data, extra=("--redis", redis.url, "--redis-prefix", prefix))
            seconds, codes = timed([first] + [worker_command(redis.url, prefix, data)
                                              for _ in range(workers - 1)])
        pages = bench.ok_hits()
        by_worker: dict[str, int] = {}
        for path in (data / "warcs").glob("*.warc.gz"):
            name = path.name.split("-")[1] if workers else "plain"
            by_worker[name] = by_worker.get(name, 0) + 1
    return {"workers": workers or "plain", "seconds": round(seconds, 2), "pages": pages,
            "expected": bench.site.requests, "pages_per_s": round(pages / seconds, 1),
            "exit_codes": codes, "warc_files": by_worker}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--plain", action="store_true", help="also the plain crawl (no Redis)")
    args = parser.parse_args(argv)
    bench = start_bench_web(args.pages)
    with tempfile.TemporaryDirectory(prefix="coprod-redis-") as tmp:
        redis = RedisServer(Path(tmp))
        try:
            rows = []
            for run in range(args.repeat):
                for workers in ([0] if args.plain else []) + args.workers:
                    row = measure(bench, redis, workers, run)
                    print(json.dumps(row), flush=True)
                    rows.append(row)
        finally:
            redis.stop()
            bench.stop()
    print(f"cores: {os.cpu_count()}; load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
