"""Scrapy settings: polite by default. Per-source overrides come from scrapers/sources/*.toml."""

from __future__ import annotations

import os

BOT_NAME = "news-pipeline"
SPIDER_LOADER_CLASS = "scrapers.spider_loader.SourceSpiderLoader"

# Say who we are and how to reach us; sites block anonymous crawlers, and rightly so.
USER_AGENT = os.environ.get(
    "NEWS_USER_AGENT",
    "news-pipeline/0.1 (+https://github.com/news-pipeline/news-pipeline; crawler contact in README)",
)
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024  # also bounds decompressed bodies (gzip bombs)
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
RETRY_ENABLED = True
RETRY_TIMES = 3
# Bound the crawl below the Airflow task's execution_timeout (60 min), so it ends on its own terms.
CLOSESPIDER_TIMEOUT = int(os.environ.get("NEWS_CRAWL_TIME_LIMIT", "2700"))

# Off: an HTTP remote-control endpoint (on by default in Scrapy 2.19) and the telnet console.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

COOKIES_ENABLED = False
HTTPCACHE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    # Nearest the network: serves from WARC when REPLAY_WARC is set, else switched off.
    "scrapers.replay.ReplayMiddleware": 990,
    # Sees every response as it came off the wire (before decompression and redirects).
    "scrapers.warc_capture.WarcCaptureMiddleware": 980,
}
EXTENSIONS = {
    "scrapers.crawl_run.CrawlRunRecorder": 500,
}
REPLAY_WARC = os.environ.get("REPLAY_WARC", "")
WARC_WORK_DIR = os.environ.get("WARC_WORK_DIR", "")

LOG_LEVEL = os.environ.get("NEWS_CRAWL_LOG_LEVEL", "INFO")
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
