"""Europe PMC REST search, paged with cursorMark.

    https://www.ebi.ac.uk/europepmc/webservices/rest/search?query=...&format=json
        &resultType=core&pageSize=100&cursorMark=*

`core` results carry abstracts, keywords and affiliations. The last page hands back the
cursorMark it was asked with (or none): that ends the list.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from crawler.sources.base import SearchSource, with_params

API = "https://www.ebi.ac.uk/europepmc/webservices/rest/search"
PAGE_SIZE = 100


class EuropePmcSource(SearchSource):
    kind = "europepmc"

    def first_url(self, query: str) -> str:
        return with_params(API, query=query, format="json", resultType="core",
                           pageSize=PAGE_SIZE, cursorMark="*")

    def next_url(self, data: dict[str, Any], url: str) -> str | None:
        results = (data.get("resultList") or {}).get("result") if isinstance(
            data.get("resultList"), dict) else None
        cursor = data.get("nextCursorMark")
        asked = parse_qs(urlsplit(url).query).get("cursorMark", ["*"])[0]
        if not results or not cursor or cursor == asked:
            return None
        return with_params(url, cursorMark=cursor)

    def api_error(self, data: dict[str, Any]) -> str | None:
        if "resultList" not in data and data.get("errCode"):
            return f"europepmc: {str(data.get('errMsg') or data['errCode'])[:200]}"
        return None
