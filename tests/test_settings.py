"""crawler/settings.py as Scrapy builds it: what a crawl process loads and what it leaves out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from crawler import settings as project
from crawler.spiders.crawl import CrawlSpider
settings = Settings(); settings.setmodule(project)
crawler = Crawler(CrawlSpider, settings)
crawler._apply_settings()
names = [type(e).__name__ for e in crawler.extensions.middlewares]
print(json.dumps({"extensions": names, "aiohttp": "aiohttp" in sys.modules}))
"""


def test_scrapys_remote_control_server_is_neither_started_nor_imported() -> None:
    """Scrapy 2.19's code-execution server has no place in an unattended crawler; naming it
    in EXTENSIONS to switch it off would import it (and aiohttp) at every start."""
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert "RemoteControl" not in found["extensions"]
    assert {"CoreStats", "LogStats", "DataDirLockExtension"} <= set(found["extensions"])
    assert found["aiohttp"] is False
