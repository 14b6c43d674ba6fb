"""Scrapy add-ons: settings that follow from other settings, for `coprod` and `scrapy crawl` alike."""

from __future__ import annotations

from typing import Any


class ResolveTLSAddon:
    """Certificates are verified, except while --resolve (COPROD_RESOLVE) maps hosts elsewhere:
    the sandbox web and other stand-ins cannot hold the real hosts' certificates."""

    def update_settings(self, settings: Any) -> None:
        mapped = bool(settings.getlist("COPROD_RESOLVE"))
        settings.set("DOWNLOAD_VERIFY_CERTIFICATES", not mapped, priority="addon")
