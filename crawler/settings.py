"""Scrapy settings for coprod. `scrapy crawl` reads these; the CLI layers its options on top."""

from scrapy.settings.default_settings import EXTENSIONS_BASE as _SCRAPY_EXTENSIONS

from crawler import PROJECT_URL, __version__

BOT_NAME = "coprod"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# An honest User-Agent; --mailto adds a contact (crawler.config.user_agent).
USER_AGENT = f"coprod/{__version__} (+{PROJECT_URL})"

# Politeness: robots.txt obeyed, one request at a time per host, a delay between them.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# Scrapy starts this many asyncio tasks for the output of every response (100 by default),
# for pipelines that wait; coprod's do not, and the tasks cost ~20% of the crawl process's
# CPU on a 1,000-page crawl (benchmarks/README.md).
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # +-50%, so requests to a host don't tick like a clock
# AutoThrottle slows down for slow hosts; each host starts at, and never goes below, its own
# delay (DOWNLOAD_SLOTS, robots.txt Crawl-delay, else DOWNLOAD_DELAY): crawler.politeness.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 60.0  # also the cap on a robots.txt Crawl-delay
# APIs and the DOI resolver: their documented rates, kept exact (no jitter: crawler.politeness).
# Crossref public pool 5 requests/s, 1 at a time (polite: 10/s, 3); DataCite 500 per 5 min
# unidentified (1000 with a mailto); OpenAlex at most 100/s.
DOWNLOAD_SLOTS = {
    "doi.org": {"concurrency": 2, "delay": 0.2},
    "api.crossref.org": {"concurrency": 1, "delay": 0.2},
    "api.datacite.org": {"concurrency": 1, "delay": 0.6},
    "api.openalex.org": {"concurrency": 2, "delay": 0.2},
    "api.semanticscholar.org": {"concurrency": 1, "delay": 1.0},  # 1 request/s with a key
    "www.ebi.ac.uk": {"concurrency": 2, "delay": 0.2},  # Europe PMC REST
    "doaj.org": {"concurrency": 1, "delay": 0.5},
}
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024  # bounds decompression (gzip bombs): crawler.sizelimit
COPROD_MAX_BODY = 20 * 1024 * 1024  # a larger body is archived cut here (WARC-Truncated: length)
DOWNLOAD_FAIL_ON_DATALOSS = False  # a cut-off body is archived (WARC-Truncated: disconnect), retried
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry, doubling (crawler.retry)
RETRY_BACKOFF_MAX = 60.0
RETRY_AFTER_MAX = 300.0  # a longer Retry-After is recorded as a failure, not waited for
REDIRECT_MAX_TIMES = 20
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
DNSCACHE_ENABLED = True

# The archive: raw bytes captured in the download handler, tapped next to the downloader.
DOWNLOAD_HANDLERS = {
    "http": "crawler.capture.CapturingHTTP11DownloadHandler",
    "https": "crawler.capture.CapturingHTTP11DownloadHandler",
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.failures.FailureLogMiddleware": 20,  # what retrying gave up on, recorded
    "crawler.guard.PrivateAddressGuardMiddleware": 40,  # no private/loopback targets unless mapped
    "crawler.slots.HostSlotMiddleware": 45,  # a redirect to another host uses that host's slot
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.retry.BackoffRetryMiddleware": 550,
    "crawler.politeness.RetryAfterPauseMiddleware": 560,  # Retry-After pauses the whole host
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.sizelimit.BoundedDecompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.redirects.RecordedRedirectMiddleware": 600,  # loops cut, give-ups recorded
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.redirects.ByteScanMetaRefreshMiddleware": 580,  # no refresh in the bytes: no decoding
    "crawler.sizelimit.BodySizeLimitMiddleware": 930,  # COPROD_MAX_BODY
    "crawler.resume.ArchivedInJobMiddleware": 910,  # --resume: what this job has, from the archive
    "crawler.incremental.ConditionalRequestMiddleware": 920,  # If-None-Match; 304 -> archived copy
    "crawler.archiving.WarcTapMiddleware": 950,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ValidatePipeline": 100,
    "crawler.crawlpipelines.MergePipeline": 200,  # one work, one record, from all its evidence
    "crawler.crawlpipelines.RelevancePipeline": 300,  # co-production relevance of the merged work
    "crawler.incremental.UnchangedRecordPipeline": 790,  # an unchanged record is not written again
    "crawler.pipelines.ArchiveRecordPipeline": 800,
}
EXTENSIONS = {
    "crawler.lock.DataDirLockExtension": 0,  # one writing run per data dir, `scrapy crawl` too
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.politeness.PoliteAutoThrottle": 0,
    "crawler.politeness.HostDelaysExtension": 0,  # API rates kept exact; robots.txt Crawl-delay
    "crawler.progress.ProgressExtension": 100,  # live counters on stderr (COPROD_PROGRESS)
}
# Scrapy 2.19's code-execution HTTP server on localhost (token in a job file) is not for an
# unattended crawler. Left out of the base list rather than set to None in EXTENSIONS, where
# Scrapy imports each named class (and aiohttp with this one: 90 ms of every start).
EXTENSIONS_BASE = {name: order for name, order in _SCRAPY_EXTENSIONS.items()
                   if not name.endswith(".RemoteControl")}
TWISTED_DNS_RESOLVER = "crawler.resolve.MappedHostnameResolver"
# Certificates are verified unless --resolve maps hosts to the sandbox (crawler.addons).
ADDONS = {
    "crawler.addons.ResolveTLSAddon": 0,
    "crawler.render.addon.RenderAddon": 10,  # JS-rendered pages in Chromium (COPROD_RENDER_*)
}

COPROD_DATA_DIR = "coprod-data"
COPROD_RESOLVE: list[str] = []
COPROD_WARC_PREFIX = "coprod"
COPROD_WARC_MAX_SIZE = 1_000_000_000
COPROD_RELEVANCE_THRESHOLD = 0.35  # crawler.crawlpipelines.RelevancePipeline; coprod.toml sets it
COPROD_INCREMENTAL = True  # conditional GETs and revisits from the catalog (crawler.incremental)
COPROD_PROGRESS = False  # live progress table on stderr; the CLI turns it on for a terminal

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
