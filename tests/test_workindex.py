"""crawler.workindex scans only titles of about the right length: it must find exactly what
a scan of every held title finds (the rule it had before), on titles built to sit at the
edges of the fuzzy-match threshold."""

from __future__ import annotations

import random

from rapidfuzz import fuzz, process

from crawler.workindex import MAX_CANDIDATES, WorkIndex
from extractors.merge import MATCH, normalise_title, same_work
from extractors.record import Author, Record

WORDS = ("co-production", "public", "services", "health", "care", "welfare", "users",
         "voluntary", "organisations", "municipal", "older", "people", "carers", "design",
         "evaluation", "realist", "community", "mental", "digital", "housing")


def _record(rng: random.Random, title: str) -> Record:
    family = rng.choice(("Sørensen", "Lund", "Byrne", "Andersen", "Kristensen"))
    doi = f"10.5555/w.{rng.randrange(10**6)}" if rng.random() < 0.3 else None
    return Record(type="article", title=title, source_url=f"https://x.example/{rng.random()}",
                  doi=doi, published=str(rng.choice((2019, 2020, 2021))),
                  authors=[Author(name=f"A {family}", family=family)])


def _variant(rng: random.Random, title: str) -> str:
    """The title with a few characters dropped, added or changed: near the threshold."""
    chars = list(title)
    for _ in range(rng.randrange(0, 6)):
        i = rng.randrange(len(chars))
        action = rng.random()
        if action < 0.4:
            del chars[i]
        elif action < 0.8:
            chars.insert(i, rng.choice("abcdefgh "))
        else:
            chars[i] = rng.choice("abcdefgh")
    return "".join(chars) or title


def _scan_everything(held: dict[str, Record], record: Record) -> str | None:
    """The reference: the rule before the length window (every title scanned)."""
    titles = {k: t for k, r in held.items() if (t := normalise_title(r.title))}
    title = normalise_title(record.title)
    if not title or not titles:
        return None
    for _, _, key in process.extract(title, titles, scorer=fuzz.ratio, limit=MAX_CANDIDATES,
                                     score_cutoff=MATCH["title_ratio"]):
        if same_work(held[key], record):
            return key
    return None


def test_length_window_finds_what_a_full_scan_finds() -> None:
    rng = random.Random(3)
    bases = [" ".join(rng.choice(WORDS) for _ in range(rng.randrange(2, 12))) for _ in range(60)]
    held: dict[str, Record] = {}
    index = WorkIndex()
    for n in range(1500):
        record = _record(rng, _variant(rng, rng.choice(bases)))
        record.doi = None  # the fuzzy path only
        held[f"k{n}"] = record
        index.add(f"k{n}", record)
    found = 0
    for _ in range(400):
        probe = _record(rng, _variant(rng, rng.choice(bases)))
        probe.doi = None
        expected = _scan_everything(held, probe)
        assert index.find(probe) == expected
        found += expected is not None
    assert 50 < found < 400  # both outcomes are exercised


def test_identifiers_first_and_removal() -> None:
    rng = random.Random(5)
    a = _record(rng, "Co-production of community mental health services")
    a.doi = "10.5555/a"
    index = WorkIndex.build([("a", a)])
    same_doi = _record(rng, "Something else entirely")
    same_doi.doi = "10.5555/A"
    assert index.find(same_doi) == "a"
    other_doi = _record(rng, a.title)
    other_doi.doi = "10.5555/b"  # same title, another DOI: another work
    assert index.find(other_doi) is None
    index.remove("a")
    assert len(index) == 0 and index.find(same_doi) is None


def test_works_with_other_dois_do_not_crowd_out_the_one_that_matches() -> None:
    """Thirty works share a title but each has its own DOI (a journal's recurring "Editorial",
    a numbered series): a record with yet another DOI is none of them, and the work held
    without a DOI whose title is a near match is found (the scan used to stop at the thirty
    best titles, all of them other DOIs' works)."""
    rng = random.Random(7)
    title = "Co-production in community mental health services: a realist evaluation"
    index = WorkIndex()
    for n in range(30):
        held = _record(rng, title)
        held.doi, held.published = f"10.5555/series.{n}", "2020"
        index.add(f"doi{n}", held)
    no_doi = _record(rng, title.replace("evaluation", "evaluations"))
    no_doi.doi, no_doi.published = None, "2020"
    index.add("no-doi", no_doi)
    arriving = _record(rng, title)
    arriving.doi, arriving.published = "10.5555/elsewhere", "2020"
    arriving.authors = no_doi.authors
    assert same_work(index._probes["no-doi"].record(), arriving)
    assert index.find(arriving) == "no-doi"
    index.remove("no-doi")
    assert index.find(arriving) is None
    assert index.find(Record(title="x", doi="10.5555/SERIES.3")) == "doi3"
