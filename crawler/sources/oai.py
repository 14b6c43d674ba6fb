"""OAI-PMH harvesting: Identify, ListSets (when a set is asked for), then ListRecords in
oai_dc, following resumption tokens to the end of the list.

    oai=https://repository.example.org/oai/request#com_123456789_1

Identify comes first: it says how precise `from` may be (day or second granularity) for an
incremental harvest. A protocol error (an expired or bad resumption token, a bad argument) is
an error of this source, not a crash; noRecordsMatch is an empty harvest, not an error.
"""

from __future__ import annotations

from collections.abc import Mapping

from crawler.sources.base import Fetch, Page, Source
from extractors.oai import OaiPage, oai_request_url, parse_oai

METADATA_PREFIX = "oai_dc"
NO_RECORDS = "noRecordsMatch"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"


class OaiSource(Source):
    kind = "oai"
    granularity = ""  # from Identify: how precise `from` may be

    @property
    def base_url(self) -> str:
        return self.spec.url or ""

    def start(self) -> list[Fetch]:
        return [Fetch(oai_request_url(self.base_url, "Identify"), "identify")]

    def parse(self, step: str, url: str, headers: Mapping[str, str], body: bytes) -> Page:
        page = parse_oai(body, self.base_url)
        errors = [e for e in page.errors if e.code != NO_RECORDS]
        if errors:
            first = errors[0]
            return Page(error=f"OAI-PMH {step}: {first.code}" + (f": {first.message}" if
                                                                 first.message else "")[:300])
        return {"identify": self._identified, "sets": self._sets,
                "records": self._records}[step](page)

    def _identified(self, page: OaiPage) -> Page:
        if page.identify is None:
            return Page(error="OAI-PMH Identify: no Identify element in the response")
        self.granularity = page.identify.granularity
        if self.spec.set:
            return Page(more=[Fetch(oai_request_url(self.base_url, "ListSets"), "sets")])
        return Page(more=[self._list_records()])

    def _sets(self, page: OaiPage) -> Page:
        if any(s.spec == self.spec.set for s in page.sets):
            return Page(more=[self._list_records()])
        if page.next_token:
            return Page(more=[Fetch(oai_request_url(self.base_url, "ListSets",
                                                    resumptionToken=page.next_token), "sets")])
        return Page(error=f"OAI-PMH ListSets: the repository offers no set {self.spec.set!r}")

    def _records(self, page: OaiPage) -> Page:
        more = [Fetch(oai_request_url(self.base_url, "ListRecords",
                                      resumptionToken=page.next_token), "records")] \
            if page.next_token else []
        return Page(records=page.works, more=more)

    def _list_records(self) -> Fetch:
        return Fetch(oai_request_url(self.base_url, "ListRecords", metadataPrefix=METADATA_PREFIX,
                                     set=self.spec.set, **{"from": self.from_date()}), "records")

    def from_date(self) -> str | None:
        """The last harvest's start in the repository's granularity (None: harvest all)."""
        since = self.context.since
        if not since or len(since) < 10:
            return None
        if self.granularity == SECONDS and len(since) >= 19:
            return since[:19] + "Z"
        return since[:10]
