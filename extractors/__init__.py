"""coprod extractors: pure functions from (url, headers, body) to a Record. No network, no Scrapy.

Public API:
    extract(url, headers, body) -> Extraction      (extractors.dispatch)
    merge_records(records) -> Record               (extractors.merge)
    normalise_doi(text) -> str                     (extractors.doi)
"""

EXTRACTOR_VERSION = "0.2.0"  # 0.2.0: repository APIs, JATS, header bylines, site names
