"""Replay the archive: list captures, show one as stored or as a browser saw it, or serve a
local web viewer. Reads the data directory's catalog and WARCs, or any WARC, ARC or WACZ
files given with --warc (coprod's own or anyone else's)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crawler.config import data_dir

HELP = "list captures, show an archived response, or serve a local viewer"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def configure(parser: argparse.ArgumentParser) -> None:
    # One subparser per action, each with its own URL|DOI: argparse cannot take a
    # positional after options when an earlier positional came first (`list --json URL`).
    # Each copies the options already on `parser` (the global ones) so they work there too.
    inherited = argparse.ArgumentParser(add_help=False, parents=[parser], conflict_handler="resolve")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text, add_help=False,
                                 parents=[inherited])
        sub.add_argument("--warc", type=Path, action="extend", nargs="+", metavar="FILE",
                         help="read these WARC/ARC/WACZ files, not the data directory")
        return sub

    listing = action("list", "captures with time, status, size, digest, WARC file and offset")
    listing.add_argument("query", nargs="?", metavar="URL|DOI",
                         help="captures of this URL, or every capture the work with this DOI rests on")
    listing.add_argument("--since", metavar="DATE", help="captures from this time on")
    listing.add_argument("--json", action="store_true", help="one JSON object per capture")
    show = action("show", "the archived response closest to --at (decoded; --raw as stored)")
    show.add_argument("query", metavar="URL|DOI")
    show.add_argument("--at", metavar="TIMESTAMP",
                      help="the capture nearest this time (20240501, 2024-05-01T12:00Z)")
    show.add_argument("--headers", action="store_true",
                      help="print the WARC and HTTP headers before the body")
    show.add_argument("--raw", action="store_true",
                      help="the record block exactly as stored (not de-chunked or decoded)")
    serve = action("serve", "a local web viewer over the archive")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8090, help="port (default 8090; 0 picks one)")


def open_index(args: argparse.Namespace) -> Any:
    """The ReplayIndex the arguments name; UsageError when there is nothing to read."""
    from archive.replay_index import NoArchive, ReplayIndex
    from crawler.errors import UsageError

    try:
        if args.warc:
            index = ReplayIndex.for_files(args.warc)
            for problem in index.problems:
                print(f"coprod: warning: {problem}", file=sys.stderr)
            return index
        return ReplayIndex.for_data_dir(data_dir(args))
    except NoArchive as error:
        raise UsageError(f"coprod {args.command}: {error}") from None


def run(args: argparse.Namespace) -> int:
    from crawler.errors import UsageError

    if args.action == "serve" and not 0 <= args.port <= 65535:
        raise UsageError(f"coprod replay serve: --port {args.port} is not a port")
    when = {name: _when(getattr(args, name, None), name) for name in ("since", "at")}
    if args.action == "serve":
        return _serve(args)
    with open_index(args) as index:
        if args.action == "list":
            return _list(index, args, when["since"])
        return _show(index, args, when["at"])


def _when(text: str | None, name: str) -> Any:
    from archive.replay import parse_when
    from crawler.errors import UsageError

    if text is None:
        return None
    try:
        return parse_when(text)
    except ValueError:
        raise UsageError(f"coprod replay: --{name} {text!r}: expected 20240501[123000] "
                         "or an ISO date") from None


def _list(index: Any, args: argparse.Namespace, since: Any) -> int:
    from archive.replay import NotArchived, resolve, warc_time
    from crawler.errors import EXIT_FAILED, EXIT_OK, UsageError

    if args.query:
        try:
            captures = resolve(index, args.query).captures
        except NotArchived as error:
            raise UsageError(f"coprod replay list: {error}") from None
    else:
        captures = index.all_captures()
    if since is not None:
        captures = [c for c in captures if warc_time(c.warc_date) >= since]
    for capture in captures:
        if args.json:
            print(json.dumps(capture_row(capture), ensure_ascii=False))
        else:
            print("\t".join(str(v if v is not None else "-") for v in (
                capture.warc_date, capture.status or capture.record_type, capture.length,
                capture.payload_digest, capture.warc_file, capture.offset, capture.uri)))
    if not captures:
        print(f"coprod replay: no captures{' of ' + args.query if args.query else ''}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def capture_row(capture: Any) -> dict[str, Any]:
    """A capture as `replay list --json` prints it."""
    return {
        "time": capture.warc_date, "status": capture.status, "type": capture.record_type,
        "size": capture.length, "digest": capture.payload_digest, "warc_file": capture.warc_file,
        "offset": capture.offset, "uri": capture.uri, "record_id": capture.record_id,
        "mime": capture.mime,
    }


def _show(index: Any, args: argparse.Namespace, at: Any) -> int:
    from archive.replay import NotArchived, load, pick
    from archive.replay_index import NoArchive
    from crawler.errors import EXIT_FAILED, EXIT_OK

    try:
        stored = load(index, pick(index, args.query, at))
    except (NotArchived, NoArchive, OSError) as error:  # OSError: a WARC gone since indexed
        print(f"coprod replay show: {error}", file=sys.stderr)
        return EXIT_FAILED
    capture = stored.capture
    if not getattr(args, "quiet", 0):
        print(f"coprod replay: {capture.record_type} {capture.warc_date} {capture.uri} "
              f"({capture.warc_file} at byte {capture.offset})", file=sys.stderr)
        for note in stored.notes:
            print(f"coprod replay: {note}", file=sys.stderr)
    out = sys.stdout.buffer
    if args.headers:
        out.write("".join(f"{k}: {v}\r\n" for k, v in stored.warc_headers).encode("utf-8") + b"\r\n")
        if not args.raw:
            out.write(stored.head)
    out.write(stored.block if args.raw else stored.body)
    out.flush()
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from archive.viewer import serve
    from crawler.errors import EXIT_OK, UsageError

    if args.host not in LOOPBACK:
        print(f"coprod replay: warning: serving on {args.host}, not loopback: anyone who can "
              "reach it can read the archive", file=sys.stderr)
    try:
        serve(lambda: open_index(args), args.host, args.port,
              announce=lambda url: print(f"coprod replay: viewer at {url} (Ctrl-C stops it)",
                                         file=sys.stderr, flush=True))
    except OSError as error:
        raise UsageError(f"coprod replay serve: cannot listen on {args.host}:{args.port}: "
                         f"{error.strerror}") from None
    except KeyboardInterrupt:
        print("coprod replay: viewer stopped", file=sys.stderr)
    return EXIT_OK
