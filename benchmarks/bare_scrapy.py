"""Bare Scrapy on the benchmark web: fetch, follow index links, nothing else.

    python benchmarks/bare_scrapy.py --out stats.json URL... [--webarchive DIR] [--trafilatura]

Run as a script with any Python that has Scrapy (2.11 in scrapy-webarchive's own venv, the
project's otherwise); it imports nothing from coprod. Politeness as coprod's crawl gets it
in the benchmark: robots.txt obeyed, one request at a time per host, 16 in all, no delay, no
AutoThrottle, depth 2 (root index -> section -> article). Hosts `*.bench.test` resolve to
127.0.0.1 (the URLs carry the sandbox's port). `--webarchive DIR` turns on
scrapy-webarchive's WACZ exporter (its WARC goes to the working directory, the WACZ to DIR);
`--trafilatura` runs trafilatura's bare_extraction on every article, on the reactor thread,
as a plain Scrapy project would.
"""

from __future__ import annotations

import argparse
import json
import time

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.resolver import CachingThreadedResolver
from scrapy.settings import default_settings
from twisted.internet import defer

DOMAIN = "bench.test"
# The resolver setting's name since Scrapy 2.13 (DNS_RESOLVER before).
_RESOLVER_SETTING = ("TWISTED_DNS_RESOLVER" if hasattr(default_settings, "TWISTED_DNS_RESOLVER")
                     else "DNS_RESOLVER")


class BenchResolver(CachingThreadedResolver):
    """*.bench.test -> 127.0.0.1, as coprod's --resolve maps it; nothing else resolves."""

    def getHostByName(self, name, timeout=None):  # noqa: N802 - Twisted's name
        if name == DOMAIN or name.endswith("." + DOMAIN):
            return defer.succeed("127.0.0.1")
        return defer.fail(OSError(f"not a benchmark host: {name}"))


class BenchSpider(scrapy.Spider):
    name = "bench"
    allowed_domains = [DOMAIN]

    def __init__(self, urls=(), extract=False, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = list(urls)  # read by start() (2.13+) and start_requests() (2.11)
        self.extract = extract
        self.pages = 0

    def parse(self, response):
        self.pages += 1
        if response.url.endswith(".html"):
            if self.extract:
                from trafilatura import bare_extraction

                bare_extraction(response.text, url=response.url, with_metadata=True)
            return
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href)


def settings(webarchive: str | None) -> dict:
    values = {
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "DEPTH_LIMIT": 2,
        _RESOLVER_SETTING: f"{__name__}.BenchResolver",
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
    if not hasattr(default_settings, "TWISTED_DNS_RESOLVER"):  # Scrapy < 2.13
        values["REQUEST_FINGERPRINTER_IMPLEMENTATION"] = "2.7"
    if webarchive:  # its WARC is written in the working directory, then packed into a WACZ
        values["EXTENSIONS"] = {"scrapy_webarchive.extensions.WaczExporter": 543}
        values["SW_EXPORT_URI"] = f"file://{webarchive}/"
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--out", required=True)
    parser.add_argument("--webarchive", metavar="DIR")
    parser.add_argument("--trafilatura", action="store_true")
    args = parser.parse_args()
    process = CrawlerProcess(settings(args.webarchive))
    crawler = process.create_crawler(BenchSpider)
    started = time.perf_counter()
    process.crawl(crawler, urls=args.urls, extract=args.trafilatura)
    process.start()
    stats = crawler.stats.get_stats()
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump({"seconds": time.perf_counter() - started, "pages": crawler.spider.pages,
                   "scrapy": scrapy.__version__,
                   "responses": stats.get("downloader/response_count", 0)}, out)


if __name__ == "__main__":
    main()
