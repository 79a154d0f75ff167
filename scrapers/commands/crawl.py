"""``scrapy crawl`` that exits non-zero when the crawl failed.

Scrapy's own command exits 0 even when every request failed (scrapy#1231, #4175): its exit code
only reports a spider that could not start. Ours also reports the run's verdict, which
CrawlRunRecorder decides from the stats: anything but a published, successful run exits 1, so a
person or a script running the crawl by hand is not told "fine" by a failed crawl.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from scrapy.commands import crawl
from scrapy.exceptions import UsageError

if TYPE_CHECKING:
    import argparse

log = logging.getLogger(__name__)

SUCCEEDED = "captured"  # the run status ops.crawl_runs keeps for a usable run


class Command(crawl.Command):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one source (spider) name")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        status = getattr(crawler, "news_run_status", None)
        if status != SUCCEEDED:
            self.exitcode = 1
            print(f"crawl of {args[0]} did not succeed (run status: {status or 'nothing published'}); "
                  "exit code 1", file=sys.stderr, flush=True)
