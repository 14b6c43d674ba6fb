"""Fetch DOIs: resolve through doi.org, read the landing page and the registration agency's
metadata, print one clean record per DOI, and archive everything fetched."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from crawler.commands.output import FORMAT_CHOICES, open_output, write_records
from crawler.config import BadSetting, add_from_archive_option, crawl_settings, data_dir
from crawler.resolve import BadResolveRule
from extractors.doi import InvalidDOI, normalise_doi

_COMMENT = re.compile(r"(?:^|\s)#")  # a comment starts a line or follows a space (URLs keep #)
HELP = "fetch one or more DOIs into clean, archived records"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dois", nargs="*", metavar="DOI",
                        help="10.xxxx/..., doi:10..., https://doi.org/10..., URL-encoded forms")
    parser.add_argument("--file", type=Path, help="DOIs, one per line (# comments, blank lines)")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    parser.add_argument("--format", choices=FORMAT_CHOICES, default="jsonl")
    add_from_archive_option(parser)
    parser.add_argument("--resume", action="store_true",
                        help="finish the last `coprod doi` run if it died: what it fetched is "
                             "taken from the archive, the rest fetched")


def read_dois(args: argparse.Namespace) -> list[str]:
    """Every DOI asked for, normalised and de-duplicated in order; UsageError on the first bad one."""
    from crawler.errors import UsageError

    entries = [(f"argument {n}", text) for n, text in enumerate(args.dois, 1)]
    if args.file is not None:
        try:
            lines = args.file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"coprod doi: cannot read {args.file}: {exc}") from None
        for number, line in enumerate(lines, 1):
            text = _COMMENT.split(line, maxsplit=1)[0].strip()
            if text:
                entries.append((f"{args.file}:{number}", text))
    if not entries:
        raise UsageError("coprod doi: no DOI given (DOI arguments or --file)")
    dois: list[str] = []
    for where, text in entries:
        try:
            doi = normalise_doi(text)
        except InvalidDOI as exc:
            raise UsageError(f"coprod doi: {where}: {exc}") from None
        if doi not in dois:
            dois.append(doi)
    return dois


def _note(args: argparse.Namespace) -> Any:
    def note(text: str) -> None:
        if not getattr(args, "quiet", 0):
            print(f"coprod: {text}", file=sys.stderr)
    return note


def run(args: argparse.Namespace) -> int:
    from crawler.errors import EXIT_FAILED, EXIT_OK, UsageError
    from crawler.failures import failure_lines
    from crawler.progress import doi_result, print_summary, progress_wanted
    from crawler.resume import run_job
    from crawler.spiders.doi import DoiSpider

    dois = read_dois(args)
    try:
        settings = crawl_settings(args, COPROD_PROGRESS=progress_wanted(args))
    except (BadResolveRule, BadSetting) as exc:
        raise UsageError(f"coprod: {exc}") from None
    with open_output(args.output) as out:  # checked before anything is fetched
        # one job (crawler.resume): DOI jobs share state between requests, so no Scrapy queue
        result = run_job(DoiSpider, settings, name="doi", resume=args.resume, scrapy_queue=False,
                         notify=_note(args), dois=dois, mailto=getattr(args, "mailto", None))
        items = sorted(result.items, key=lambda item: item.get("_index", 0))
        write_records(items, args.format, out)
    for doi, reason in result.failures:
        print(f"coprod: {doi}: {reason}", file=sys.stderr)
    for line in failure_lines(result.fetch_failures):  # fetches given up on (crawler.failures)
        print(line, file=sys.stderr)
    if not getattr(args, "quiet", 0):
        print_summary(doi_result(result.stats, len(dois), result.failures, result.interrupted))
        print(f"coprod: {len(items)} record(s), {len(result.failures)} failed; "
              f"archive in {data_dir(args) / 'warcs'}", file=sys.stderr)
    if result.interrupted:
        return 130
    failed = result.failures or result.fetch_failures or len(items) < len(dois)
    return EXIT_FAILED if failed else EXIT_OK
