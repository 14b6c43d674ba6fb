"""Extract records from saved pages or API responses (no network): one file -> one JSON record,
or every archived response in a WARC -> JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HELP = "extract a record from a saved page, or from every response in a WARC"
MAX_INPUT = 64 * 1024 * 1024
# How a WARC (or ARC) file starts: a gzip member, or a record's first line. warcio reads other
# text as ARC records ("a b c d e" is five ARC fields) or raises ArchiveLoadFailed.
WARC_STARTS = (b"\x1f\x8b", b"WARC/", b"filedesc://")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", help="saved page or API response; - for stdin")
    parser.add_argument("--url", help="the URL the file was fetched from (chooses the adapter)")
    parser.add_argument("--content-type", help="the Content-Type it was served with, if known")
    parser.add_argument("--warc", type=Path, help="re-extract every response record in this WARC")


def run(args: argparse.Namespace) -> int:
    from crawler.errors import UsageError

    if args.warc is not None:
        if args.file:
            raise UsageError("coprod extract: give FILE --url or --warc, not both")
        return _run_warc(args.warc)
    if not args.file or not args.url:
        raise UsageError("coprod extract: needs FILE (or -) and --url URL, or --warc FILE")
    body = _read_input(args.file)
    headers = {"Content-Type": args.content_type} if args.content_type else {}
    return _emit_one(args.url, headers, body)


def _read_input(name: str) -> bytes:
    from crawler.errors import UsageError

    try:
        if name == "-":
            return sys.stdin.buffer.read(MAX_INPUT + 1)
        with open(name, "rb") as stream:
            return stream.read(MAX_INPUT + 1)
    except OSError as exc:
        raise UsageError(f"coprod extract: cannot read {name}: {exc.strerror}") from None


def _emit_one(url: str, headers: dict[str, str], body: bytes) -> int:
    from crawler.errors import EXIT_FAILED, EXIT_OK, UsageError
    from extractors.dispatch import extract
    from extractors.errors import UnusableInput

    if len(body) > MAX_INPUT:
        raise UsageError(f"coprod extract: input over {MAX_INPUT // 2**20} MB")
    try:
        extraction = extract(url, headers, body)
    except UnusableInput as exc:
        raise UsageError(f"coprod extract: unusable input: {exc}") from None
    if extraction.record is None:
        print(f"coprod extract: no record: {extraction.reason}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(extraction.record.to_dict(), ensure_ascii=False, indent=2))
    return EXIT_OK


def _run_warc(path: Path) -> int:
    from warcio.exceptions import ArchiveLoadFailed

    from archive.warcread import iter_responses
    from crawler.errors import EXIT_FAILED, EXIT_OK, UsageError
    from extractors.dispatch import extract
    from extractors.errors import UnusableInput

    if not path.is_file():
        raise UsageError(f"coprod extract: no such WARC file: {path}")
    with open(path, "rb") as stream:
        if not stream.read(16).lstrip().startswith(WARC_STARTS):
            raise UsageError(f"coprod extract: {path}: not a WARC file")
    failed = 0
    try:
        for response in iter_responses(path):
            line: dict[str, Any] = {"url": response.uri, "warc_record_id": response.record_id}
            try:
                extraction = extract(response.uri, response.headers, response.body)
            except UnusableInput as exc:
                extraction, line["error"] = None, str(exc)
            if extraction is not None and extraction.record is not None:
                record = extraction.record
                prov = record.provenance
                prov.warc_file, prov.warc_record_id = path.name, response.record_id
                prov.offset, prov.fetched_at = response.offset, response.date
                line = record.to_dict()
            elif extraction is not None:
                line["reason"] = extraction.reason
            failed += "error" in line
            print(json.dumps(line, ensure_ascii=False))
    except (ValueError, ArchiveLoadFailed) as exc:  # warcio: not a WARC, or torn
        raise UsageError(f"coprod extract: {path}: not a readable WARC ({exc})") from None
    return EXIT_FAILED if failed else EXIT_OK
