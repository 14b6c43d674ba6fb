"""Which work the catalog already holds a record is about: identifiers first (DOI, PMID,
PMCID, arXiv, handle, OAI id), then a fuzzy match of normalised title + year + first author
(extractors.merge.same_work decides; rapidfuzz finds the candidates).

Held in memory for one crawl: built from the catalog when the crawl opens and kept up to date
as records are stored, so each new record costs a dict lookup and one rapidfuzz scan of the
titles of about its length (of works it could be) rather than a query per record. Each work
is held as a compact Probe (~0.7 KB with its index entries): at 100,000 works a Record per
work held ~180 MB, and scanning every title took 17 ms a record on the crawl's reactor; 49
ms where thousands of titles were near-identical (benchmarks/README.md), 0.8 ms now.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from extractors.merge import ID_ORDER, MATCH, normalise_title, same_work, work_ids
from extractors.record import Record

MAX_CANDIDATES = 20  # fuzzy title matches checked with same_work, best first
# fuzz.ratio(a, b) <= 100 * (1 - |len a - len b| / (len a + len b)): a title can reach
# MATCH["title_ratio"] only if that fraction is at most _SPREAD, so only lengths from
# len * (1 - _SPREAD) / (1 + _SPREAD) to len * (1 + _SPREAD) / (1 - _SPREAD) are scanned.
_SPREAD = (100 - MATCH["title_ratio"]) / 100


@dataclass(frozen=True, slots=True)
class Probe:
    """The little of a record that same_work reads: identifiers, title, year, first author.
    Kept compact (one is held per work of the catalog) and made a Record only to compare."""

    type: str
    title: str
    source_url: str
    doi: str | None
    identifiers: tuple[tuple[str, str], ...]
    published: str | None
    first_author: Any

    @classmethod
    def of(cls, record: Record) -> Probe:
        return cls(record.type, record.title, record.source_url, record.doi,
                   tuple(record.identifiers.items()), record.published,
                   record.authors[0] if record.authors else None)

    def record(self) -> Record:
        return Record(type=self.type, title=self.title, source_url=self.source_url,
                      doi=self.doi, identifiers=dict(self.identifiers), published=self.published,
                      authors=[self.first_author] if self.first_author is not None else [])


class WorkIndex:
    """Works held by identifier and by title. Titles are kept apart by which identifier kinds
    their work has: same_work lets the first kind two records share decide, so a work that
    shares a kind with the record is the record's work only through that identifier (looked
    up directly), never through its title. The fuzzy scan reads only works with none of the
    record's kinds: at 100,000 works, thousands of similar titles of works with other DOIs
    (a journal's "Editorial", "Book reviews", a series' numbered reports) are not scanned,
    nor do they crowd the best MAX_CANDIDATES out."""

    def __init__(self) -> None:
        self._probes: dict[str, Probe] = {}
        self._ids: dict[tuple[str, str], list[str]] = {}  # (kind, value) -> keys, oldest first
        # identifier kinds -> length -> key -> normalised title
        self._titles: dict[frozenset[str], dict[int, dict[str, str]]] = {}
        self._order: dict[str, int] = {}  # key -> when it was added (ties between candidates)
        self._added = 0

    @classmethod
    def build(cls, works: Iterable[tuple[str, Record]]) -> WorkIndex:
        index = cls()
        for key, record in works:
            index.add(key, record)
        return index

    def __len__(self) -> int:
        return len(self._probes)

    def add(self, key: str, record: Record) -> None:
        self.remove(key)
        small = Probe.of(record)
        self._probes[key] = small
        self._order[key] = self._added
        self._added += 1
        ids = work_ids(small.record())
        for name, value in ids.items():
            self._ids.setdefault((name, value), []).append(key)
        if title := normalise_title(small.title):
            by_length = self._titles.setdefault(frozenset(ids), {})
            by_length.setdefault(len(title), {})[key] = title

    def remove(self, key: str) -> None:
        old = self._probes.pop(key, None)
        if old is None:
            return
        self._order.pop(key, None)
        ids = work_ids(old.record())
        for name, value in ids.items():
            keys = self._ids.get((name, value), [])
            if key in keys:
                keys.remove(key)
            if not keys:
                self._ids.pop((name, value), None)
        if title := normalise_title(old.title):
            by_length = self._titles.get(frozenset(ids), {})
            bucket = by_length.get(len(title), {})
            bucket.pop(key, None)
            if not bucket:
                by_length.pop(len(title), None)
            if not by_length:
                self._titles.pop(frozenset(ids), None)

    def find(self, record: Record) -> str | None:
        """The key of the held work `record` is about, or None for a new work."""
        ids = work_ids(record)
        for name in ID_ORDER:
            for key in self._ids.get((name, ids[name]), ()) if name in ids else ():
                if same_work(self._probes[key].record(), record):
                    return key
        title = normalise_title(record.title)
        if not title:
            return None
        low = math.floor(len(title) * (1 - _SPREAD) / (1 + _SPREAD))
        high = math.ceil(len(title) * (1 + _SPREAD) / (1 - _SPREAD))
        matches = []
        for kinds, by_length in self._titles.items():
            if not kinds.isdisjoint(ids):
                continue
            for length in range(low, high + 1):
                if bucket := by_length.get(length):
                    matches += process.extract(title, bucket, scorer=fuzz.ratio,
                                               limit=MAX_CANDIDATES,
                                               score_cutoff=MATCH["title_ratio"])
        matches.sort(key=lambda match: (-match[1], self._order[match[2]]))
        for _, _, key in matches[:MAX_CANDIDATES]:
            if same_work(self._probes[key].record(), record):
                return key
        return None
