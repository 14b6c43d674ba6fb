"""CDXJ index beside each finished WARC, in the form pywb and ReplayWeb.page read (cdxj-indexer)."""

from __future__ import annotations

from pathlib import Path

from cdxj_indexer.main import CDXJIndexer

# Records a replay tool looks up by URL; coprod's own metadata records stay out of the index.
INDEXED_RECORD_TYPES = "response,revisit,resource"


def cdxj_path(warc_path: Path) -> Path:
    return warc_path.with_name(warc_path.name.removesuffix(".warc.gz") + ".cdxj")


def index_warc(warc_path: Path) -> Path:
    """Write `<name>.cdxj` (sorted SURT lines) beside `warc_path`; return its path."""
    out = cdxj_path(warc_path)
    tmp = out.with_name(out.name + ".tmp")
    indexer = CDXJIndexer(
        str(tmp), [str(warc_path)], sort=True, post_append=True,
        records=INDEXED_RECORD_TYPES,
    )
    indexer.process_all()
    tmp.replace(out)
    return out
