"""Package the archive as a WACZ (WARCs, CDXJ index, pages.jsonl, datapackage.json with
hashes) that ReplayWeb.page and pywb open; --query keeps only the matching records and the
captures they rest on."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "package the archive (or some records) as a WACZ"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wacz", type=Path, required=True, metavar="OUT.wacz",
                        help="the WACZ file to write")
    parser.add_argument("--query", metavar="TEXT",
                        help="only records whose title, DOI, authors, container or URL hold every word")
    parser.add_argument("--title", default="coprod archive", help="the package's title")
    parser.add_argument("--warc", type=Path, action="extend", nargs="+", metavar="FILE",
                        help="package these WARC files instead of the data directory")


def run(args: argparse.Namespace) -> int:
    from archive.wacz import PackageError, make_wacz
    from crawler.commands.replay import open_index
    from crawler.errors import EXIT_FAILED, EXIT_OK, UsageError

    if args.wacz.suffix.lower() != ".wacz":
        raise UsageError(f"coprod package: {args.wacz} should end in .wacz")
    if not args.wacz.parent.is_dir() and str(args.wacz.parent):
        raise UsageError(f"coprod package: no directory {args.wacz.parent}")
    with open_index(args) as index:
        try:
            done = make_wacz(index, args.wacz, query=args.query, title=args.title)
        except PackageError as error:
            print(f"coprod package: {error}", file=sys.stderr)
            return EXIT_FAILED
    if not getattr(args, "quiet", 0):
        print(f"coprod package: {done.path}: {done.records} record(s), {done.pages} page(s), "
              f"from {len(done.warc_files)} WARC file(s)", file=sys.stderr)
    return EXIT_OK
