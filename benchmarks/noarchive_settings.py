"""coprod's settings with archiving off, for the archive-overhead measurement only.

    SCRAPY_SETTINGS_MODULE=benchmarks.noarchive_settings coprod crawl ...

Off: the capturing download handler (Scrapy's own HTTP/1.1 handler instead), the WARC tap,
the conditional-request and resume middlewares that read captures, and the pipelines that
write records to the WARC and catalog. Still on (they are not archiving): fetching,
extraction, merging (in memory), relevance. The crawl spider still opens the catalog and
writes its one harvest record at the end; that constant is counted as crawl work.
"""

from crawler.settings import *  # noqa: F403
from crawler.settings import DOWNLOADER_MIDDLEWARES, ITEM_PIPELINES

DOWNLOAD_HANDLERS = {
    "http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
    "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
}
_OFF = ("crawler.archiving.WarcTapMiddleware", "crawler.incremental.ConditionalRequestMiddleware",
        "crawler.resume.ArchivedInJobMiddleware", "crawler.pipelines.ArchiveRecordPipeline",
        "crawler.incremental.UnchangedRecordPipeline")
DOWNLOADER_MIDDLEWARES = {**DOWNLOADER_MIDDLEWARES, **{k: None for k in _OFF if k in DOWNLOADER_MIDDLEWARES}}
ITEM_PIPELINES = {**ITEM_PIPELINES, **{k: None for k in _OFF if k in ITEM_PIPELINES}}
