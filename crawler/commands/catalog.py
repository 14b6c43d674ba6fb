"""The catalog (SQLite index over the WARCs): rebuild it from the WARC files alone."""

from __future__ import annotations

import argparse
import sys

from crawler.config import catalog_location, data_dir

HELP = "rebuild the catalog from the WARC files"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("rebuild",))


def run(args: argparse.Namespace) -> int:
    from archive.catalog import CatalogError, rebuild
    from crawler.errors import EXIT_FAILED, EXIT_OK, UsageError
    from crawler.lock import hold

    root = data_dir(args)
    if not (root / "warcs").is_dir():
        raise UsageError(f"coprod catalog: no WARC files in {root / 'warcs'}")
    with hold(root):  # no crawl may write while the catalog is replaced
        warcs = sorted((root / "warcs").glob("*.warc.gz"))
        if not warcs:
            raise UsageError(f"coprod catalog: no WARC files in {root / 'warcs'}")
        target = catalog_location(args)
        try:
            catalog = rebuild(target, warcs)
        except CatalogError as exc:
            print(f"coprod catalog: {exc}; the old catalog is left as it was", file=sys.stderr)
            return EXIT_FAILED
    counts = catalog.counts()
    catalog.close()
    if not getattr(args, "quiet", 0):
        print(f"coprod catalog: rebuilt {target} from {len(warcs)} WARC file(s): {counts}", file=sys.stderr)
    return EXIT_OK
