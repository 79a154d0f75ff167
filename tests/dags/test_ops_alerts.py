"""Failure alerts: a real news_daily run fails, its callback POSTs to a webhook on 127.0.0.1 taken
from the Airflow Connection news_alerts, and no secret of that connection reaches the logs."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dags.tasks.alerts import Alert, AlertNotSent, Webhook, notify_failure, send
from tests.fixtures import DEMO_ARCHIVE, PROJECT_ROOT

TOKEN_IN_PATH = "T0ALERTS/B0NEWS/s3cr3t-path-token"
BEARER = "s3cr3t-bearer-password"


@dataclass
class Receiver:
    port: int
    status: int = 200
    posts: list[tuple[str, dict[str, str], dict[str, object]]] = field(default_factory=list)
    on_post: Callable[[dict[str, object]], None] | None = None  # what the receiving engineer does

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{TOKEN_IN_PATH}"


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    state = Receiver(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            payload = json.loads(body)
            state.posts.append((self.path, dict(self.headers), payload))
            if state.on_post is not None:
                state.on_post(payload)
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def unrelated_warc(folder: Path) -> Path:
    """A WARC holding nothing of any configured source: every crawl of it fails discovery."""
    path = folder / "unrelated.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://unrelated.example/", "response",
                                                      payload=io.BytesIO(b"nothing"), http_headers=headers))
    return path


@pytest.mark.airflow
def test_a_failed_crawl_sends_one_concise_alert_and_leaks_no_secret(
    clean_warehouse: str, archive_root: Path, receiver: Receiver, tmp_path: Path
) -> None:
    connection = {"conn_type": "http", "host": receiver.url, "password": BEARER}
    env = {**os.environ, "REPLAY_WARC": str(unrelated_warc(tmp_path)), "ARCHIVE_ROOT": str(archive_root),
           "NEWS_TASK_RETRIES": "0", "NEWS_CRAWL_LOG_LEVEL": "INFO",
           "AIRFLOW_CONN_NEWS_ALERTS": json.dumps(connection),
           "AIRFLOW__API__BASE_URL": "http://airflow.test:8080"}
    run = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "tools" / "run_dag.py"), "news_daily", "--logical-date", "2026-11-20",
         "--conf", json.dumps({"sources": ["aljazeera"]})],
        env=env, capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output[-3000:]
    assert "task aljazeera.crawl: failed" in output

    assert len(receiver.posts) == 1, [p[2] for p in receiver.posts]
    path, headers, payload = receiver.posts[0]
    assert path == f"/hooks/{TOKEN_IN_PATH}"
    assert headers["Authorization"] == f"Bearer {BEARER}"
    assert payload["dag_id"] == "news_daily" and payload["task_id"] == "aljazeera.crawl"
    assert payload["source"] == "aljazeera"
    assert str(payload["run_id"]).startswith("manual__") or "2026-11-20" in str(payload["run_id"])
    # A replay without the source's feeds cannot succeed on a retry: the crawl fails at once.
    assert "CrawlFailed" in str(payload["error"]) and "no feed or sitemap was reachable" in str(payload["error"])
    log_url = str(payload["log_url"])
    assert log_url.startswith("http://airflow.test:8080/dags/news_daily/runs/") and "aljazeera.crawl" in log_url
    text = str(payload["text"])
    assert len(text.splitlines()) == 5 and len(text) < 800
    # The alert names the run's report, which the run wrote after the failure, showing it.
    report = Path(str(payload["report"]))
    assert report.parent == archive_root / "reports" / "news_daily" and f"report (written when the run ends): {report}" in text
    assert report.is_file() and "no feed or sitemap was reachable" in report.read_text(encoding="utf-8")
    # Neither the token in the URL nor the password appears anywhere in the logs.
    for secret in (TOKEN_IN_PATH, "s3cr3t", BEARER):
        assert secret not in output, secret


def test_a_webhook_error_is_reported_without_the_url(receiver: Receiver) -> None:
    receiver.status = 500
    alert = Alert("news_daily", "run-1", "aljazeera.crawl", "aljazeera", 1, "CrawlFailed: x", None)
    with pytest.raises(AlertNotSent) as caught:
        send(Webhook(receiver.url, BEARER), alert)
    assert "HTTP 500" in str(caught.value) and TOKEN_IN_PATH not in str(caught.value)
    with pytest.raises(AlertNotSent) as unreachable:
        send(Webhook(f"http://127.0.0.1:1/hooks/{TOKEN_IN_PATH}"), alert)
    assert TOKEN_IN_PATH not in str(unreachable.value)


def test_the_callback_never_raises_and_says_when_alerts_are_off(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, receiver: Receiver
) -> None:
    class TI:
        dag_id, run_id, task_id, try_number = "news_daily", "scheduled__2026-11-20", "plan", 1
        log_url = "http://localhost:8080/dags/news_daily/runs/x/tasks/plan"

    monkeypatch.delenv("AIRFLOW_CONN_NEWS_ALERTS", raising=False)
    with caplog.at_level(logging.INFO, logger="dags.tasks.alerts"):
        notify_failure({"ti": TI(), "exception": ValueError("no source to crawl")})
    assert "alerts off" in caplog.text and "no source to crawl" in caplog.text
    receiver.status = 503
    monkeypatch.setenv("AIRFLOW_CONN_NEWS_ALERTS", json.dumps({"conn_type": "http", "host": receiver.url}))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="dags.tasks.alerts"):
        notify_failure({"ti": TI(), "exception": ValueError("boom")})  # must not raise
    assert len(receiver.posts) == 1 and receiver.posts[0][2]["source"] is None
    assert "could not send" in caplog.text and TOKEN_IN_PATH not in caplog.text


def run_daily_with_retries(archive_root: str, receiver: Receiver, retries: int) -> subprocess.CompletedProcess[str]:
    connection = {"conn_type": "http", "host": receiver.url}
    env = {**os.environ, "REPLAY_WARC": str(DEMO_ARCHIVE), "ARCHIVE_ROOT": archive_root,
           "NEWS_TASK_RETRIES": str(retries), "NEWS_RETRY_DELAY_SECONDS": "1",
           "AIRFLOW_CONN_NEWS_ALERTS": json.dumps(connection)}
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "tools" / "run_dag.py"), "news_daily", "--logical-date", "2026-11-20",
         "--conf", json.dumps({"sources": ["aljazeera"]})],
        env=env, capture_output=True, text=True, timeout=900, cwd=PROJECT_ROOT)


def blocked_archive(tmp_path: Path) -> tuple[Path, str]:
    """An ARCHIVE_ROOT under a regular file: the crawl cannot publish its WARC, a fault a retry
    can outlive once someone removes the file (unlike a replay without the source's feeds)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder", encoding="utf-8")
    return blocker, str(blocker / "archive")


@pytest.mark.airflow
def test_a_failed_try_alerts_at_once_as_retrying_then_recovered(
    clean_warehouse: str, receiver: Receiver, tmp_path: Path
) -> None:
    """Try 1 of the crawl cannot publish; the retrying alert arrives while the task waits for its
    retry, and (as an engineer would) the receiver removes the obstacle, so try 2 captures the
    day and the run succeeds with a recovered alert."""
    blocker, archive = blocked_archive(tmp_path)

    def fix_on_retrying(payload: dict[str, object]) -> None:
        if payload["status"] == "retrying":
            blocker.unlink()

    receiver.on_post = fix_on_retrying
    run = run_daily_with_retries(archive, receiver, retries=2)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    posts = [p[2] for p in receiver.posts]
    assert [(p["status"], p["task_id"], p["try_number"]) for p in posts] == [
        ("retrying", "aljazeera.crawl", 1), ("recovered", "aljazeera.crawl", 2)], posts
    assert str(posts[0]["text"]).splitlines()[0] == "news pipeline: news_daily.aljazeera.crawl failed (try 1), retrying"
    recovered = str(posts[1]["text"]).splitlines()
    assert recovered[0] == "news pipeline: news_daily.aljazeera.crawl recovered (try 2)"
    assert recovered[2].startswith("earlier error: ") and recovered[2] == "earlier " + str(
        posts[0]["text"]).splitlines()[2]


@pytest.mark.airflow
def test_a_source_failing_every_try_alerts_once_as_retrying_and_once_at_the_end(
    clean_warehouse: str, receiver: Receiver, tmp_path: Path
) -> None:
    _, archive = blocked_archive(tmp_path)
    run = run_daily_with_retries(archive, receiver, retries=2)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output[-3000:]
    posts = [p[2] for p in receiver.posts]
    crawl_posts = [p for p in posts if p["task_id"] == "aljazeera.crawl"]
    # Three tries: the first alerts as retrying, the second says nothing more, the last is final.
    assert [(p["status"], p["task_id"], p["try_number"]) for p in crawl_posts] == [
        ("retrying", "aljazeera.crawl", 1), ("failed", "aljazeera.crawl", 3)], posts
    # The daily report cannot be written to the same unwritable archive: it alerts for itself,
    # the same way (retrying once, then failed), and no other task does.
    assert [(p["status"], p["try_number"]) for p in posts if p["task_id"] != "aljazeera.crawl"] in (
        [], [("retrying", 1), ("failed", 3)]), posts
    assert {p["task_id"] for p in posts} <= {"aljazeera.crawl", "report"}, posts
    assert "was alerted already in this run" in output
