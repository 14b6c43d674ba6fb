"""Run the whole pipeline offline: a bundled sample site about co-production is served on
loopback (the sandbox web), DOIs are fetched through it with --resolve and their records
printed, the archive is audited (digests, catalog, re-derivation) and an HTML report written;
the archive, catalog and report are left in the data directory to look at."""

from __future__ import annotations

import argparse
import sys

from crawler.config import data_dir

HELP = "run the whole pipeline offline against a bundled sample site"
DEMO_DELAY = 0.1  # seconds per host: the sample site is on this machine


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default="jsonl", choices=("jsonl", "csv", "bibtex", "ris", "csl-json"))


def run(args: argparse.Namespace) -> int:
    from crawler.commands import audit as audit_command
    from crawler.commands import doi as doi_command
    from crawler.commands import report as report_command
    from crawler.sandbox.demo_site import demo_site
    from crawler.sandbox.server import SandboxWeb

    site, dois = demo_site()
    with SandboxWeb(site) as web:
        print(f"coprod demo: sample site on 127.0.0.1 (http :{web.http_port}, https :{web.https_port}); "
              f"fetching {len(dois)} DOIs through it", file=sys.stderr)
        _with_defaults(args, doi_command)
        args.resolve = list(web.resolve_rules) + list(getattr(args, "resolve", []) or [])
        args.dois, args.file, args.output = dois, None, None
        if getattr(args, "delay", None) is None:
            args.delay = DEMO_DELAY
        code = doi_command.run(args)
    where = data_dir(args)
    print("coprod demo: auditing the archive (digests, catalog, records re-derived)", file=sys.stderr)
    audited = audit_command.run(_with_defaults(argparse.Namespace(**vars(args)), audit_command))
    report_args = _with_defaults(argparse.Namespace(**vars(args)), report_command)
    report_args.output = where / "report.html"
    report_command.run(report_args)
    print(f"coprod demo: WARC files in {where / 'warcs'}, catalog {where / 'catalog.sqlite'}, "
          f"report {where / 'report.html'}; browse the archive with "
          f"`coprod replay serve --data-dir {where}`", file=sys.stderr)
    return max(code, audited)


def _with_defaults(args: argparse.Namespace, command: object) -> argparse.Namespace:
    """Give `args` every option `command` has, at its default, so the demo runs that command as is."""
    parser = argparse.ArgumentParser()
    command.configure(parser)  # type: ignore[attr-defined]
    for name, value in vars(parser.parse_args([])).items():
        if not hasattr(args, name) or name in ("output", "warc"):
            setattr(args, name, value)
    return args
