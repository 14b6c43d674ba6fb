"""Nothing a page's extraction builds outlives it: a crawl extracts 100,000 pages in one
process, so a cache keyed by the parsed tree that also holds the tree keeps every page alive
(it did: ~0.8 MB a page, found by benchmarks/memory.py)."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from extractors.dispatch import extract
from extractors.html import parse_html
from extractors.platforms import _matching


def test_page_signatures_do_not_keep_trees_alive(fixtures_dir: Path) -> None:
    pages = sorted((fixtures_dir / "publisher_html").glob("*.htm*"))[:8]
    for page in pages:
        extract(f"https://example.org/{page.name}", {"Content-Type": "text/html"}, page.read_bytes())
    gc.collect()
    assert len(_matching._signatures) == 0

    tree = parse_html(pages[0].read_text(encoding="utf-8", errors="replace"))
    assert _matching.signature(tree) is _matching.signature(tree)  # shared while it lives
    assert _matching.signature(tree).classes  # and reads the tree it was made for
    alive = weakref.ref(tree)
    del tree
    gc.collect()
    assert alive() is None and len(_matching._signatures) == 0
