"""Crawl the sources in coprod.toml (or those given with --source): aggregator searches,
OAI-PMH, Pure portals and sites, each record's landing page through doi.org, and snowballing
if asked. Every exchange is archived; each work is kept as one record, scored for
co-production relevance. Exit 1 when a source failed, 2 on a bad config or option."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from crawler.config import add_from_archive_option
from crawler.crawlconfig import KINDS, ConfigError, CrawlConfig, load_config, with_options
from crawler.crawlstats import CrawlRunResult

HELP = "crawl the configured sources into the archive (scheduled, incremental, focused)"


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, not {text!r}")
    return int(text)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="the crawl configuration (default ./coprod.toml, else built in)")
    parser.add_argument("--source", action="append", default=[], metavar="NAME=VALUE",
                        help=f"crawl this instead of the configured sources (repeatable); NAME is "
                             f"one of {', '.join(KINDS)}: crossref=\"query\", "
                             "oai=BASE_URL[#set], pure=PORTAL_URL, url=URL")
    parser.add_argument("--depth", type=_count, metavar="N",
                        help="hops from each source's own pages: 0 = only them, 1 = also each "
                             "record's landing page (default from config: 1)")
    parser.add_argument("--max-pages", type=_count, metavar="N",
                        help="requests in this run, all sources together (0 = no cap)")
    parser.add_argument("--snowball", type=_count, metavar="N",
                        help="follow references and citing works N steps out from relevant "
                             "records (0 = off)")
    parser.add_argument("--resume", action="store_true",
                        help="finish the last interrupted crawl instead of starting afresh")
    parser.add_argument("--all", action="store_true",
                        help="no focus: follow links from every record, relevant or not")
    add_from_archive_option(parser)  # implies --full: the queries are those a full harvest asked
    parser.add_argument("--full", action="store_true",
                        help="ask every source for everything, not only what changed since "
                             "its last complete harvest")
    add_distributed_options(parser)


def _worker_id(text: str) -> str:
    """A letter, then up to 31 letters, digits or _: it names files and Redis keys."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", text):
        raise argparse.ArgumentTypeError(f"expected a letter then letters, digits or _, not {text!r}")
    return text


def add_distributed_options(parser: argparse.ArgumentParser) -> None:
    """--redis / --worker-id / --redis-prefix: one worker of a distributed run (crawler.distributed)."""
    parser.add_argument("--redis", metavar="URL", default=os.environ.get("COPROD_REDIS"),
                        help="share one frontier with other workers through Redis "
                             "(redis://host:6379/0; env COPROD_REDIS); see `coprod worker`")
    parser.add_argument("--worker-id", metavar="NAME", type=_worker_id,
                        help="this worker's name on the data directory (default: w1, w2, ...: "
                             "the first not running)")
    parser.add_argument("--redis-prefix", metavar="PREFIX",
                        help="Redis key prefix of the run (default coprod:crawl)")


def read_config(args: argparse.Namespace) -> CrawlConfig:
    """The config file (or built-in default) with the command line applied; UsageError else."""
    from crawler.errors import UsageError

    try:
        return with_options(load_config(args.config), sources=args.source, depth=args.depth,
                            max_pages=args.max_pages, snowball=args.snowball,
                            mailto=getattr(args, "mailto", None))
    except ConfigError as exc:
        raise UsageError(f"coprod crawl: {exc}") from None


def crawl(args: argparse.Namespace, notify: Callable[[str], None] | None = None) -> CrawlRunResult:
    """Run the crawl the arguments describe and say what each source did."""
    from crawler.config import BadSetting, crawl_settings
    from crawler.errors import UsageError
    from crawler.progress import progress_wanted
    from crawler.resolve import BadResolveRule
    from crawler.resume import run_job
    from crawler.spiders.crawl import CrawlSpider

    config = read_config(args)
    if config.mailto and not getattr(args, "mailto", None):
        args.mailto = config.mailto  # the User-Agent's contact, as --mailto would give it
    try:
        render = {"COPROD_RENDER_HOSTS": list(config.render)} if config.render else {}  # crawler.render
        settings = crawl_settings(args, COPROD_RELEVANCE_THRESHOLD=config.relevance_threshold,
                                  COPROD_PROGRESS=progress_wanted(args), **render)
    except (BadResolveRule, BadSetting) as exc:
        raise UsageError(f"coprod: {exc}") from None
    spider_kwargs = {"config": config, "focus": not args.all,
                     "full": args.full or bool(args.from_archive)}
    if getattr(args, "redis", None):  # one worker of a distributed run (crawler.distributed)
        from crawler.distributed.launch import run_worker

        done, _ = run_worker(settings, redis_url=args.redis, prefix=args.redis_prefix,
                             worker=args.worker_id, spider_kwargs=spider_kwargs, notify=notify)
        return run_result(config, done)
    done = run_job(CrawlSpider, settings, name="crawl", resume=args.resume, notify=notify,
                   **spider_kwargs)
    return run_result(config, done)


def run_result(config: CrawlConfig, done: object) -> CrawlRunResult:
    """A CrawlRunResult from crawler.runner's CrawlResult of a crawl spider run."""
    from crawler.crawlstats import collect

    stats = dict(getattr(done, "stats", {}) or {})
    names = [(s.name, s.kind, s.target) for s in config.sources]
    if config.snowball:
        names.append(("snowball", "snowball", config.snowball_via))
    errors: dict[str, list[str]] = {}
    for name, reason in getattr(done, "failures", []):
        errors.setdefault(name, []).append(reason)
    flagged = {kind: {n for n, _, _ in names if stats.get(f"coprod/source/{n}/{kind}")}
               for kind in ("capped", "complete")}
    return CrawlRunResult(
        sources=collect(stats, names, errors, flagged["capped"], flagged["complete"]),
        pages=int(stats.get("coprod/pages/requested", 0)), max_pages=config.max_pages,
        interrupted=bool(getattr(done, "interrupted", False)), stats=stats,
        fetch_failures=list(getattr(done, "fetch_failures", [])),
    )


def run(args: argparse.Namespace) -> int:
    from crawler.failures import failure_lines
    from crawler.progress import print_summary

    quiet = getattr(args, "quiet", 0)
    result = crawl(args, notify=None if quiet else lambda text: print(text, file=sys.stderr))
    if not quiet or result.failed_sources:
        print_summary(result, sys.stderr)
    for line in failure_lines(result.fetch_failures):  # fetches given up on (crawler.failures)
        print(line, file=sys.stderr)
    return result.exit_code
