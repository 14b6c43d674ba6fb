"""Cheap adapter matching: hosts by table, markers checked against one page signature.

Every marker selector is a full walk of the tree, and twenty adapters with two to five markers
each cost more than the rest of the extraction on a page of no known host. So each page gets
one signature (its class and id tokens, its <meta> attributes), computed once and shared by
all adapters; a marker runs as XPath only when every class and id it names is there, and
`meta[...]` markers are answered from the signature alone. (Substring tests on the page's
source were tried for attribute markers: they cost more than the walks they save.)
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import lxml.etree

_CLASS_ATTRS = lxml.etree.XPath("//@class", smart_strings=False)
_ID_ATTRS = lxml.etree.XPath("//@id", smart_strings=False)
_BRACKETS = re.compile(r"\[[^\]]*\]|::?[\w-]+(?:\([^)]*\))?")
_META = re.compile(r"^meta((?:\[[^\]]+\])+)$")
_CONDITION = re.compile(r"\[\s*([\w:.-]+)\s*(?:([*^$~|]?=)\s*(['\"]?)(.*?)\3)?\s*\]")
_XPATH_START = ("/", "./", "../", "(", "@")
NAMING_ATTRIBUTES = ("name", "property", "itemprop", "http-equiv")


@dataclass
class Signature:
    """What a page's markup names, gathered lazily (each part on first use).

    `tree_ref` gives the tree back: a weak reference when the signature sits in `_signatures`
    (keyed by that tree: a strong one would keep every page ever parsed alive)."""

    tree_ref: Callable[[], Any]
    _classes: frozenset[str] | None = None
    _ids: frozenset[str] | None = None
    _metas: dict[tuple[str, str], list[dict[str, str]]] | None = field(default=None)

    @property
    def tree(self) -> Any:
        return self.tree_ref()

    @property
    def classes(self) -> frozenset[str]:
        if self._classes is None:
            self._classes = frozenset(" ".join(_CLASS_ATTRS(self.tree)).split())
        return self._classes

    @property
    def ids(self) -> frozenset[str]:
        if self._ids is None:
            self._ids = frozenset(_ID_ATTRS(self.tree))
        return self._ids

    @property
    def metas(self) -> dict[tuple[str, str], list[dict[str, str]]]:
        """Every <meta>'s attributes under ("*", "") and under each (attribute, value) of
        its naming attributes, so `meta[name=generator]` is one lookup."""
        if self._metas is None:
            index: dict[tuple[str, str], list[dict[str, str]]] = {("*", ""): []}
            for meta in self.tree.iter("meta"):
                attrs = dict(meta.attrib)
                index[("*", "")].append(attrs)
                for key in NAMING_ATTRIBUTES:
                    if key in attrs:
                        index.setdefault((key, attrs[key]), []).append(attrs)
            self._metas = index
        return self._metas


_signatures: weakref.WeakKeyDictionary[Any, Signature] = weakref.WeakKeyDictionary()


def signature(tree: Any) -> Signature:
    """The page's signature, shared by every caller while the tree lives."""
    try:
        found = _signatures.get(tree)
        if found is None:
            found = _signatures[tree] = Signature(weakref.ref(tree))
        return found
    except TypeError:  # an element that takes no weak references: no sharing
        return Signature(lambda: tree)


@dataclass(frozen=True)
class Needles:
    """What must be on the page for a selector to match anything."""

    classes: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    meta: tuple[tuple[str, str, str], ...] | None = None  # (attribute, operator, value)


@lru_cache(maxsize=2048)
def needles(selector: str) -> Needles:
    """The class and id tokens a CSS selector names, or its conditions if it is `meta[...]`
    (XPath selectors name nothing checkable: they always run)."""
    selector = selector.strip()
    if selector.startswith(_XPATH_START):
        return Needles()
    if m := _META.match(selector):
        return Needles(meta=tuple((a.lower(), op or "", v) for a, op, _, v in
                                  _CONDITION.findall(m.group(1))))
    bare = _BRACKETS.sub(" ", selector)
    return Needles(frozenset(re.findall(r"\.([\w-]+)", bare)),
                   frozenset(re.findall(r"#([\w-]+)", bare)))


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "": lambda have, want: True,
    "=": lambda have, want: have == want,
    "*=": lambda have, want: want in have,
    "^=": lambda have, want: have.startswith(want),
    "$=": lambda have, want: have.endswith(want),
    "~=": lambda have, want: want in have.split(),
    "|=": lambda have, want: have == want or have.startswith(want + "-"),
}


def _meta_matches(metas: dict[tuple[str, str], list[dict[str, str]]],
                  conditions: tuple[tuple[str, str, str], ...]) -> bool:
    named = next(((a, v) for a, op, v in conditions if op == "=" and a in NAMING_ATTRIBUTES),
                 ("*", ""))
    return any(all(a in meta and _OPERATORS[op](meta[a], v) for a, op, v in conditions)
               for meta in metas.get(named, ()))


def has_marker(tree: Any, selectors: Iterable[str], select: Callable[[Any, str], list[Any]],
               ) -> bool:
    """True when any selector finds something; `select` runs one that may."""
    page = signature(tree)
    for selector in selectors:
        need = needles(selector)
        if need.meta is not None:
            if _meta_matches(page.metas, need.meta):
                return True
            continue
        if need.classes and not need.classes <= page.classes:
            continue
        if need.ids and not need.ids <= page.ids:
            continue
        if select(tree, selector):
            return True
    return False


def host_of(url: str) -> str:
    return (urlsplit(url or "").hostname or "").lower()


def host_matches(url: str, hosts: Iterable[str]) -> bool:
    """True when the URL's host is one of `hosts` or a subdomain of one."""
    host = host_of(url)
    return any(host == h or host.endswith("." + h) for h in hosts)


def by_host(host: str, table: dict[str, Any]) -> Any:
    """The table's entry for `host` or for the nearest domain above it (a.b.c, b.c, c)."""
    while host:
        if host in table:
            return table[host]
        host = host.partition(".")[2]
    return None
