"""Run the whole pipeline offline: a bundled sample site about co-production is served on
loopback (the sandbox web), DOIs are fetched through it with --resolve, records are printed,
and the archive and catalog are left in the data directory to look at."""

from __future__ import annotations

import argparse
import sys

from crawler.config import data_dir

HELP = "run the whole pipeline offline against a bundled sample site"
DEMO_DELAY = 0.1  # seconds per host: the sample site is on this machine


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default="jsonl", choices=("jsonl", "csv", "bibtex", "ris", "csl-json"))


def run(args: argparse.Namespace) -> int:
    from crawler.commands import doi as doi_command
    from crawler.sandbox.demo_site import demo_site
    from crawler.sandbox.server import SandboxWeb

    site, dois = demo_site()
    with SandboxWeb(site) as web:
        print(f"coprod demo: sample site on 127.0.0.1 (http :{web.http_port}, https :{web.https_port}); "
              f"fetching {len(dois)} DOIs through it", file=sys.stderr)
        _with_doi_defaults(args)
        args.resolve = list(web.resolve_rules) + list(getattr(args, "resolve", []) or [])
        args.dois, args.file, args.output = dois, None, None
        if getattr(args, "delay", None) is None:
            args.delay = DEMO_DELAY
        code = doi_command.run(args)
    where = data_dir(args)
    print(f"coprod demo: WARC files in {where / 'warcs'}, catalog {where / 'catalog.sqlite'}",
          file=sys.stderr)
    return code


def _with_doi_defaults(args: argparse.Namespace) -> None:
    """Give `args` every option `coprod doi` has, at its default, so the demo runs the doi command as is."""
    from crawler.commands import doi as doi_command

    parser = argparse.ArgumentParser()
    doi_command.configure(parser)
    for name, value in vars(parser.parse_args([])).items():
        if not hasattr(args, name):
            setattr(args, name, value)
