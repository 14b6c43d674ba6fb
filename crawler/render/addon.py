"""The Scrapy add-on that switches rendering on: `ADDONS = {"crawler.render.addon.RenderAddon": 10}`.

Unless COPROD_RENDER is "never" or no Chromium is found, it puts the rendering download
handler in for http and https, adds the two middlewares, and sets scrapy-playwright's
settings from coprod's (one place: crawler.render.config). Playwright itself starts only
when a page is rendered. A `--from-archive` run gets the middleware that decides what to
render and nothing else: the archived DOM answers (crawler.render.archived), with or
without a Chromium on the machine.
"""

from __future__ import annotations

import logging
from typing import Any

from crawler.render.browser import find_browser, launch_options
from crawler.render.config import DEFAULTS, RenderConfig

logger = logging.getLogger(__name__)

HANDLER = "crawler.render.handler.RenderingDownloadHandler"
RENDER_MIDDLEWARE_ORDER = 575  # after redirects (600) and decompression (590), before retry (550)
BROWSER_TAP_ORDER = 949  # beside the WARC tap (950)


class RenderAddon:
    def update_settings(self, settings: Any) -> None:
        for name, value in DEFAULTS.items():
            settings.set(name, value, priority="default")
        config = RenderConfig.from_settings(settings)
        if config.mode == "never":
            return
        from crawler.archivecache import SETTING as FROM_ARCHIVE

        if settings.get(FROM_ARCHIVE):  # the archive answers: no browser, none needed
            from crawler.render.middleware import RenderMiddleware

            settings.set_in_component_priority_dict(
                "DOWNLOADER_MIDDLEWARES", RenderMiddleware, RENDER_MIDDLEWARE_ORDER)
            return
        if find_browser(config.browser) is None:
            level = logging.WARNING if config.mode != "auto" or config.hosts else logging.DEBUG
            logger.log(level, "no Chromium found (COPROD_BROWSER): pages are not rendered")
            return
        from crawler.render.middleware import BrowserTapMiddleware, RenderMiddleware

        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        handlers.update({"http": HANDLER, "https": HANDLER})
        settings.set("DOWNLOAD_HANDLERS", handlers, settings.getpriority("DOWNLOAD_HANDLERS") or 0)
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", RenderMiddleware, RENDER_MIDDLEWARE_ORDER)
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", BrowserTapMiddleware, BROWSER_TAP_ORDER)
        for name, value in playwright_settings(config).items():
            settings.set(name, value, priority="addon")


def playwright_settings(config: RenderConfig) -> dict[str, Any]:
    """scrapy-playwright's settings for coprod's rendering."""
    return {
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch_options(config),
        "PLAYWRIGHT_MAX_CONTEXTS": config.contexts,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": config.pages,
        "PLAYWRIGHT_PROCESS_REQUEST_HEADERS": None,  # the browser's own headers, as recorded
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": config.timeout * 1000,
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
    }
