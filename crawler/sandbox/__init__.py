"""The sandbox web: a local stand-in for the internet for tests, benchmarks and `coprod demo`.

site = Site()
site.add("https://doi.org/10.5555/x", body="<html>...</html>")
with SandboxWeb(site) as web:
    ...  # crawl with --resolve web.resolve_rules[0] --resolve web.resolve_rules[1]
    assert web.hits_for("doi.org")
"""

from crawler.sandbox.demo_site import demo_site
from crawler.sandbox.fixture_site import FixturePage, FixtureSite, fixture_site
from crawler.sandbox.response import Response
from crawler.sandbox.server import Hit, SandboxWeb
from crawler.sandbox.site import ALLOW_ALL, Site

__all__ = [
    "ALLOW_ALL",
    "FixturePage",
    "FixtureSite",
    "Hit",
    "Response",
    "SandboxWeb",
    "Site",
    "demo_site",
    "fixture_site",
]
