"""The health pages: a small FastAPI app the Airflow API server mounts (plugins/news_health.py).

    GET  /                          every source: last run, the last days' pages, articles and
                                    failures, the failed-URL ledger's open and due entries
    GET  /sources/{source}          one source: last runs, failures by reason, completeness checks,
                                    the ledger with a form to retry chosen URLs now
    POST /sources/{source}/retry    form field ``url`` (repeated: ledger keys): marks them due and
                                    starts a run of the source's DAG for that source

Every route needs an Airflow login (the UI's session cookie or a Bearer token); retrying needs
the permission to create runs of the source's DAG. Pages are server-rendered with Jinja2,
autoescaped; links are relative, so the app works under any mount prefix.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.sources import load_sources
from ui import health_airflow, health_data

log = logging.getLogger(__name__)

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# The form's checks under the source file's [quality] names.
CHECK_NAMES = {"zero_articles": ["zero_articles"], "low_volume": ["low_volume"],
               "allow_reject_jump": ["allow_reject_jump"],
               "missing_fields_jump": ["missing_date_jump", "missing_author_jump"]}
MAX_URLS_PER_RETRY = 1000  # the crawl's FAILED_URL_RETRY_LIMIT: more would wait for the next run


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def _safe_href(url: str) -> str:
    """Only web links: a ledger URL is whatever a feed listed (javascript: included)."""
    return url if urlsplit(url).scheme in ("http", "https") else "#"


TEMPLATES.env.filters["when"] = _when
TEMPLATES.env.filters["safe_href"] = _safe_href

User = Annotated[Any, Depends(health_airflow.current_user)]


def create_app() -> FastAPI:
    app = FastAPI(title="News pipeline health", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_api_route("/", overview, methods=["GET"], response_class=HTMLResponse, name="overview")
    app.add_api_route("/sources/{source}", source_page, methods=["GET"], response_class=HTMLResponse,
                      name="source_page")
    app.add_api_route("/sources/{source}/retry", retry, methods=["POST"], response_class=HTMLResponse,
                      name="retry")
    app.add_exception_handler(StarletteHTTPException, _error_page)
    return app


def overview(request: Request, user: User) -> Response:
    return TEMPLATES.TemplateResponse(request, "health_overview.html",
                                      {"sources": health_data.overview(), "days": health_data.HEALTH_DAYS})


def source_page(request: Request, source: str, user: User) -> Response:
    page = health_data.source_page(source)
    if page is None:
        raise HTTPException(404, f"unknown source {source!r}: the warehouse has no such source")
    return TEMPLATES.TemplateResponse(request, "health_source.html", {
        "page": page, "days": health_data.HEALTH_DAYS, "check_names": CHECK_NAMES,
        "messages": _messages(request.query_params)})


async def retry(request: Request, source: str, user: User) -> Response:
    _refuse_cross_site(request)
    form = await request.form()
    urls = [str(u).strip() for u in form.getlist("url") if str(u).strip()]
    # The database and Airflow calls block: off the API server's event loop.
    return await run_in_threadpool(_retry, request, source, user, urls)


def _retry(request: Request, source: str, user: Any, urls: list[str]) -> Response:
    if not urls:
        raise HTTPException(400, "no URL chosen: tick the failed URLs to retry, then submit")
    if len(urls) > MAX_URLS_PER_RETRY:
        raise HTTPException(400, f"{len(urls)} URLs chosen; at most {MAX_URLS_PER_RETRY} at a time")
    if not health_data.source_exists(source):
        raise HTTPException(404, f"unknown source {source!r}: the warehouse has no such source")
    dag_id = health_data.dag_for(load_sources().get(source))
    if dag_id is None:
        raise HTTPException(409, f"no DAG crawls {source!r} (disabled, or no source file): nothing would retry them")
    unknown = health_data.not_retryable(source, urls)
    if unknown:
        raise HTTPException(422, _not_retryable(source, unknown))
    if not health_airflow.may_trigger(user, dag_id):
        raise HTTPException(403, f"{health_airflow.user_name(user)} may not start runs of {dag_id}")
    marked = health_data.mark_for_retry(source, urls)
    if marked.unknown:  # resolved by a run that finished meanwhile
        raise HTTPException(422, _not_retryable(source, marked.unknown))
    try:
        run = health_airflow.trigger_source_run(dag_id, source, health_airflow.user_name(user), len(marked.marked))
    except Exception as exc:  # any refusal of Airflow's (stale DAG params, a run id taken) is said on the page
        # Marked stays marked: the source's next run retries them.
        log.exception("%s: %d URL(s) marked for retry, but no run of %s started", source, len(marked.marked), dag_id)
        raise HTTPException(503, f"{len(marked.marked)} URL(s) marked for retry, but no run of {dag_id} started "
                                 f"({type(exc).__name__}: {exc}). The source's next run retries them.") from exc
    target = request.url_for("source_page", source=source).include_query_params(
        marked=len(marked.marked), dag=run.dag_id, run=run.run_id, paused=int(run.paused))
    return RedirectResponse(str(target), status_code=303)


def _not_retryable(source: str, urls: list[str]) -> str:
    more = " …" if len(urls) > 10 else ""
    return (f"not retryable for {source} (not an unresolved page in its ledger), nothing marked: "
            f"{', '.join(urls[:10])}{more}")


def _refuse_cross_site(request: Request) -> None:
    """The login is a cookie: a form on another site must not be able to post here."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, f"cross-site request refused (origin {origin})")


def _messages(query: Any) -> list[dict[str, str]]:
    marked = query.get("marked")
    if not marked:
        return []
    text = f"{marked} URL(s) marked for retry now; run {query.get('run', '?')} of {query.get('dag', '?')} started."
    if query.get("paused") == "1":
        text += f" {query.get('dag')} is paused: the run waits until it is unpaused."
    return [{"kind": "ok", "text": text}]


async def _error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    log.info("health page %s %s: %s %s", request.method, request.url.path, exc.status_code, exc.detail)
    source = request.path_params.get("source")
    back = str(request.url_for("source_page", source=source)) if source and exc.status_code != 404 \
        else str(request.url_for("overview"))
    return TEMPLATES.TemplateResponse(request, "health_error.html", {"error": exc.detail, "back": back},
                                      status_code=exc.status_code, headers=getattr(exc, "headers", None))


app = create_app()
