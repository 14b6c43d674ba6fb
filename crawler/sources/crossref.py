"""Crossref REST API works search, paged with a deep-paging cursor.

    https://api.crossref.org/works?query.bibliographic=...&rows=100&cursor=*&mailto=...

Crossref asks for `mailto` (the polite pool), and for a Plus token in a header where one
is held. Its query is ranked free text, not boolean, so the vocabulary gives one query per
language. Incremental: `filter=from-index-date:` the day before the last harvest began.
"""

from __future__ import annotations

from typing import Any

from crawler.sources.base import SearchSource, with_params

API = "https://api.crossref.org/works"
ROWS = 100


class CrossrefSource(SearchSource):
    kind = "crossref"
    syntax = None

    def first_url(self, query: str) -> str:
        since = self.since_date()
        return with_params(API, **{
            "query.bibliographic": query, "rows": ROWS, "cursor": "*",
            "filter": f"from-index-date:{since}" if since else None,
            "mailto": self.context.mailto,
        })

    def next_url(self, data: dict[str, Any], url: str) -> str | None:
        message = data.get("message") if isinstance(data.get("message"), dict) else {}
        items = message.get("items") or []
        cursor = message.get("next-cursor")
        # Crossref hands out a cursor even after the last page; a short page is the last.
        if not cursor or len(items) < int(message.get("items-per-page") or ROWS):
            return None
        return with_params(url, cursor=cursor)

    def api_error(self, data: dict[str, Any]) -> str | None:
        if data.get("status") == "failed":
            return f"crossref: {str(data.get('message'))[:200]}"
        return None

    def headers(self) -> tuple[tuple[str, str], ...]:
        token = self.context.api_keys.get("crossref_plus")
        return (("Crossref-Plus-API-Token", f"Bearer {token}"),) if token else ()
