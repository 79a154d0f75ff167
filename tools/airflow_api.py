"""A small client of Airflow 3's REST API (v2, JWT), for ops scripts and the stack's tests.

    python tools/airflow_api.py trigger news_daily --logical-date 2026-11-20 --wait
    python tools/airflow_api.py trigger news_reprocess \
        --conf '{"source": "aljazeera", "since": "2026-11-19", "until": "2026-11-20"}'
    python tools/airflow_api.py unpause news_daily      # or pause

Airflow runs nothing of a paused DAG, manual runs included, and unpausing also lets the scheduler
start the DAG's scheduled runs (a live crawl of the latest day). So `trigger` never unpauses on
its own: on a paused DAG it stops and says so, unless --unpause is given, and then it says it did.
A run naming `sources` first waits (up to 180 s) until the DAG has them: a source file just added
or switched on reaches the DAG at the DAG processor's next parse, and until then Airflow refuses
the run. The DAG is unpaused only once the run can be made, and paused again if Airflow refuses it.

The login comes from the stack's passwords file (tools/stack.sh writes it), or AIRFLOW_API_USER /
AIRFLOW_API_PASSWORD; the address from AIRFLOW_API_URL (default http://localhost:8080).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FINISHED = {"success", "failed"}
# A source file switched on reaches the DAG at the DAG processor's next parse (30 s, more on a
# loaded machine).
SOURCE_WAIT = 180.0


class AirflowAPIError(RuntimeError):
    """The API answered with an error; the message has the status and Airflow's detail."""


class AirflowAPI:
    def __init__(self, base_url: str, user: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.user = user
        self.password = password
        self._token: str | None = None

    @classmethod
    def for_stack(cls, base_url: str | None = None, state_dir: Path | None = None) -> AirflowAPI:
        url = base_url or os.environ.get("AIRFLOW_API_URL") or \
            f"http://localhost:{os.environ.get('NEWS_AIRFLOW_PORT', '8080')}"
        user = os.environ.get("AIRFLOW_API_USER")
        password = os.environ.get("AIRFLOW_API_PASSWORD")
        if not (user and password):
            state = state_dir or Path(os.environ.get("NEWS_STACK_DIR") or ROOT / ".data" / "stack")
            passwords = json.loads((state / "simple_auth_manager_passwords.json").read_text())
            user, password = next(iter(passwords.items()))
        return cls(url, user, password)

    def token(self) -> str:
        if self._token is None:
            answer = self._call("POST", "/auth/token", {"username": self.user, "password": self.password},
                                auth=False)
            self._token = answer["access_token"]
        return self._token

    def get(self, path: str, **query: Any) -> Any:
        suffix = f"?{urllib.parse.urlencode(query, doseq=True)}" if query else ""
        return self._call("GET", f"/api/v2{path}{suffix}")

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._call("POST", f"/api/v2{path}", body)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self._call("PATCH", f"/api/v2{path}", body)

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> None:
        """Until the DAG processor has parsed the DAG into the database."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.get(f"/dags/{dag_id}")
                return
            except AirflowAPIError as exc:
                if "404" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(2)

    def unpause(self, dag_id: str) -> None:
        self.patch(f"/dags/{dag_id}", {"is_paused": False})

    def pause(self, dag_id: str) -> None:
        self.patch(f"/dags/{dag_id}", {"is_paused": True})

    def is_paused(self, dag_id: str) -> bool:
        return bool(self.get(f"/dags/{dag_id}")["is_paused"])

    def trigger(self, dag_id: str, logical_date: str | None = None, conf: dict[str, Any] | None = None,
                run_id: str | None = None) -> str:
        body: dict[str, Any] = {"logical_date": _iso(logical_date) if logical_date else None, "conf": conf or {}}
        if run_id:
            body["dag_run_id"] = run_id
        return self.post(f"/dags/{dag_id}/dagRuns", body)["dag_run_id"]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 600) -> str:
        """The run's final state (success or failed), or TimeoutError."""
        deadline = time.monotonic() + timeout
        quoted = urllib.parse.quote(run_id, safe="")
        while time.monotonic() < deadline:
            state = self.get(f"/dags/{dag_id}/dagRuns/{quoted}")["state"]
            if state in FINISHED:
                return state
            time.sleep(3)
        raise TimeoutError(f"{dag_id} run {run_id} not finished after {timeout:.0f}s")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        quoted = urllib.parse.quote(run_id, safe="")
        return self.get(f"/dags/{dag_id}/dagRuns/{quoted}/taskInstances", limit=100)["task_instances"]

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, auth: bool = True) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise AirflowAPIError(f"{method} {path}: HTTP {exc.code}: {detail}") from None


def _iso(day: str) -> str:
    return day if "T" in day else f"{day}T00:00:00Z"


