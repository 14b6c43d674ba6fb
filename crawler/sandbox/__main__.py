"""Run the sandbox web in the foreground: `python -m crawler.sandbox [--fixtures DIR] [--demo]`.

Prints the `--resolve` rules to give the crawler, serves until interrupted (or for
`--seconds`), then prints how many requests each host saw.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections import Counter
from pathlib import Path

from crawler.sandbox.demo_site import demo_site
from crawler.sandbox.fixture_site import fixture_site
from crawler.sandbox.server import SandboxWeb
from crawler.sandbox.site import Site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.sandbox", description=__doc__)
    parser.add_argument("--fixtures", type=Path, help="serve the real pages of this directory")
    parser.add_argument("--demo", action="store_true", help="serve the bundled demo site")
    parser.add_argument("--http-port", type=int, default=0)
    parser.add_argument("--https-port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--seconds", type=float, help="stop after this long")
    args = parser.parse_args(argv)

    site = Site()
    if args.fixtures:
        if not args.fixtures.is_dir():
            parser.error(f"no such directory: {args.fixtures}")
        fixture_site(args.fixtures, site)
    if args.demo or not args.fixtures:
        _, dois = demo_site(site)
        print("demo DOIs:", " ".join(dois))
    web = SandboxWeb(site, args.http_port, args.https_port, latency=args.latency)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with web:
        print(" ".join(f"--resolve '{rule}'" for rule in web.resolve_rules), flush=True)
        print(f"CA certificate: {web.ca_path}", flush=True)
        try:
            done.wait(args.seconds)
        except KeyboardInterrupt:
            pass
    for host, count in Counter(hit.host for hit in web.hits).most_common():
        print(f"{count:6d}  {host}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
