"""Scrapy settings: polite by default. Per-source overrides come from scrapers/sources/*.toml."""

from __future__ import annotations

import os

from scrapy.settings import default_settings

from common import failed_urls

BOT_NAME = "news-pipeline"
SPIDER_LOADER_CLASS = "scrapers.spider_loader.SourceSpiderLoader"
# Our `scrapy crawl` exits non-zero when the crawl failed (Scrapy's exits 0: scrapy#1231).
COMMANDS_MODULE = "scrapers.commands"

# Say who we are and how to reach us; sites block anonymous crawlers, and rightly so.
USER_AGENT = os.environ.get(
    "NEWS_USER_AGENT",
    "news-pipeline/0.1 (+https://github.com/news-pipeline/news-pipeline; crawler contact in README)",
)
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
# The spider yields requests only (no items, no item pipelines). Scrapy starts CONCURRENT_ITEMS
# asyncio tasks for every callback's output, empty or not: 100 (the default) per article page
# was a quarter of a replay crawl's reactor time. Requests are scheduled synchronously anyway.
CONCURRENT_ITEMS = 1
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50% around DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024  # also bounds decompressed bodies (gzip bombs)
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
# Child sitemaps one run may fetch from sitemap indexes, all indexes together; children whose
# lastmod is before the window are skipped first, then the newest are fetched. Real news
# indexes list a few daily or monthly children; an index of thousands (a whole archive) would
# take the run's time at a polite delay. What is left out is counted in the run's stats.
SITEMAP_CHILD_LIMIT = 100
# Once a run per host, ask for a page that cannot exist: a site answering it with 200 serves its
# "not found" template as a success, and article pages with that template's title are not kept
# (scrapers/page_checks.py). Not done when replaying an archive (the network is not asked).
SOFT_404_PROBE = True
RETRY_ENABLED = True
RETRY_TIMES = 3
# Bound the crawl below the Airflow task's execution_timeout (60 min), so it ends on its own terms.
CLOSESPIDER_TIMEOUT = int(os.environ.get("NEWS_CRAWL_TIME_LIMIT", "2700"))

# Off: an HTTP remote-control endpoint (on by default in Scrapy 2.19) and the telnet console.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

COOKIES_ENABLED = False
HTTPCACHE_ENABLED = False

# Only http(s) is ever fetched: no handlers for file:, data:, ftp:, s3:.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
# The resolver the downloader connects with refuses non-public answers (DNS rebinding).
TWISTED_DNS_RESOLVER = "scrapers.safety.PublicOnlyResolver"
# Loopback (127.0.0.0/8, ::1) is refused like any private address; the test servers set this.
SSRF_ALLOW_LOOPBACK = False

# robots.txt groups are matched on this product token.
ROBOTSTXT_USER_AGENT = "news-pipeline"
ROBOTSTXT_MAX_CRAWL_DELAY = 60.0
# Retry-After longer than this is not waited for: the URL goes to the ledger, due at that time.
RETRY_AFTER_MAX = 120.0
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# The failed-URL ledger (ops.failed_urls): first retry after this many seconds, doubling per
# failed run up to a day; given up this many days after the first failure (a source may override
# with [incremental] give_up_days); at most this many due entries retried per run.
FAILED_URL_RETRY_BASE_SECONDS = failed_urls.retry_base_seconds()
FAILED_URL_GIVE_UP_DAYS = failed_urls.give_up_days()
FAILED_URL_RETRY_LIMIT = 1000

DOWNLOADER_MIDDLEWARES = {
    # First of all: http(s) only, public addresses only, redirects stay on the source's hosts.
    "scrapers.safety.UrlGuardMiddleware": 40,
    # robots.txt failing closed on 5xx/timeouts (RFC 9309) with Crawl-delay, in Scrapy's place.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scrapers.robots.StrictRobotsTxtMiddleware": 100,
    # Retries that honour Retry-After on 429/503, in place of Scrapy's RetryMiddleware.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapers.politeness.RetryAfterMiddleware": 550,
    # Scrapy's meta-refresh redirects, same place, same decisions, without decoding every page.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scrapers.meta_refresh.QuickMetaRefreshMiddleware": 580,
    # Nearest the network: serves from WARC when REPLAY_WARC is set, else switched off.
    "scrapers.replay.ReplayMiddleware": 990,
    # Decompression bombs are dropped before the capture below could archive them.
    "scrapers.size_guard.DecodedSizeGuard": 985,
    # Sees every response as it came off the wire (before decompression and redirects).
    "scrapers.warc_capture.WarcCaptureMiddleware": 980,
}
EXTENSIONS = {
    # First: a crawl whose parent (the Airflow task) is gone must not go on (parent_watch.py).
    "scrapers.parent_watch.DieWithParent": 0,
    "scrapers.crawl_run.CrawlRunRecorder": 500,
    # Pages fetched / queued / failed in the task log while the crawl runs, in LogStats' place.
    "scrapy.extensions.logstats.LogStats": None,
    "scrapers.crawl_progress.CrawlProgress": 510,
}
CRAWL_PROGRESS_INTERVAL = float(os.environ.get("NEWS_CRAWL_PROGRESS_SECONDS", "30"))
# Components switched off above (COOKIES_ENABLED, REMOTE_CONTROL_ENABLED) are still imported by
# Scrapy to be told they are off; left out of the base lists, they are not: aiohttp and tldextract
# were a third of a crawl's start-up. Every other default stays as Scrapy ships it.
_NEVER_LOADED = {"scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
                 "scrapy.extensions.remote_control.RemoteControl"}
DOWNLOADER_MIDDLEWARES_BASE = {k: v for k, v in default_settings.DOWNLOADER_MIDDLEWARES_BASE.items()
                               if k not in _NEVER_LOADED}
EXTENSIONS_BASE = {k: v for k, v in default_settings.EXTENSIONS_BASE.items() if k not in _NEVER_LOADED}
REPLAY_WARC = os.environ.get("REPLAY_WARC", "")
# Where replay keeps each archive's index once built (default .data/replay-index in the project).
REPLAY_INDEX_DIR = os.environ.get("REPLAY_INDEX_DIR", "")
WARC_WORK_DIR = os.environ.get("WARC_WORK_DIR", "")
# The frontier (requests waiting to be fetched) goes to disk in the crawl's own work directory,
# which is removed after the run: a sitemap that lists 20,000 pages queued them all in memory,
# about 3 KB each. Nothing resumes from it; a failed run is re-run from the capture ledger.
JOBDIR = os.path.join(WARC_WORK_DIR, "frontier") if WARC_WORK_DIR else None
# zlib(-ng) level of each WARC record's gzip member. Measured on the 2,000 corpus pages of the
# bench (582 MB of HTML): level 5 is 0.6% larger than 6 for 18% less compression CPU (the
# writer thread then keeps pace with the reactor); 4 is 3% larger, 1 is 42% larger.
WARC_GZIP_LEVEL = 5

LOG_LEVEL = os.environ.get("NEWS_CRAWL_LOG_LEVEL", "INFO")
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
