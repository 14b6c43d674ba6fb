"""Platform adapters: page families whose layout is known (Cambridge Core, Atypon, DSpace, OJS...).

An adapter is a module in this package with:

    NAME: str                                      # "cambridge": fields labelled "platform:<NAME>"
    def matches(url: str, tree) -> bool            # cheap: host pattern and/or a marker element
    def extract(tree, url: str) -> dict[str, Any]  # Record field names -> values it found

`tree` is the page's lxml.html root element, parsed once by the dispatcher; adapters
must not re-parse the page and must not use the network. Values use Record types:
`authors` a list of `Author`, `abstract_sections` a list of `Section`, `people` a list of
`Person`, `references`/`related` lists of `Reference`, strings elsewhere, `keywords` a
list of strings. Empty values are simply left out.

Adapters are found, not listed: every module here with NAME, matches and extract is one
(helper modules without them are skipped). They are tried by an optional module-level
`PRIORITY: int` (lower first, default 100), then by module name; the first match wins, so a
specific adapter (a host) should have a lower PRIORITY than a generic one (a platform engine).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from types import ModuleType
from typing import Any, Protocol

from extractors.platforms._matching import by_host, host_of

log = logging.getLogger(__name__)


class PlatformAdapter(Protocol):
    """The shape of an adapter module (a module, not a class; this is for type checkers)."""

    NAME: str

    def matches(self, url: str, tree: Any) -> bool: ...

    def extract(self, tree: Any, url: str) -> dict[str, Any]: ...


DEFAULT_PRIORITY = 100

_loaded: list[ModuleType] | None = None
_hosts: dict[str, ModuleType] | None = None


def is_adapter(module: ModuleType) -> bool:
    """Duck-typed: a module with NAME, matches() and extract() is an adapter."""
    return (
        isinstance(getattr(module, "NAME", None), str)
        and callable(getattr(module, "matches", None))
        and callable(getattr(module, "extract", None))
    )


def adapters() -> list[ModuleType]:
    """The adapter modules of this package, imported once, in trial order."""
    global _loaded
    if _loaded is None:
        found = []
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_"):
                continue
            try:
                module = importlib.import_module(f"{__name__}.{info.name}")
            except Exception as exc:  # one broken adapter must not take the others down
                log.warning("platform adapter %s not loaded: %s", info.name, exc)
                continue
            if is_adapter(module):
                found.append(module)
        found.sort(key=lambda m: (getattr(m, "PRIORITY", DEFAULT_PRIORITY), m.__name__))
        _loaded = found
    return _loaded


def _host_table() -> dict[str, ModuleType]:
    """host -> the adapter that names it in HOSTS (the first in trial order wins)."""
    global _hosts
    if _hosts is None:
        _hosts = {}
        for adapter in adapters():
            for host in getattr(adapter, "HOSTS", ()):
                _hosts.setdefault(host.lower(), adapter)
    return _hosts


def find_adapter(url: str, tree: Any) -> ModuleType | None:
    """The adapter for the URL's host (a table), else the first whose `matches(url, tree)` is
    true, or None. Markers of all adapters are checked against one shared page signature."""
    if (adapter := by_host(host_of(url), _host_table())) is not None:
        return adapter
    for adapter in adapters():
        try:
            if adapter.matches(url, tree):
                return adapter
        except Exception:  # an adapter's bug must not sink the page
            log.exception("platform adapter %s failed in matches()", adapter.NAME)
    return None
