"""Airflow plugin: the news pipeline's health pages inside the Airflow UI.

The FastAPI app (ui/health_app.py) is mounted by the API server under /news-health; the external
view puts "News health" in the UI's navigation, showing the app inside the UI. tools/env.sh points
AIRFLOW__CORE__PLUGINS_FOLDER at this folder.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from ui.health_app import app

URL_PREFIX = "/news-health"


class NewsHealthPlugin(AirflowPlugin):
    name = "news_health"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "News pipeline health"}]
    external_views = [{
        "name": "News health",
        # Relative, as Airflow's UI wants it: resolved against the UI's base URL.
        "href": URL_PREFIX.lstrip("/") + "/",
        "destination": "nav",
        "url_route": "news-health",
    }]
