"""Export the catalog's records as JSON Lines, CSV, BibTeX, RIS or CSL-JSON, to stdout or a file.

Records below the co-production relevance threshold ([crawl] relevance_threshold in
coprod.toml, or --threshold) stay in the archive and catalog but are left out unless --all;
a record never scored (a one-off DOI fetch) counts as relevant. Reads the catalog only, so it
runs beside a crawl (the catalog is SQLite in WAL mode) and takes no lock."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.commands.output import FORMAT_CHOICES, open_output
from crawler.config import open_catalog

HELP = "export the catalog's records (jsonl, csv, bibtex, ris, csl-json)"


def score_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a score between 0 and 1, not {text!r}")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMAT_CHOICES, default="jsonl")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    parser.add_argument("--all", action="store_true",
                        help="include records below the relevance threshold")
    parser.add_argument("--threshold", type=score_arg, metavar="SCORE",
                        help="relevance threshold (default: coprod.toml's, else 0.35)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="the crawl configuration to take the threshold from "
                             "(default ./coprod.toml, else built in)")


def threshold(args: argparse.Namespace) -> float:
    """--threshold, else the config's relevance_threshold; UsageError on a bad config."""
    if args.threshold is not None:
        return args.threshold
    from crawler.crawlconfig import ConfigError, load_config
    from crawler.errors import UsageError

    try:
        return load_config(args.config).relevance_threshold
    except ConfigError as exc:
        raise UsageError(f"coprod export: {exc}") from None


def run(args: argparse.Namespace) -> int:
    from archive.catalog import CatalogError
    from archive.exports import write_records
    from crawler.errors import EXIT_OK, UsageError
    from crawler.focus import relevant

    cut = threshold(args)
    try:
        with open_catalog(args, "export") as catalog:
            everything = list(catalog.records())
    except CatalogError as exc:
        raise UsageError(f"coprod export: {exc}") from None
    chosen = everything if args.all else [r for r in everything if relevant(r, cut)]
    with open_output(args.output) as out:
        write_records(chosen, args.format, out)
    if not getattr(args, "quiet", 0):
        left_out = len(everything) - len(chosen)
        note = f"; {left_out} below the relevance threshold {cut} left out (--all keeps them)" \
            if left_out else ""
        where = f" to {args.output}" if args.output else ""
        print(f"coprod export: {len(chosen)} record(s) as {args.format}{where}{note}", file=sys.stderr)
    return EXIT_OK
