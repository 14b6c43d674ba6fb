"""Politeness: robots.txt Crawl-delay, AutoThrottle floors (the APIs' documented rates), and a
Retry-After that pauses the whole host. End to end with `coprod doi` on the sandbox web, and
the throttle's arithmetic on its own."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from scrapy.core.downloader import Slot
from scrapy.http import Request, Response
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.test import get_crawler

from crawler.politeness import HostDelaysExtension, PoliteAutoThrottle
from crawler.sandbox import Response as Answer
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import json_lines, run_coprod
from tests.test_faults_helpers import check_archive, landing_html

# -- end to end ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def web():
    site = Site()
    site.add_prefix("https://api.crossref.org/works/", Answer(404, body="Resource not found."))
    site.add_prefix("https://api.datacite.org/dois/", Answer(404, body="not found"))
    # a host asking for 1 s between requests (and 30 s from some other robot)
    site.robots("slow.example.org", "User-agent: otherbot\nCrawl-delay: 30\n\n"
                                    "User-agent: *\nCrawl-delay: 1\nAllow: /\n")
    for n in range(3):
        doi = f"10.5555/slow-{n}"
        site.redirect(f"https://doi.org/{doi}", f"https://slow.example.org/work/{n}", status=302)
        site.add(f"https://slow.example.org/work/{n}", body=landing_html(f"Slow host work {n}", doi))
    # a host that says "come back in 2 s" to the first request; the second page is reached
    # later, through two more redirect hops elsewhere
    site.redirect("https://doi.org/10.5555/busy-a", "https://busy.example.org/a", status=302)
    site.add_sequence("https://busy.example.org/a", [
        Answer(429, body="Too Many Requests", headers={"Retry-After": "2"}),
        Answer(body=landing_html("Busy host work A", "10.5555/busy-a")),
    ])
    site.redirect("https://doi.org/10.5555/busy-b", "https://hops.example.net/1", status=302)
    site.redirect("https://hops.example.net/1", "https://hops.example.net/2", status=302)
    site.redirect("https://hops.example.net/2", "https://busy.example.org/b", status=302)
    site.add("https://busy.example.org/b", body=landing_html("Busy host work B", "10.5555/busy-b"))
    with SandboxWeb(site) as server:
        yield server


def test_crawl_delay_is_obeyed_for_our_user_agent(web: SandboxWeb, tmp_path: Path) -> None:
    web.clear_hits()
    done = run_coprod("doi", *[f"10.5555/slow-{n}" for n in range(3)], data_dir=tmp_path,
                      resolve=web.resolve_rules)  # --delay 0
    assert done.returncode == 0, done.stderr
    assert len(json_lines(done.stdout)) == 3
    hits = [hit for hit in web.hits_for("slow.example.org")]
    assert [hit.path for hit in hits][0] == "/robots.txt" and len(hits) == 4
    gaps = [later.time - earlier.time for earlier, later in zip(hits[1:], hits[2:], strict=False)]
    assert all(gap >= 0.95 for gap in gaps), gaps  # Crawl-delay: 1, no jitter below it
    assert all(gap < 5 for gap in gaps), gaps  # not the other robot's 30 s
    check_archive(tmp_path)


def test_retry_after_pauses_the_whole_host(web: SandboxWeb, tmp_path: Path) -> None:
    web.clear_hits()
    done = run_coprod("doi", "10.5555/busy-a", "10.5555/busy-b", "--set", "RETRY_BACKOFF_BASE=0.05",
                      data_dir=tmp_path, resolve=web.resolve_rules)
    assert done.returncode == 0, done.stderr
    hits = [hit for hit in web.hits_for("busy.example.org") if hit.path != "/robots.txt"]
    first = hits[0]
    assert (first.path, first.status) == ("/a", 429), [(h.path, h.status) for h in hits]
    later = hits[1:]
    assert {hit.path for hit in later} == {"/a", "/b"}
    assert all(hit.time - first.time >= 1.95 for hit in later), [h.time - first.time for h in later]
    check_archive(tmp_path)


# -- the throttle's arithmetic --------------------------------------------------------------


class _Downloader:
    def __init__(self, per_slot: dict, slots: dict) -> None:
        self.per_slot_settings, self.slots, self._delay = per_slot, slots, None

    def get_slot_key(self, request: Request) -> str:
        return urlsplit(request.url).hostname


@pytest.fixture
def crawler():
    crawler = get_crawler(settings_dict={
        "AUTOTHROTTLE_ENABLED": True, "DOWNLOAD_DELAY": 1.0, "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "USER_AGENT": "coprod/0.1 (+https://example.org/coprod)",
    })
    slots = {"api.crossref.org": Slot(1, 0.2, 0.5), "slow.example.org": Slot(1, 1.0, 0.5)}
    crawler.engine = SimpleNamespace(downloader=_Downloader(
        {"api.crossref.org": {"concurrency": 1, "delay": 0.2}}, slots))
    crawler.stats = SimpleNamespace(set_value=lambda *a: None, inc_value=lambda *a: None)
    return crawler


def _downloaded(throttle: PoliteAutoThrottle, url: str, latency: float) -> None:
    request = Request(url, meta={"download_slot": urlsplit(url).hostname, "download_latency": latency})
    throttle._response_downloaded(Response(url, status=200, body=b"x"), request, None)


def test_throttle_starts_at_download_delay_and_keeps_api_rates(crawler) -> None:
    throttle = PoliteAutoThrottle(crawler)
    throttle._spider_opened(None)
    assert crawler.engine.downloader._delay == 1.0  # not AUTOTHROTTLE_START_DELAY (5 s)
    api = crawler.engine.downloader.slots["api.crossref.org"]
    for _ in range(5):
        _downloaded(throttle, "https://api.crossref.org/works/x", 0.05)
    assert api.delay == pytest.approx(0.2)  # its documented rate, not raised to DOWNLOAD_DELAY
    _downloaded(throttle, "https://slow.example.org/p", 3.0)
    assert crawler.engine.downloader.slots["slow.example.org"].delay == pytest.approx(3.0)


def test_crawl_delay_becomes_the_hosts_floor_without_jitter(crawler) -> None:
    extension = HostDelaysExtension(crawler)
    extension.spider_opened()
    per_slot = crawler.engine.downloader.per_slot_settings
    assert per_slot["api.crossref.org"]["jitter"] == 0.0
    robots = ProtegoRobotParser(b"User-agent: otherbot\nCrawl-delay: 30\n\n"
                                b"User-agent: *\nCrawl-delay: 5\n", None)
    extension.robots_parsed(robots, Request("https://slow.example.org/page"))
    slot = crawler.engine.downloader.slots["slow.example.org"]
    assert (slot.delay, slot.jitter) == (5.0, 0.0)
    assert per_slot["slow.example.org"] == {"delay": 5.0, "jitter": 0.0}  # kept if re-created
    throttle = PoliteAutoThrottle(crawler)
    throttle._spider_opened(None)
    _downloaded(throttle, "https://slow.example.org/page", 0.01)
    assert slot.delay == 5.0  # a fast answer does not bring it under the Crawl-delay
    huge = ProtegoRobotParser(b"User-agent: *\nCrawl-delay: 86400\n", None)
    extension.robots_parsed(huge, Request("https://lazy.example.org/"))
    assert per_slot["lazy.example.org"]["delay"] == 60.0  # capped at AUTOTHROTTLE_MAX_DELAY