class DagPaused(RuntimeError):
    """The DAG is paused and the user did not ask to unpause it."""


class SourceNotInDag(RuntimeError):
    """The run names a source the DAG, as Airflow last parsed it, does not have."""


def dag_sources(api: AirflowAPI, dag_id: str) -> list[str] | None:
    """The slugs the DAG's `sources` param accepts, as Airflow last parsed it; None when the DAG
    has no such param (news_reprocess, say)."""
    params = api.get(f"/dags/{dag_id}/details").get("params") or {}
    if "sources" not in params:
        return None
    items = ((params["sources"] or {}).get("schema") or {}).get("items") or {}
    return list(items.get("enum") or [])


def wait_for_sources(api: AirflowAPI, dag_id: str, wanted: list[str], timeout: float) -> None:
    """Until the DAG has every wanted source. A source file just added or switched on reaches the
    DAG only when the DAG processor next parses the DAG files (every 30 s): triggering before
    that is refused by Airflow ("'newdesk' is not one of [...]")."""
    known = dag_sources(api, dag_id)
    if known is None or not wanted:
        return
    missing = sorted(set(wanted) - set(known))
    if not missing:
        return
    print(f"{dag_id}: waiting for Airflow to read source(s) {', '.join(missing)} (the DAG processor "
          f"re-reads the source files about every 30 s)", flush=True)
    deadline = time.monotonic() + timeout
    while missing and time.monotonic() < deadline:
        time.sleep(3)
        known = dag_sources(api, dag_id) or []
        missing = sorted(set(wanted) - set(known))
    if missing:
        raise SourceNotInDag(
            f"{dag_id} has no source {', '.join(missing)} after {timeout:.0f} s "
            f"(it has: {', '.join(known) or 'none'}): no run triggered. Is `enabled = true` in its file, "
            f"in scrapers/sources/ or a folder of "
            f"NEWS_SOURCES_EXTRA_DIRS the stack was started with? A source with its own `schedule` is in "
            f"news_source_<slug> instead; a file that does not load shows as an import error of "
            f"dags/news_source_files.py in the UI.")
    print(f"{dag_id}: has source(s) {', '.join(wanted)}", flush=True)


def trigger_command(api: AirflowAPI, args: argparse.Namespace) -> int:
    paused = api.is_paused(args.dag_id)
    if paused and not args.unpause:
        raise DagPaused(
            f"{args.dag_id} is paused, and Airflow runs nothing of a paused DAG: no run triggered. "
            f"Add --unpause to switch it on first (the scheduler then also starts its scheduled "
            f"runs, from the latest interval on), or switch it on in the UI.")
    # Before unpausing: a run Airflow would refuse must not leave the DAG switched on.
    wait_for_sources(api, args.dag_id, list((args.conf or {}).get("sources") or []), args.source_wait)
    if paused:
        api.unpause(args.dag_id)
        print(f"{args.dag_id}: unpaused (it was paused); its scheduled runs start too from now on")
    try:
        run_id = api.trigger(args.dag_id, args.logical_date, args.conf)
    except AirflowAPIError:
        if paused:  # refused (a taken run id, bad params): leave the DAG as it was
            api.pause(args.dag_id)
            print(f"{args.dag_id}: paused again, as it was (no run triggered)")
        raise
    print(f"{args.dag_id}: triggered run {run_id}", flush=True)
    if not args.wait:
        return 0
    state = api.wait_for_run(args.dag_id, run_id, timeout=args.timeout)
    print(f"{args.dag_id} run {run_id}: {state}")
    return 0 if state == "success" else 1


def backfill_body(args: argparse.Namespace) -> dict[str, Any]:
    """Every scheduled time from SINCE 00:00 through UNTIL 23:59:59 UTC: one run a day at 04:00."""
    conf = {"sources": [s for s in args.sources.split(",") if s]} if args.sources else None
    return {"dag_id": args.dag_id, "from_date": f"{args.since}T00:00:00Z", "to_date": f"{args.until}T23:59:59Z",
            "max_active_runs": args.max_active_runs, "dag_run_conf": conf, "reprocess_behavior": "none"}


