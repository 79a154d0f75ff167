"""A killed crawl leaves nothing; private addresses, other schemes, XML entities and the control endpoints are refused."""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from common.warehouse import DSN_ENV, transaction
from common.window import window_from_args
from scrapers.crawl_process import PROJECT_ROOT, CrawlFailed, CrawlRequest, crawl_command
from scrapers.safety import BlockedRequest, address_is_public, check_addresses, check_scheme, resolve
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, run_row
from tests.fixtures.fault_server import TEST_CRAWL_SETTINGS, FaultServer, write_source

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

__all__ = ["crawl_env"]


# --- 10: killed mid-run -------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_case10_a_killed_crawl_leaves_no_warc_and_no_rows_and_the_retry_starts_clean(
    crawl_env: CrawlEnv, tmp_path: Path, sig: signal.Signals
) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        server.article("slow", DAY, "2")
        write_source(crawl_env.sources, server)
        work = tmp_path / "work"
        request = CrawlRequest("faultsite", window_from_args("2026-11-19", "2026-11-19"),
                               settings=TEST_CRAWL_SETTINGS)
        env = {**os.environ, DSN_ENV: os.environ[DSN_ENV], "WARC_WORK_DIR": str(work),
               "NEWS_SOURCES_EXTRA_DIRS": str(crawl_env.sources), "NEWS_CRAWL_LOG_LEVEL": "WARNING"}
        child = subprocess.Popen(crawl_command(request, "00000000-0000-4000-8000-000000000010"),
                                 cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_for(lambda: server.paths("/news/2026/11/19/slow-2"), 30)
            assert list(work.glob("*.warc.gz.part")), "the crawl writes its WARC in the work folder"
            child.send_signal(sig)
            child.wait(30)
        finally:
            child.kill()
        with transaction() as cur:
            cur.execute("select (select count(*) from ops.crawl_runs), (select count(*) from raw.captures), "
                        "(select count(*) from ops.failed_urls), (select count(*) from ops.feed_state)")
            assert cur.fetchone() == (0, 0, 0, 0)
        assert not [p for p in crawl_env.archive.rglob("*") if p.is_file()]
        if sig == signal.SIGTERM:  # a graceful shutdown also removes its work file
            assert not list(work.glob("*.part"))
        run_id = crawl_env.crawl(DOWNLOAD_TIMEOUT=10)  # the retry (the slow page takes 3 s)
    run = run_row(run_id)
    assert run["status"] == "captured" and run["pages_captured"] == 2
    assert len(list(crawl_env.archive.rglob("*.warc.gz"))) == 1


def _wait_for(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the crawl to reach the slow page")


# --- 26: no private, loopback or link-local addresses, on any hop -------------------------------

@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "10.1.2.3", "172.16.0.1", "192.168.1.1",
                                     "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1"])
def test_case26_non_public_addresses_are_refused(address: str) -> None:
    assert not address_is_public(ipaddress.ip_address(address))
    with pytest.raises(BlockedRequest, match="non-public"):
        check_addresses("host", [ipaddress.ip_address(address)], allow_loopback=False)


def test_case26_loopback_is_allowed_only_by_the_test_setting_and_nothing_else_is() -> None:
    assert address_is_public(ipaddress.ip_address("127.0.0.1"), allow_loopback=True)
    assert not address_is_public(ipaddress.ip_address("169.254.169.254"), allow_loopback=True)
    assert not address_is_public(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)
    assert address_is_public(ipaddress.ip_address("93.184.215.14"))


def test_case26_a_name_is_judged_by_what_it_resolves_to() -> None:
    addresses = resolve("localhost")  # a name, not a literal: resolved, then refused
    assert addresses and all(a.is_loopback for a in addresses)
    with pytest.raises(BlockedRequest):
        check_addresses("localhost", addresses, allow_loopback=False)


def test_case26_redirects_to_metadata_or_private_addresses_are_not_followed(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("tometadata", DAY, "1")
        server.article("toprivate", DAY, "2")
        server.article("ok", DAY, "3")
        # The source (wrongly) lists those hosts as its own: the address check still stops them.
        write_source(crawl_env.sources, server, domains=["127.0.0.1", "169.254.169.254", "10.0.0.1"])
        run_id = crawl_env.crawl()
    assert run_row(run_id)["pages_captured"] == 1
    entries = ledger()
    assert entries["/news/2026/11/19/tometadata-1"]["reason"] == "blocked_address"
    assert entries["/news/2026/11/19/toprivate-2"]["reason"] == "blocked_address"
    assert run_row(run_id)["stats"]["news/blocked/blocked_address"] >= 2


def test_case26_a_name_resolving_to_loopback_is_not_fetched_without_the_test_setting(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        write_source(crawl_env.sources, server, domains=["localhost"],
                     feeds=[f"http://localhost:{server.port}/feed.xml"])
        with pytest.raises(CrawlFailed, match="blocked_address"):
            crawl_env.crawl(SSRF_ALLOW_LOOPBACK="False")
    assert server.paths() == []  # not even robots.txt


# --- 27: only http(s) -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:text/html,<p>x</p>", "ftp://127.0.0.1/x",
                                 "s3://bucket/key", "gopher://127.0.0.1:70/", "javascript:alert(1)"])
