"""The catalog (SQLite index over the WARCs): rebuild it from the WARC files alone."""

from __future__ import annotations

import argparse
import sys

from crawler.config import data_dir

HELP = "rebuild the catalog from the WARC files"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("rebuild",))


def run(args: argparse.Namespace) -> int:
    from archive.catalog import rebuild
    from crawler.cli import EXIT_OK, UsageError

    root = data_dir(args)
    warcs = sorted((root / "warcs").glob("*.warc.gz"))
    if not warcs:
        raise UsageError(f"coprod catalog: no WARC files in {root / 'warcs'}")
    target = root / "catalog.sqlite"
    fresh = target.with_name("catalog.sqlite.rebuild")
    for stale in (fresh, fresh.with_name(fresh.name + "-wal"), fresh.with_name(fresh.name + "-shm")):
        stale.unlink(missing_ok=True)
    catalog = rebuild(fresh, warcs)
    counts = catalog.counts()
    catalog.close()
    fresh.replace(target)
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    if not getattr(args, "quiet", 0):
        print(f"coprod catalog: rebuilt {target} from {len(warcs)} WARC file(s): {counts}", file=sys.stderr)
    return EXIT_OK
