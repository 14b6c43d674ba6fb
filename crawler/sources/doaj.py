"""DOAJ article search, paged by page number (the response links the next page).

    https://doaj.org/api/search/articles/<query>?page=1&pageSize=100

The query is an Elasticsearch query string (OR, AND, quoted phrases), URL-encoded into the
path. DOAJ needs no key for searching.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from crawler.sources.base import SearchSource, with_params

API = "https://doaj.org/api/search/articles/"
PAGE_SIZE = 100


class DoajSource(SearchSource):
    kind = "doaj"

    def first_url(self, query: str) -> str:
        return with_params(API + quote(query, safe=""), page=1, pageSize=PAGE_SIZE)

    def next_url(self, data: dict[str, Any], url: str) -> str | None:
        following = data.get("next")
        if not data.get("results") or not isinstance(following, str):
            return None
        # Follow DOAJ's own link, but only on DOAJ's host.
        if urlsplit(following).hostname != urlsplit(url).hostname:
            return None
        return following

    def api_error(self, data: dict[str, Any]) -> str | None:
        if "results" not in data and data.get("error"):
            return f"doaj: {str(data['error'])[:200]}"
        return None
