"""CPU a page of the crawl process's two byte-scanned checks, before and after, over the real
fixture pages: the render check (crawler.render.detect.needs_render, with and without its
byte-level pre-check) and the meta refresh check (Scrapy's MetaRefreshMiddleware against
crawler.redirects.ByteScanMetaRefreshMiddleware).

    python -m benchmarks.bytescan_cpu [FIXTURES_DIR] [--rounds N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from statistics import mean, median
from unittest import mock

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.redirects import ByteScanMetaRefreshMiddleware
from crawler.render import detect

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def pages(fixtures: Path) -> list[tuple[str, bytes, str]]:
    """(name, body, Content-Type as the sandbox serves it)."""
    out = []
    for path in sorted(p for d in ("publisher_html", "repository_html", "other")
                       for p in (fixtures / d).glob("*.htm*")):
        body = path.read_bytes()
        try:
            body.decode("utf-8")
            content_type = "text/html; charset=utf-8"
        except UnicodeDecodeError:
            content_type = "text/html"
        out.append((path.name, body, content_type))
    return out


def cpu_ms(run, rounds: int) -> float:
    """Best of `rounds` process CPU times of run(), in ms."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best * 1000


def render_check(corpus, rounds: int) -> None:
    def check(body: bytes, content_type: str):
        headers = {"Content-Type": content_type}
        return lambda: [detect.needs_render("https://x.example/", headers, body) for _ in range(5)]

    rows = []
    for name, body, content_type in corpus:
        after = cpu_ms(check(body, content_type), rounds) / 5
        with mock.patch.object(detect, "settled_by_bytes", return_value=False):
            before = cpu_ms(check(body, content_type), rounds) / 5
        settled = detect.settled_by_bytes(body[:detect.MAX_CHECKED], content_type)
        rows.append((name, len(body), detect.names_work(body), settled, before, after))
    checked = [r for r in rows if not r[2]]  # pages whose meta tags do not name the work
    print("render check (needs_render), ms of CPU a page")
    print(f"  {'page':44} {'KB':>5} {'settled':>7} {'before':>7} {'after':>7}")
    for name, size, _, settled, before, after in checked:
        print(f"  {name[:44]:44} {size // 1024:5} {settled!s:>7} {before:7.2f} {after:7.2f}")
    for label, group in (("all pages", rows), ("pages reaching the check", checked),
                         ("  of which settled", [r for r in checked if r[3]]),
                         ("  of which not settled", [r for r in checked if not r[3]])):
        if group:
            print(f"  {label:30} n={len(group):2}  mean {mean(r[4] for r in group):6.2f} -> "
                  f"{mean(r[5] for r in group):6.2f}   median {median(r[4] for r in group):6.2f} -> "
                  f"{median(r[5] for r in group):6.2f}")


def meta_refresh(corpus, rounds: int) -> None:
    crawler = get_crawler()
    stock = MetaRefreshMiddleware.from_crawler(crawler)
    ours = ByteScanMetaRefreshMiddleware.from_crawler(crawler)
    request = Request("https://x.example/")

    def fresh() -> list[HtmlResponse]:  # Scrapy caches a response's text: each run gets new ones
        return [HtmlResponse("https://x.example/", body=body, headers={"Content-Type": ct})
                for _, body, ct in corpus]

    def timed(middleware) -> float:
        best = float("inf")
        for _ in range(rounds):
            responses = fresh()
            start = time.process_time()
            for response in responses:
                middleware.process_response(request, response)
            best = min(best, time.process_time() - start)
        return best * 1000 / len(corpus)

    before, after = timed(stock), timed(ours)
    followed = sum(1 for r in fresh() if ours.process_response(request, r) is not r)
    print(f"meta refresh check: {before:.3f} -> {after:.3f} ms of CPU a page "
          f"(mean over {len(corpus)} pages; {followed} refresh followed)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", nargs="?", type=Path, default=FIXTURES)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    corpus = pages(args.fixtures)
    render_check(corpus, args.rounds)
    meta_refresh(corpus, args.rounds)


if __name__ == "__main__":
    main()
