"""Imported once in the extraction pool's fork server, so that every worker starts warm.

Workers are forked from the fork server, and replaced every ``TASKS_PER_WORKER`` pages. Without
this each new worker paid about 1.5 s of CPU before its first page: importing trafilatura, lxml,
htmldate and the project's modules, compiling their XPaths and regular expressions on the first
page, loading the language identifier's model (0.5 s) and, on the first page whose date
htmldate's text search reads with dateparser, that parser's patterns for every language
(1.4-2 s). Done here once, the forked workers inherit all of it (copy-on-write) and start
extracting at once.
"""

from __future__ import annotations

import gc
import logging
from datetime import UTC, datetime

from transforms.extract.dates import warm_date_search
from transforms.extract.extractor import extract_article
from transforms.extract.language import warm_identifier

logger = logging.getLogger(__name__)

# A small but complete article: the first extraction compiles what every later one reuses.
_WARM_UP_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Warm-up | Example</title>
<meta property="og:title" content="Warm-up"><meta name="author" content="A. Writer">
<meta property="article:published_time" content="2026-01-01T00:00:00Z"></head>
<body><header><nav><a href="/">Home</a></nav></header><article><h1>Warm-up</h1>
<p class="byline">By A. Writer</p>
<p>The first paragraph of a page that exists only to compile the extractor's expressions once, in
the fork server, before any worker is forked from it.</p>
<p>A second paragraph, so that the body passes the length checks and every stage of the
extraction runs: title, byline, dates, language, body lines and the rules that clean them.</p>
</article><footer>Footer</footer></body></html>"""


def _warm_up() -> None:
    # The fork server dies on anything but an ImportError raised here, and with it every pool:
    # a warm-up that fails leaves the workers to start cold (slower, still correct).
    try:
        warm_identifier()
        warm_date_search()
        extract_article(_WARM_UP_PAGE, "https://warm-up.example/2026/01/01/warm-up", source="warm_up",
                        fetched_at=datetime(2026, 1, 2, tzinfo=UTC))
    except Exception:
        logger.warning("warming the extraction pool's fork server failed; workers will start cold", exc_info=True)


_warm_up()
# What the server holds now is never freed: kept out of the collector's reach, the workers'
# collections do not walk (and so copy, page by page) the memory they share with it.
gc.freeze()
