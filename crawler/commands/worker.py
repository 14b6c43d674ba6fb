"""Join a distributed crawl as one more worker, on this machine or any other: take requests
from the run's shared frontier in Redis, fetch and archive them into this data directory's
WARCs (named for the worker), and store the works in the run's catalog. Started by
`coprod crawl --redis URL` (which seeds the run); workers come and go while it runs, and each
exits when the whole run is over. Exit 1 when a source failed in this worker."""

from __future__ import annotations

import argparse
import sys

from crawler.commands.crawl import add_distributed_options

HELP = "one more worker for a distributed crawl (shared Redis frontier)"


def configure(parser: argparse.ArgumentParser) -> None:
    add_distributed_options(parser)
    parser.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                        help="how long to wait for a run to join (default 60)")


def run(args: argparse.Namespace) -> int:
    from crawler.commands.crawl import run_result
    from crawler.config import BadSetting, crawl_settings
    from crawler.distributed.launch import NoRun, run_worker
    from crawler.errors import EXIT_FAILED, UsageError
    from crawler.failures import failure_lines
    from crawler.progress import print_summary, progress_wanted
    from crawler.resolve import BadResolveRule

    if not args.redis:
        raise UsageError("coprod worker: --redis URL is required (or COPROD_REDIS)")
    quiet = getattr(args, "quiet", 0)
    try:
        settings = crawl_settings(args, COPROD_PROGRESS=progress_wanted(args))
    except (BadResolveRule, BadSetting) as exc:
        raise UsageError(f"coprod: {exc}") from None
    try:
        done, spider_kwargs = run_worker(
            settings, redis_url=args.redis, prefix=args.redis_prefix, worker=args.worker_id,
            wait=args.wait, notify=None if quiet else lambda text: print(text, file=sys.stderr))
    except NoRun as exc:
        print(f"coprod worker: {exc}", file=sys.stderr)
        return EXIT_FAILED
    result = run_result(spider_kwargs["config"], done)
    if not quiet or result.failed_sources:
        print_summary(result, sys.stderr)
    for line in failure_lines(result.fetch_failures):
        print(line, file=sys.stderr)
    return result.exit_code
