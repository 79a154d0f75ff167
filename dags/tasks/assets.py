"""The Airflow Assets the DAGs emit, declared once."""

from __future__ import annotations

from airflow.sdk import Asset

# Emitted when a run loaded or re-extracted articles; downstream DAGs schedule on it
# (schedule=[WAREHOUSE_ASSET]).
WAREHOUSE_ASSET = Asset(name="news_warehouse", uri="news://warehouse/core/articles", group="news")
