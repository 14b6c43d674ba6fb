"""Write the built-in crawl configuration out as coprod.toml, to read and edit.

An existing file is never overwritten unless --force is given."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.crawlconfig import CONFIG_NAME

HELP = "write a coprod.toml to edit (sources, vocabulary, focus, limits)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=Path(CONFIG_NAME),
                        help=f"where to write it (default ./{CONFIG_NAME})")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def run(args: argparse.Namespace) -> int:
    from crawler.commands.output import open_output
    from crawler.crawlconfig import default_text
    from crawler.errors import EXIT_OK, UsageError

    path: Path = args.path
    if path.exists() and not args.force:
        raise UsageError(f"coprod init: {path} exists; use --force to overwrite it")
    if path.is_dir():
        raise UsageError(f"coprod init: {path} is a directory")
    with open_output(path) as out:  # appears whole or not at all
        out.write(default_text())
    if not getattr(args, "quiet", 0):
        print(f"coprod init: wrote {path}; edit it, then run `coprod crawl`", file=sys.stderr)
    return EXIT_OK
