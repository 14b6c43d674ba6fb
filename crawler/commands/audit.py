"""Audit the archive: digests and whole files (integrity), catalog rows against the WARCs
(provenance), and every record re-extracted from its archived responses (re-derivation).
Exit 0 when all holds; 1 on any integrity or provenance failure or any field diff."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crawler.config import data_dir

HELP = "check digests, catalog and records against the archived bytes"
SHOWN_FINDINGS = 200  # on stderr; --json carries them all


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warc", type=Path, action="extend", nargs="+", metavar="FILE",
                        help="audit these WARC/ARC/WACZ files on their own, not the data directory")
    parser.add_argument("--no-rederive", action="store_true",
                        help="skip re-extraction (integrity and provenance only)")
    parser.add_argument("--accept-newer-extractor", action="store_true",
                        help="exit 0 when the only diffs come from records made by another "
                             "extractor version")
    parser.add_argument("--json", action="store_true", help="the whole report as JSON on stdout")


def run(args: argparse.Namespace) -> int:
    from archive.audit import NOTE, audit
    from archive.replay_index import NoArchive
    from crawler.errors import EXIT_FAILED, EXIT_OK, UsageError

    root = data_dir(args)
    if not args.warc and not (root / "warcs").is_dir():
        raise UsageError(f"coprod audit: no archive in {root} (no warcs/ folder)")
    try:
        report = audit(root, args.warc, rederive=not args.no_rederive)
    except NoArchive as error:
        raise UsageError(f"coprod audit: {error}") from None
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    quiet = getattr(args, "quiet", 0)
    shown = [f for f in report.findings if f.severity != NOTE or getattr(args, "verbose", 0)]
    for finding in ([] if quiet else shown[:SHOWN_FINDINGS]):
        print(f"{finding.severity}: {finding.check}: {finding.where}: {finding.message}",
              file=sys.stderr)
        for diff in finding.details.get("fields", []):
            print(f"    {diff['field']}: stored {json.dumps(diff['stored'], ensure_ascii=False)}"
                  f" | re-derived {json.dumps(diff['derived'], ensure_ascii=False)}", file=sys.stderr)
    if len(shown) > SHOWN_FINDINGS and not quiet:
        print(f"... and {len(shown) - SHOWN_FINDINGS} more (--json has them all)", file=sys.stderr)
    print(f"coprod audit: {report.summary()}", file=sys.stderr)
    failed = report.failed(accept_explained=args.accept_newer_extractor)
    return EXIT_FAILED if failed else EXIT_OK
