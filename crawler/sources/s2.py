"""Semantic Scholar bulk paper search, paged with a continuation token.

    https://api.semanticscholar.org/graph/v1/paper/search/bulk?query=...&fields=...&token=...

An API key goes in the `x-api-key` header (Semantic Scholar's rate limits are per key;
without one they are shared). Bulk search spells OR as `|` and AND as `+`.
"""

from __future__ import annotations

from typing import Any

from crawler.sources.base import SearchSource, Syntax, with_params

API = "https://api.semanticscholar.org/graph/v1/paper/search/bulk"
FIELDS = ("title,abstract,authors,year,publicationDate,externalIds,venue,journal,"
          "publicationTypes,fieldsOfStudy,openAccessPdf,isOpenAccess,citationCount,url")


class SemanticScholarSource(SearchSource):
    kind = "s2"
    syntax = Syntax(or_=" | ", and_=" + ")

    def first_url(self, query: str) -> str:
        return with_params(API, query=query, fields=FIELDS)

    def next_url(self, data: dict[str, Any], url: str) -> str | None:
        token = data.get("token")
        return with_params(url, token=token) if token and data.get("data") else None

    def api_error(self, data: dict[str, Any]) -> str | None:
        if "data" not in data and ("error" in data or "message" in data):
            return f"s2: {str(data.get('error') or data.get('message'))[:200]}"
        return None

    def headers(self) -> tuple[tuple[str, str], ...]:
        key = self.context.api_keys.get("semantic_scholar")
        return (("x-api-key", key),) if key else ()