def test_case27_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(BlockedRequest, match="is not fetched"):
        check_scheme(url)


def test_case27_file_data_ftp_s3_links_in_feeds_and_sitemaps_are_not_fetched(crawl_env: CrawlEnv) -> None:
    bad = ["file:///etc/passwd", "data:text/xml,<urlset/>", "ftp://127.0.0.1/news/2026/11/19/ok-ftp",
           "s3://bucket/news/2026/11/19/ok-s3"]
    with FaultServer() as server:
        ok = server.article("ok", DAY, "1")
        server.documents["/index.xml"] = ("application/xml", (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in bad) + "</sitemapindex>").encode(), {})
        server.documents["/links.xml"] = ("application/xml", (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>{u}</loc></url>" for u in [*bad, ok]) + "</urlset>").encode(), {})
        write_source(crawl_env.sources, server, sitemaps=[server.url("/index.xml"), server.url("/links.xml")])
        run_id = crawl_env.crawl()
    run = run_row(run_id)
    assert run["pages_captured"] == 1 and ledger() == {}
    assert run["stats"]["news/skipped_foreign_sitemap"] == 4
    assert run["requests"] == len(server.paths())  # every request the crawl made went to the test server


# --- 28: XXE and billion laughs ------------------------------------------------------------------

XXE_FEED = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY remote SYSTEM "http://169.254.169.254/">]>
<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;&remote;</title>
<link>LINK</link><pubDate>Thu, 19 Nov 2026 12:00:00 GMT</pubDate></item></channel></rss>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>LINK</loc><lastmod>&lol9;</lastmod></url></urlset>"""


def test_case28_xxe_and_billion_laughs_in_feed_and_sitemap_expand_nothing(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        ok1 = server.article("ok", DAY, "1")
        ok2 = server.article("ok", DAY, "2")
        server.documents["/xxe.xml"] = ("application/rss+xml", XXE_FEED.replace(b"LINK", ok1.encode()), {})
        server.documents["/laughs.xml"] = ("application/xml", LAUGHS.replace(b"LINK", ok2.encode()), {})
        write_source(crawl_env.sources, server, feeds=[server.url("/xxe.xml")], sitemaps=[server.url("/laughs.xml")])
        run_id = crawl_env.crawl()
    run = run_row(run_id)
    assert run["status"] == "captured"
    assert run["stats"]["news/discovery_ok"] == 2
    assert "169.254.169.254" not in " ".join(server.paths())
    # The crawl's own peak (VmHWM): entities expanded would show here, a large pytest parent does not.
    assert 0 < run["stats"]["news/peak_rss_bytes"] < 400 * 1024 * 1024


# --- 32: no remote control, no telnet -------------------------------------------------------------

def test_case32_remote_control_and_telnet_are_off_in_a_real_crawl(crawl_env: CrawlEnv, tmp_path: Path) -> None:
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        write_source(crawl_env.sources, server)
        request = CrawlRequest("faultsite", window_from_args("2026-11-19", "2026-11-19"), settings=TEST_CRAWL_SETTINGS)
        env = {**os.environ, "WARC_WORK_DIR": str(tmp_path / "work"), "NEWS_CRAWL_LOG_LEVEL": "DEBUG",
               "NEWS_SOURCES_EXTRA_DIRS": str(crawl_env.sources)}
        done = subprocess.run(crawl_command(request, "00000000-0000-4000-8000-000000000032"), cwd=PROJECT_ROOT,
                              env=env, capture_output=True, text=True, timeout=120)
    log = done.stdout + done.stderr
    assert "Enabled extensions" in log  # Scrapy's component dump is kept at DEBUG
    extensions = log.split("Enabled extensions:", 1)[1].split("]", 1)[0]
    assert "TelnetConsole" not in extensions and "RemoteControl" not in extensions.replace("'", "")
    assert "Telnet console listening" not in log and "remote control" not in log.lower()
    assert "WARC " in done.stdout and "stats " in done.stdout  # where the WARC and the stats went
    assert sys.executable  # the crawl ran with this interpreter (crawl_command)
