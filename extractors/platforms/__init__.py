"""Platform adapters: page families whose layout is known (Cambridge Core, Atypon, DSpace, OJS...).

An adapter is a module in this package with:

    NAME: str                                      # "cambridge": fields labelled "platform:<NAME>"
    def matches(url: str, tree) -> bool            # cheap: host pattern and/or a marker element
    def extract(tree, url: str) -> dict[str, Any]  # Record field names -> values it found

`tree` is the page's lxml.html root element, parsed once by the dispatcher; adapters
must not re-parse the page and must not use the network. Values use Record types:
`authors` a list of `Author`, `abstract_sections` a list of `Section`, `people` a list of
`Person`, `references`/`related` lists of `Reference`, strings elsewhere, `keywords` a
list of strings. Empty values are simply left out. Adapters are listed in ADAPTERS (order
matters: the first match wins), so adding one is one import and one line here.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import Any, Protocol

log = logging.getLogger(__name__)


class PlatformAdapter(Protocol):
    """The shape of an adapter module (a module, not a class; this is for type checkers)."""

    NAME: str

    def matches(self, url: str, tree: Any) -> bool: ...

    def extract(self, tree: Any, url: str) -> dict[str, Any]: ...


# Module names under extractors.platforms, most specific first. A missing module is skipped
# (logged once), so the list may name adapters still being written.
ADAPTERS: tuple[str, ...] = ()

_loaded: list[ModuleType] | None = None


def adapters() -> list[ModuleType]:
    """The adapter modules, imported once."""
    global _loaded
    if _loaded is None:
        _loaded = []
        for name in ADAPTERS:
            try:
                _loaded.append(importlib.import_module(f"{__name__}.{name}"))
            except ImportError as exc:
                log.warning("platform adapter %s not loaded: %s", name, exc)
    return _loaded


def find_adapter(url: str, tree: Any) -> ModuleType | None:
    """The first adapter whose `matches(url, tree)` is true, or None."""
    for adapter in adapters():
        try:
            if adapter.matches(url, tree):
                return adapter
        except Exception:  # an adapter's bug must not sink the page
            log.exception("platform adapter %s failed in matches()", adapter.NAME)
    return None
