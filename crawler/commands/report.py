"""Write an HTML report of the corpus: records per year, source and language, a PRISMA-style
flow (identified per source, duplicates removed, screened by relevance), the archive's
counts and each source's last complete harvest. One self-contained file (plots inlined as
SVG) that opens offline. Reads the catalog only, so it runs beside a crawl."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.commands.export import score_arg, threshold
from crawler.config import data_dir, open_catalog

HELP = "write an HTML report of the corpus (counts, plots, PRISMA-style flow)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="where to write it (default <data-dir>/report.html; - for stdout)")
    parser.add_argument("--threshold", type=score_arg, metavar="SCORE",
                        help="relevance threshold (default: coprod.toml's, else 0.35)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="the crawl configuration to take the threshold from")


def run(args: argparse.Namespace) -> int:
    from archive.catalog import CatalogError
    from archive.report import catalog_report
    from archive.report_html import render_html
    from crawler.commands.output import open_output
    from crawler.errors import EXIT_OK, UsageError

    cut = threshold(args)
    root = data_dir(args)
    try:
        with open_catalog(args, "report") as catalog:
            report = catalog_report(catalog, cut)
    except CatalogError as exc:
        raise UsageError(f"coprod report: {exc}") from None
    html = render_html(report, source=str(root))
    target = None if str(args.output) == "-" else (args.output or root / "report.html")
    with open_output(target) as out:
        out.write(html)
    if not getattr(args, "quiet", 0):
        flow = report.flow
        print(f"coprod report: {report.records} records ({flow.included} included, {flow.excluded} "
              f"below the relevance threshold {cut:g}){' in ' + str(target) if target else ''}",
              file=sys.stderr)
    return EXIT_OK
