"""Which work the catalog already holds a record is about: identifiers first (DOI, PMID,
PMCID, arXiv, handle, OAI id), then a fuzzy match of normalised title + year + first author
(extractors.merge.same_work decides; rapidfuzz finds the candidates).

Held in memory for one crawl: built from the catalog when the crawl opens and kept up to date
as records are stored, so each new record costs a dict lookup and one rapidfuzz scan of the
titles rather than a query per record.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

from extractors.merge import ID_ORDER, MATCH, normalise_title, same_work, work_ids
from extractors.record import Record

MAX_CANDIDATES = 20  # fuzzy title matches checked with same_work, best first


def probe(record: Record) -> Record:
    """The little of a record that same_work reads: identifiers, title, year, first author."""
    return Record(type=record.type, title=record.title, source_url=record.source_url,
                  doi=record.doi, identifiers=dict(record.identifiers),
                  published=record.published, authors=record.authors[:1])


class WorkIndex:
    def __init__(self) -> None:
        self._probes: dict[str, Record] = {}
        self._ids: dict[tuple[str, str], str] = {}
        self._titles: dict[str, str] = {}  # key -> normalised title

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
        small = probe(record)
        self._probes[key] = small
        for name, value in work_ids(small).items():
            self._ids.setdefault((name, value), key)
        if title := normalise_title(small.title):
            self._titles[key] = title

    def remove(self, key: str) -> None:
        old = self._probes.pop(key, None)
        if old is None:
            return
        for name, value in work_ids(old).items():
            if self._ids.get((name, value)) == key:
                del self._ids[(name, value)]
        self._titles.pop(key, None)

    def find(self, record: Record) -> str | None:
        """The key of the held work `record` is about, or None for a new work."""
        ids = work_ids(record)
        for name in ID_ORDER:
            key = self._ids.get((name, ids[name])) if name in ids else None
            if key is not None and same_work(self._probes[key], record):
                return key
        title = normalise_title(record.title)
        if not title or not self._titles:
            return None
        matches = process.extract(title, self._titles, scorer=fuzz.ratio, limit=MAX_CANDIDATES,
                                  score_cutoff=MATCH["title_ratio"])
        for _, _, key in matches:
            if same_work(self._probes[key], record):
                return key
        return None
