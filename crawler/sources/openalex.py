"""OpenAlex works search, paged with a cursor.

    https://api.openalex.org/works?search=...&per-page=100&cursor=*&mailto=...

OpenAlex asks for `mailto` (polite pool) or an `api_key`. `search` takes AND/OR/NOT and
quoted phrases. Incremental (`from_updated_date`) needs an API key, so without one every run
asks again and the merge keeps records single.
"""

from __future__ import annotations

from typing import Any

from crawler.sources.base import SearchSource, with_params

API = "https://api.openalex.org/works"
PER_PAGE = 100


class OpenAlexSource(SearchSource):
    kind = "openalex"

    def first_url(self, query: str) -> str:
        return with_params(API, search=query, **self.common(incremental=True))

    def common(self, incremental: bool = False) -> dict[str, Any]:
        """per-page, cursor, mailto and api_key, as every OpenAlex list request has them."""
        key = self.context.api_keys.get("openalex")
        since = self.since_date() if incremental and key else None
        return {"filter": f"from_updated_date:{since}" if since else None,
                "per-page": PER_PAGE, "cursor": "*", "mailto": self.context.mailto,
                "api_key": key}

    def next_url(self, data: dict[str, Any], url: str) -> str | None:
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
        cursor = meta.get("next_cursor")
        return with_params(url, cursor=cursor) if cursor and data.get("results") else None

    def api_error(self, data: dict[str, Any]) -> str | None:
        if "error" in data and "results" not in data:
            return f"openalex: {str(data.get('message') or data['error'])[:200]}"
        return None
