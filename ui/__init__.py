"""Web pages inside the Airflow UI (plugins/news_health.py mounts them): the pipeline's health."""
