"""news_backfill through Airflow with its archives in object storage, as a deployment has them:
an ``s3://`` prefix on the S3 server (moto on 127.0.0.1), and a CC-NEWS-style ``warc.paths.gz``
listing of relative paths fetched from a configurable base URL (a local HTTP server here, where
Common Crawl's is https://data.commoncrawl.org/). A file the listing names but the server lacks
fails its own task with its location, and the other files are loaded all the same.
"""

from __future__ import annotations

import functools
import gzip
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from common.archive_store import ArchiveError
from common.warehouse import transaction
from scrapers.archive_backfill import archive_files, local_copy
from tests.fixtures.cc_news import BACKFILL_EXPECTED, BACKFILL_SINCE, BACKFILL_UNTIL, build_cc_news_backfill
from tests.fixtures.demo_day import run_dag
from tests.fixtures.s3_server import BUCKET, S3Server

pytestmark = pytest.mark.airflow
CC_PREFIX = "crawl-data/CC-NEWS/2026/11"


def _titles() -> dict[str, str]:
    with transaction() as cur:
        cur.execute("select url, title from core.articles")
        return dict(cur.fetchall())


def _files() -> list[tuple[str, str, int, str | None]]:
    with transaction() as cur:
        cur.execute("""select archive, status, articles_new + articles_updated, failure from ops.backfill_files
                       order by file_index""")
        return cur.fetchall()


@pytest.fixture()
def http_server(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """A plain HTTP server on 127.0.0.1 over a folder of its own; yields (base URL, folder, paths asked for)."""
    folder = tmp_path / "www"
    folder.mkdir()
    asked: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            asked.append(self.path)

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", folder, asked
    finally:
        server.shutdown()
        server.server_close()


def test_news_backfill_reads_every_warc_under_an_s3_prefix(
    clean_warehouse: str, s3_server: S3Server, s3_archive: str, tmp_path: Path
) -> None:
    local = sorted(build_cc_news_backfill(tmp_path / "ccnews").parent.glob("CC-NEWS-*.warc.gz"))
    client = s3_server.client()
    for path in local:
        client.put_file(str(path), f"{BUCKET}/{s3_archive}/cc-news/2026/11/{path.name}")
    client.pipe_file(f"{BUCKET}/{s3_archive}/cc-news/2026/11/README.txt", b"not a WARC")  # passed over

    conf = {"sources": ["aljazeera", "dw"], "since": BACKFILL_SINCE, "until": BACKFILL_UNTIL,
            "archives": f"s3://{BUCKET}/{s3_archive}/cc-news/2026/"}
    result = run_dag("news_backfill", conf, f"s3://{BUCKET}/{s3_archive}/warcs", logical_date="2026-12-02")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]

    assert _titles() == BACKFILL_EXPECTED
    files = _files()
    assert [(archive, status) for archive, status, _, _ in files] == [
        (f"s3://{BUCKET}/{s3_archive}/cc-news/2026/11/{path.name}", "done") for path in local]
    assert sum(loaded for _, _, loaded, _ in files) == len(BACKFILL_EXPECTED) + 1  # one article twice
    # The run's own WARCs (the sources' records copied out of each file) went to ARCHIVE_ROOT in the bucket.
    assert any(key.endswith(".warc.gz") for key in s3_server.keys(f"{s3_archive}/warcs"))


def test_news_backfill_from_a_warc_paths_listing_reports_a_missing_file_and_loads_the_others(
    clean_warehouse: str, s3_server: S3Server, s3_archive: str, tmp_path: Path,
    http_server: tuple[str, Path, list[str]]
) -> None:
    base_url, www, asked = http_server
    local = sorted(build_cc_news_backfill(tmp_path / "ccnews").parent.glob("CC-NEWS-*.warc.gz"))
    (www / CC_PREFIX).mkdir(parents=True)
    for path in local:
        (www / CC_PREFIX / path.name).write_bytes(path.read_bytes())
    missing = f"{CC_PREFIX}/CC-NEWS-20261122000000-00099.warc.gz"
    # As Common Crawl publishes it: gzip text, one path a line relative to the data host; the
    # missing file sits between the two that exist.
    lines = [f"{CC_PREFIX}/{local[0].name}", missing, f"{CC_PREFIX}/{local[1].name}"]
    listing = f"{s3_archive}/cc-news/warc.paths.gz"
    s3_server.client().pipe_file(f"{BUCKET}/{listing}", gzip.compress(("\n".join(lines) + "\n").encode()))

    conf = {"sources": ["aljazeera", "dw"], "since": BACKFILL_SINCE, "until": BACKFILL_UNTIL,
            "archives": f"s3://{BUCKET}/{listing}", "archives_base_url": base_url}
    result = run_dag("news_backfill", conf, f"s3://{BUCKET}/{s3_archive}/warcs", logical_date="2026-12-03")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]  # a file is missing: the run is not a success

    # The two files there are loaded in full, from the HTTP server.
    assert _titles() == BACKFILL_EXPECTED
    assert {f"/{line}" for line in lines} <= set(asked)
    files = _files()
    assert [(archive, status) for archive, status, _, _ in files] == [
        (base_url + lines[0], "done"), (base_url + missing, "failed"), (base_url + lines[2], "done")]
    # The missing file is named with its reason, in its row and in the run's last task.
    failure = files[1][3]
    assert failure is not None and f"{base_url}{missing} does not exist" in failure
    assert "only 2 of 3 archive files done" in output and f"{base_url}{missing} (failed: " in output



def test_a_listing_based_on_the_bucket_names_and_fetches_its_objects(
    s3_server: S3Server, s3_archive: str, tmp_path: Path
) -> None:
    local = sorted(build_cc_news_backfill(tmp_path / "ccnews").parent.glob("CC-NEWS-*.warc.gz"))
    base = f"s3://{BUCKET}/{s3_archive}/mirror/"
    s3_server.client().put_file(str(local[0]), f"{BUCKET}/{s3_archive}/mirror/{CC_PREFIX}/{local[0].name}")
    listing = tmp_path / "warc.paths"
    listing.write_text(f"{CC_PREFIX}/{local[0].name}\n{CC_PREFIX}/absent.warc.gz\n")

    files = archive_files(str(listing), base)
    assert files == [f"{base}{CC_PREFIX}/{local[0].name}", f"{base}{CC_PREFIX}/absent.warc.gz"]
    with local_copy(files[0]) as path:
        assert path.read_bytes() == local[0].read_bytes()
    with pytest.raises(ArchiveError, match=f"{files[1]} does not exist"), local_copy(files[1]):
        pass