def backfill_command(api: AirflowAPI, args: argparse.Namespace) -> int:
    body = backfill_body(args)
    wait_for_sources(api, args.dag_id, list((body["dag_run_conf"] or {}).get("sources") or []), args.source_wait)
    planned = sorted(str(b["logical_date"]) for b in api.post("/backfills/dry_run", body)["backfills"])
    if not planned:
        print(f"{args.dag_id}: nothing to backfill from {args.since} to {args.until} (runs exist already, "
              f"or no scheduled time falls in those days)")
        return 0
    if api.is_paused(args.dag_id):
        if not args.unpause:
            raise DagPaused(f"{args.dag_id} is paused, and Airflow runs no backfill of a paused DAG: nothing "
                            f"created. Add --unpause (make backfill ... UNPAUSE=1) to switch it on first.")
        api.unpause(args.dag_id)
        print(f"{args.dag_id}: unpaused (it was paused); its scheduled runs start too from now on")
    backfill = api.post("/backfills", body)
    first, last = _short(planned[0]), _short(planned[-1])
    print(f"{args.dag_id}: backfill {backfill['id']} created: {len(planned)} run(s) at {first} .. {last} UTC, "
          f"each loading the 24 hours before its time; sources: {args.sources or 'all of the DAG'}")
    if not args.wait:
        return 0
    return 0 if wait_for_backfill(api, args.dag_id, planned, args.timeout) else 1


def wait_for_backfill(api: AirflowAPI, dag_id: str, logical_dates: list[str], timeout: float,
                      every: float = 10) -> bool:
    """Print progress until every run of the backfill finished; True when all succeeded."""
    deadline = time.monotonic() + timeout
    wanted = set(logical_dates)
    last_line = ""
    while True:
        runs = [r for r in api.get(f"/dags/{dag_id}/dagRuns", run_type="backfill", limit=1000)["dag_runs"]
                if str(r["logical_date"]) in wanted]
        states = [str(r["state"]) for r in runs]
        done = [s for s in states if s in FINISHED]
        line = (f"backfill: {len(done)} of {len(wanted)} run(s) finished ({states.count('success')} success, "
                f"{states.count('failed')} failed), {states.count('running')} running, "
                f"{states.count('queued')} queued")
        if line != last_line or len(done) == len(wanted):
            print(line, flush=True)
            last_line = line
        if len(done) == len(wanted):
            for run in sorted(runs, key=lambda r: str(r["logical_date"])):
                if run["state"] != "success":
                    print(f"  {run['dag_run_id']}: {run['state']}")
            return all(s == "success" for s in states)
        if time.monotonic() > deadline:
            print(f"backfill: not finished after {timeout:.0f} s; it goes on (the UI shows it)", file=sys.stderr)
            return False
        time.sleep(every)


def _short(iso: str) -> str:
    return iso.replace("T", " ")[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    trigger = sub.add_parser("trigger", help="trigger a DAG run (a paused DAG only with --unpause)")
    trigger.add_argument("dag_id")
    trigger.add_argument("--logical-date", help="YYYY-MM-DD or ISO-8601 (UTC)")
    trigger.add_argument("--conf", type=json.loads, default=None, help="params as JSON")
    trigger.add_argument("--unpause", action="store_true",
                         help="switch a paused DAG on first (its scheduled runs then start too)")
    trigger.add_argument("--wait", action="store_true", help="wait for the run to finish")
    trigger.add_argument("--timeout", type=float, default=3600, help="seconds --wait waits (3600)")
    trigger.add_argument("--source-wait", type=float, default=SOURCE_WAIT,
                         help=f"seconds to wait for the DAG to have the sources the conf names ({SOURCE_WAIT:.0f})")
    backfill = sub.add_parser("backfill", help="backfill the daily runs from SINCE to UNTIL (both days included)")
    backfill.add_argument("dag_id")
    backfill.add_argument("--since", required=True, help="YYYY-MM-DD: the first run's day")
    backfill.add_argument("--until", required=True, help="YYYY-MM-DD: the last run's day (included)")
    backfill.add_argument("--sources", default="", help="comma-separated slugs (default: all of the DAG)")
    backfill.add_argument("--max-active-runs", type=int, default=3)
    backfill.add_argument("--unpause", action="store_true", help="switch a paused DAG on first")
    backfill.add_argument("--wait", action="store_true", help="wait, printing progress, until every run finished")
    backfill.add_argument("--timeout", type=float, default=6 * 3600, help="seconds --wait waits (6 h)")
    backfill.add_argument("--source-wait", type=float, default=SOURCE_WAIT,
                          help=f"seconds to wait for the DAG to have the sources named ({SOURCE_WAIT:.0f})")
    for name in ("pause", "unpause"):
        switch = sub.add_parser(name, help=f"{name} a DAG")
        switch.add_argument("dag_id")
    args = parser.parse_args()

    api = AirflowAPI.for_stack()
    try:
        if args.command == "trigger":
            return trigger_command(api, args)
        if args.command == "backfill":
            return backfill_command(api, args)
        was_paused = api.is_paused(args.dag_id)
        getattr(api, args.command)(args.dag_id)
        before = "paused" if was_paused else "not paused"
        print(f"{args.dag_id}: {args.command}d (it was {before})")
        return 0
    except (DagPaused, SourceNotInDag, AirflowAPIError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
