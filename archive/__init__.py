"""coprod archive: WARC writing and reading, index, catalog, replay, audit, exports. No Scrapy here."""
