"""robots.txt that redirects is followed, up to five hops and across hosts, before the host counts
as unavailable (RFC 9309 2.3.1.2; issue 12, item 10); the SSRF guard still checks every hop.
Real crawls of fault servers on 127.0.0.1 (a second host name: localhost)."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from scrapers.crawl_process import CrawlFailed
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, latest_run, ledger, page_captures
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]  # the fixture, imported for pytest

pytestmark = pytest.mark.crawl

RULES = "User-agent: *\nDisallow: /news/2026/11/19/ok-blocked\n"


def robots_chain(stack: ExitStack, hops: int) -> FaultServer:
    """``hops`` servers whose robots.txt each redirect to the next one's, which serves RULES."""
    target = stack.enter_context(FaultServer(robots=RULES))
    for _ in range(hops - 1):
        target = stack.enter_context(FaultServer(robots=f"redirect:http://localhost:{target.port}/robots.txt"))
    return target


def test_robots_redirected_to_another_host_is_followed_and_its_rules_apply(crawl_env: CrawlEnv) -> None:
    with ExitStack() as stack:
        rules_host = stack.enter_context(FaultServer(robots=RULES))
        site = stack.enter_context(FaultServer(robots=f"redirect:http://localhost:{rules_host.port}/robots.txt"))
        site.article("ok", DAY)
        site.article("ok", DAY, "blocked")
        write_source(crawl_env.sources, site)
        run_id = crawl_env.crawl()
    assert [p for p, status in page_captures(run_id) if status == 200] == ["/news/2026/11/19/ok-1"]
    assert ledger()["/news/2026/11/19/ok-blocked"]["reason"] == "robots_denied"
    assert rules_host.paths() == ["/robots.txt"]  # the rules host served robots.txt and nothing else


@pytest.mark.parametrize(("hops", "followed"), [(5, True), (6, False)])
def test_up_to_five_redirects_are_followed(crawl_env: CrawlEnv, hops: int, followed: bool) -> None:
    with ExitStack() as stack:
        first = robots_chain(stack, hops)  # hops - 1 redirects among the chain, one more from the site
        site = stack.enter_context(FaultServer(robots=f"redirect:http://localhost:{first.port}/robots.txt"))
        site.article("ok", DAY)
        write_source(crawl_env.sources, site)
        if followed:
            run_id = crawl_env.crawl(REDIRECT_MAX_TIMES=5)
            assert [p for p, _ in page_captures(run_id)] == ["/news/2026/11/19/ok-1"]
        else:
            with pytest.raises(CrawlFailed, match="robots_unavailable"):
                crawl_env.crawl(REDIRECT_MAX_TIMES=5)
            assert set(site.paths()) == {"/robots.txt"}


def test_a_robots_redirect_to_a_private_address_is_not_followed(crawl_env: CrawlEnv) -> None:
    with FaultServer(robots="redirect:http://169.254.169.254/robots.txt") as site:
        site.article("ok", DAY)
        write_source(crawl_env.sources, site)
        with pytest.raises(CrawlFailed, match="robots_unavailable"):
            crawl_env.crawl()
        assert set(site.paths()) == {"/robots.txt"}
    assert latest_run()["stats"]["news/blocked/blocked_address"] >= 1
