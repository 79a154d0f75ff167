"""Alerts: a concise message POSTed to a webhook when a task fails, retries, or recovers.

- The first failed try that will be retried alerts at once, marked ``retrying``: ops hear of a
  broken source when it breaks, not after the last retry an hour later. Once per run and
  source: further failed tries of that source in that run say nothing more.
- The final failure alerts again (``failed``), as before.
- A task that was alerted as retrying and then succeeds alerts ``recovered``.

Which run and source has an open "retrying" alert is kept in an Airflow Variable
(``news_alert_open/<dag>/<run>/<source or task>``, written through the Task SDK, which tasks may
use in Airflow 3), deleted again by the final failure or the recovery.

The webhook is the Airflow Connection ``news_alerts`` (any secrets backend, or the environment
variable ``AIRFLOW_CONN_NEWS_ALERTS``). Its URL usually carries a token (Slack, Teams, Mattermost
and most chat webhooks do), so the URL is never logged, never put in the message and never
raised in an error: logs say only which connection was used and the HTTP status.

Connection fields: ``host`` holds the URL (``https://hooks.example.com/services/T0/B0/xyz``)
or a host name with ``schema`` (http/https), ``port`` and the path in ``extra.path``; an optional
``password`` is sent as ``Authorization: Bearer <password>``. No connection: alerts are off, and
the log says so once per failure.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from typing import Any

log = logging.getLogger(__name__)

CONNECTION_ID = "news_alerts"
OPEN_ALERT_PREFIX = "news_alert_open"
FAILED, RETRYING, RECOVERED = "failed", "retrying", "recovered"
# A chat message, not a log dump: the exception's first lines are enough to triage.
MAX_ERROR_CHARS = 300
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Webhook:
    url: str
    token: str | None = None


@dataclass(frozen=True)
class Alert:
    dag_id: str
    run_id: str
    task_id: str
    source: str | None
    try_number: int | None
    error: str
    log_url: str | None
    status: str = FAILED  # failed | retrying | recovered
    # "failed" (the task failed) or "warning" (a quality check warned; the task succeeded).
    severity: str = "failed"
    # The figures behind a quality check, for receivers that chart or route on them.
    checks: tuple[dict[str, Any], ...] = ()
    report: str | None = None  # where the run's HTML report will be, for the DAGs that write one

    def text(self) -> str:
        where = f"source {self.source}, " if self.source else ""
        attempt = f" (try {self.try_number})" if self.try_number else ""
        if self.severity != "failed":  # a quality check warned; the task succeeded
            headline, label = f"warns{attempt}", "warning"
        else:
            headline = {FAILED: f"failed{attempt}", RETRYING: f"failed{attempt}, retrying",
                        RECOVERED: f"recovered{attempt}"}[self.status]
            label = "earlier error" if self.status == RECOVERED else "error"
        lines = [f"news pipeline: {self.dag_id}.{self.task_id} {headline}",
                 f"{where}run {self.run_id}",
                 f"{label}: {self.error}"]
        if self.log_url:
            lines.append(f"log: {self.log_url}")
        if self.report:
            lines.append(f"report (written when the run ends): {self.report}")
        return "\n".join(lines)

    def payload(self) -> dict[str, Any]:
        """Slack-compatible ``text``, plus the fields for receivers that want structure."""
        status = self.status if self.severity == "failed" else "warning"
        return {"text": self.text(), "status": status, "dag_id": self.dag_id, "run_id": self.run_id,
                "task_id": self.task_id, "source": self.source, "try_number": self.try_number,
                "error": self.error, "log_url": self.log_url, "severity": self.severity,
                "checks": list(self.checks), "report": self.report}


def alert_from_context(context: Any, status: str = FAILED) -> Alert:
    """What failed, from an Airflow callback context (task instance, run, exception)."""
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    task_id = getattr(ti, "task_id", "?")
    params = context.get("params") or {}
    exception = context.get("exception")
    dag_id = str(getattr(ti, "dag_id", None) or getattr(dag_run, "dag_id", "?"))
    run_id = str(getattr(ti, "run_id", None) or getattr(dag_run, "run_id", "?"))
    return Alert(
        dag_id=dag_id,
        run_id=run_id,
        task_id=task_id,
        source=source_of(task_id, params),
        try_number=getattr(ti, "try_number", None),
        error=_short_error(exception),
        log_url=_log_url(ti),
        status=status,
        checks=tuple(getattr(exception, "checks", ())),  # a failed quality gate's figures
        report=_report_location(dag_id, run_id),
    )


def source_of(task_id: str, params: dict[str, Any]) -> str | None:
    """Per-source tasks live in a task group named after the source (``aljazeera.crawl``)."""
    if "." in task_id:
        return task_id.split(".", 1)[0]
    source = params.get("source")
    return source if isinstance(source, str) and source else None


def notify_failure(context: Any) -> None:
    """Airflow on_failure_callback: the final failure. Never raises (a callback error hides the failure)."""
    try:
        alert = alert_from_context(context)
        deliver(alert)
    except Exception as exc:  # the callback must not fail the callback machinery
        log.error("could not send the failure alert through connection %r: %s",
                  CONNECTION_ID, type(exc).__name__)
        return
    _close_open_alert(open_alert_key(alert))


def notify_retry(context: Any) -> None:
    """Airflow on_retry_callback: the first failed try of a source in a run alerts, marked retrying."""
    try:
        alert = alert_from_context(context, RETRYING)
        key = open_alert_key(alert)
        if _open_alert(key) is not None:
            log.info("%s.%s failed (try %s) and will be retried; %s was alerted already in this run",
                     alert.dag_id, alert.task_id, alert.try_number, alert.source or alert.task_id)
            return
        if deliver(alert):
            _open(key, {"task_id": alert.task_id, "error": alert.error})
    except Exception as exc:
        log.error("could not send the retrying alert through connection %r: %s",
                  CONNECTION_ID, type(exc).__name__)


def notify_recovery(context: Any) -> None:
    """Airflow on_success_callback: a task alerted as retrying succeeded; say so, once."""
    try:
        ti = context.get("ti") or context.get("task_instance")
        params = context.get("params") or {}
        task_id = getattr(ti, "task_id", "?")
        key = _key(getattr(ti, "dag_id", "?"), getattr(ti, "run_id", "?"), source_of(task_id, params) or task_id)
        opened = _open_alert(key)
        if opened is None or opened.get("task_id") != task_id:
            return
        alert = alert_from_context({**context, "exception": opened.get("error")}, RECOVERED)
        if deliver(alert):
            _close_open_alert(key)
    except Exception as exc:
        log.error("could not send the recovery alert through connection %r: %s",
                  CONNECTION_ID, type(exc).__name__)


def deliver(alert: Alert) -> bool:
    """Send the alert (or log it when alerts are off); False when the webhook could not take it."""
    webhook = webhook_from_connection()
    if webhook is None:
        log.warning("alerts off: no Airflow Connection %r; %s was: %s", CONNECTION_ID, alert.status, alert.text())
        return True
    try:
        status = send(webhook, alert)
    except AlertNotSent as exc:
        log.error("could not send the %s alert through connection %r: %s", alert.status, CONNECTION_ID, exc)
        return False
    log.info("%s alert for %s.%s sent through connection %r (HTTP %d)",
             alert.status, alert.dag_id, alert.task_id, CONNECTION_ID, status)
    return True


def open_alert_key(alert: Alert) -> str:
    return _key(alert.dag_id, alert.run_id, alert.source or alert.task_id)


def _key(dag_id: str, run_id: str, subject: str) -> str:
    return f"{OPEN_ALERT_PREFIX}/{dag_id}/{run_id}/{subject}"


def _open_alert(key: str) -> dict[str, Any] | None:
    from airflow.sdk import Variable

    value = Variable.get(key, default=None, deserialize_json=True)
    return value if isinstance(value, dict) else None


def _open(key: str, value: dict[str, Any]) -> None:
    from airflow.sdk import Variable

    Variable.set(key, value, description="an open 'retrying' alert (dags/tasks/alerts.py)", serialize_json=True)


def _close_open_alert(key: str) -> None:
    from airflow.sdk import Variable

    try:
        if _open_alert(key) is not None:
            Variable.delete(key)
    except Exception as exc:  # outside a task (a test, a shell) there is no Variable store
        log.warning("could not clear the open-alert marker %s: %s", key, type(exc).__name__)


def notify_warning(context: Any, message: str, checks: list[dict[str, Any]]) -> None:
    """A warning from a task that goes on (a quality check set to "warn"); never raises."""
    try:
        alert = replace(alert_from_context(context or {}), severity="warning", error=_short_error(message),
                        checks=tuple(checks))
        webhook = webhook_from_connection()
        if webhook is None:
            log.warning("alerts off: no Airflow Connection %r; warning was: %s", CONNECTION_ID, alert.text())
            return
        status = send(webhook, alert)
        log.info("warning for %s.%s sent through connection %r (HTTP %d)",
                 alert.dag_id, alert.task_id, CONNECTION_ID, status)
    except Exception as exc:  # a warning must never fail the task it comes from
        log.error("could not send the warning through connection %r: %s", CONNECTION_ID, type(exc).__name__)


def webhook_from_connection(conn_id: str = CONNECTION_ID) -> Webhook | None:
    try:
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(conn_id)
    except Exception:  # Airflow's "not found" error types differ across versions
        return None
    return webhook_from_fields(conn.host, conn.schema, conn.port, conn.password,
                               conn.extra_dejson or {})


def webhook_from_fields(host: str | None, schema: str | None, port: int | None,
                        password: str | None, extra: dict[str, Any]) -> Webhook | None:
    if not host:
        return None
    if host.startswith(("http://", "https://")):
        url = host
    else:
        scheme = schema if schema in ("http", "https") else "https"
        url = f"{scheme}://{host}{f':{port}' if port else ''}{extra.get('path', '')}"
    return Webhook(url=url, token=password or None)


def send(webhook: Webhook, alert: Alert) -> int:
    """POST the alert as JSON; the HTTP status, or an error that does not contain the URL."""
    body = json.dumps(alert.payload()).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "news-pipeline-alerts"}
    if webhook.token:
        headers["Authorization"] = f"Bearer {webhook.token}"
    request = urllib.request.Request(webhook.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        raise AlertNotSent(f"the webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AlertNotSent(f"the webhook could not be reached ({type(reason).__name__})") from None


class AlertNotSent(RuntimeError):
    """The webhook refused or could not be reached; the message never names the URL."""


def _short_error(exception: BaseException | str | None) -> str:
    if exception is None:
        return "unknown (no exception in the callback context)"
    text = str(exception) if isinstance(exception, str) else f"{type(exception).__name__}: {exception}"
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


# The DAGs built by dags/news_daily.py end with a report task.
REPORTING_DAGS = ("news_daily", "news_source_")


def _report_location(dag_id: str, run_id: str) -> str | None:
    if not dag_id.startswith(REPORTING_DAGS):
        return None
    try:
        from dags.tasks.daily_report import report_location

        return report_location(dag_id, run_id)
    except Exception:  # the report's place reads ARCHIVE_ROOT; the alert must go out regardless
        return None


def _log_url(ti: Any) -> str | None:
    try:
        return str(ti.log_url) if ti is not None else None
    except Exception:  # log_url reads Airflow's config; a callback must still send the rest
        return None
