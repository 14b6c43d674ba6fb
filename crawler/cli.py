"""The `coprod` command: global options, then one subcommand per use (crawler/commands/*).

Global options are accepted before or after the subcommand (`coprod --data-dir D doi X` and
`coprod doi X --data-dir D` mean the same). Exit codes: 0 all good, 1 some work failed,
2 bad usage or bad input (one line on stderr, nothing written).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import sys
from collections.abc import Sequence

from crawler import __version__
from crawler.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError
from crawler.lock import LockHeld

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "UsageError", "main"]

COMMANDS = ("doi", "crawl", "worker", "init", "extract", "catalog", "demo", "replay", "audit",
            "package", "export", "report", "bench")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options")
    group.add_argument("--data-dir", default=default(None),
                       help="archive, catalog and state (default ./coprod-data, env COPROD_DATA)")
    group.add_argument("--catalog", default=default(None), metavar="URL",
                       help="the catalog: postgresql://user@host/db for workers on several "
                            "machines (default <data-dir>/catalog.sqlite, env COPROD_CATALOG)")
    group.add_argument("--resolve", action="append", metavar="HOST[:PORT]=IP[:PORT]",
                       default=default([]),
                       help="map hosts to addresses, like curl (repeatable, * wildcards)")
    group.add_argument("--mailto", default=default(None),
                       help="your contact address: User-Agent, Crossref/OpenAlex polite pool")
    group.add_argument("--delay", type=float, default=default(None), metavar="SECONDS",
                       help="per-host delay between requests (default 1.0; APIs 0.2)")
    group.add_argument("--render", action="store_const", const="always", default=default(None),
                       help="render every HTML page in Chromium (default: only pages that need it)")
    group.add_argument("--no-render", dest="render", action="store_const", const="never",
                       default=default(None), help="never start a browser")
    group.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", default=default([]),
                       help="override a Scrapy setting, as `scrapy crawl -s` does (repeatable)")
    group.add_argument("-v", "--verbose", action="count", default=default(0))
    group.add_argument("-q", "--quiet", action="count", default=default(0))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="coprod", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"coprod {__version__}")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"crawler.commands.{name}")
        command = sub.add_parser(name, help=module.HELP, description=module.__doc__)
        _global_options(command, suppress=True)
        module.configure(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # No last garbage collection over every object Scrapy, Twisted and SQLAlchemy loaded when
    # the process exits: it took ~1 s of each `coprod doi` (benchmarks/README.md). Files and
    # connections are closed by the commands themselves, not by the collector.
    atexit.register(gc.freeze)
    try:
        args = build_parser().parse_args(argv)
        return int(args.run(args))
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except LockHeld as exc:  # another run writes to this data directory
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("coprod: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
