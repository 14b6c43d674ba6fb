"""Turn command-line options into Scrapy settings: the one place the CLI meets Scrapy's config."""

from __future__ import annotations

import argparse
import logging
import os
import uuid
from pathlib import Path
from typing import Any

from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler import PROJECT_URL, __version__
from crawler.resolve import parse_rules

DEFAULT_DATA_DIR = "coprod-data"


class BadSetting(ValueError):
    """A --set value that is not NAME=VALUE."""


def add_from_archive_option(parser: argparse.ArgumentParser) -> None:
    """`--from-archive [DIR]`, for every command that fetches."""
    parser.add_argument(
        "--from-archive", nargs="?", const=True, default=None, type=Path, metavar="DIR",
        help="answer every request from the archive in DIR (default: --data-dir); fetch nothing live. "
             "With another --data-dir, the re-run's own archive and records go there, to compare")


def data_dir(args: argparse.Namespace) -> Path:
    return Path(getattr(args, "data_dir", None) or os.environ.get("COPROD_DATA") or DEFAULT_DATA_DIR)


def catalog_location(args: argparse.Namespace) -> str | Path:
    """--catalog (or $COPROD_CATALOG): a database URL, else the data directory's SQLite file."""
    from archive.catalog import CATALOG_NAME

    return getattr(args, "catalog", None) or os.environ.get("COPROD_CATALOG") \
        or data_dir(args) / CATALOG_NAME


def open_catalog(args: argparse.Namespace, command: str) -> Any:
    """The catalog for a command that reads it (export, report): UsageError when there is none."""
    from archive.catalog import Catalog, CatalogError
    from crawler.errors import UsageError

    location = catalog_location(args)
    if isinstance(location, Path) and not location.is_file():
        raise UsageError(f"coprod {command}: no catalog at {location} (crawl or fetch something first)")
    try:
        return Catalog(location)
    except CatalogError as exc:
        raise UsageError(f"coprod {command}: {exc}") from None


def user_agent(mailto: str | None) -> str:
    """Honest and contactable: name, version, project URL, and the operator's address if given."""
    contact = f"; mailto:{mailto}" if mailto else ""
    return f"coprod/{__version__} (+{PROJECT_URL}{contact})"


def log_level(args: argparse.Namespace) -> str:
    verbosity = getattr(args, "verbose", 0) - getattr(args, "quiet", 0)
    return {-1: "ERROR", 0: "WARNING", 1: "INFO"}.get(max(-1, min(verbosity, 2)), "DEBUG")


def crawl_settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    """Project settings + global options. Validates --resolve (BadResolveRule on bad input)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    rules = list(getattr(args, "resolve", None) or [])
    parse_rules(rules)
    mailto = getattr(args, "mailto", None)
    values: dict[str, Any] = {
        "COPROD_DATA_DIR": str(data_dir(args)),
        # a database URL (workers on several machines); unset: <data-dir>/catalog.sqlite
        "COPROD_CATALOG": getattr(args, "catalog", None) or os.environ.get("COPROD_CATALOG") or "",
        "COPROD_RESOLVE": rules,
        "COPROD_CONTACT": mailto or "",
        "COPROD_JOB_ID": f"coprod-{uuid.uuid4()}",
        "USER_AGENT": user_agent(mailto),
        "LOG_LEVEL": log_level(args),
    }
    delay = getattr(args, "delay", None)
    if delay is not None:
        values["DOWNLOAD_DELAY"] = delay
        values["DOWNLOAD_SLOTS"] = {
            host: {**slot, "delay": min(slot.get("delay", delay), delay)}
            for host, slot in settings.getdict("DOWNLOAD_SLOTS").items()
        }
    render = getattr(args, "render", None)
    if render:  # --render / --no-render (crawler.render)
        values["COPROD_RENDER"] = render
        if render == "always":
            from crawler.render.browser import find_browser

            if find_browser(settings.get("COPROD_BROWSER") or "") is None:
                raise BadSetting("--render: no Chromium found (install chromium, or set COPROD_BROWSER)")
    from_archive = getattr(args, "from_archive", None)
    if from_archive:  # re-run from the WARCs (crawler.archivecache)
        from crawler.archivecache import from_archive_settings

        values.update(from_archive_settings(data_dir(args) if from_archive is True else from_archive))
    for assignment in getattr(args, "set", None) or []:
        name, sep, value = assignment.partition("=")
        if not sep or not name.isupper():
            raise BadSetting(f"--set {assignment!r}: expected NAME=VALUE with an upper-case setting name")
        values[name] = value
    values.update(overrides)
    settings.setdict(values, priority="cmdline")
    logging.getLogger("scrapy").setLevel(values["LOG_LEVEL"])
    return settings
