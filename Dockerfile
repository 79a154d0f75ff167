# The image every Airflow component of docker-compose.yaml (and deploy/worker-host.compose.yaml) runs:
# Airflow 3 plus the project's runtime requirements (requirements.lock: no test or lint tools) and
# its code, DAGs and source files. Everything a task runs is baked in, nothing is bind-mounted, so
# a worker host needs only the image tag and its env file, and every host runs the same version.
# Build: docker compose build (or docker build -t news-pipeline-airflow:<version> .)
FROM apache/airflow:3.3.2-python3.11

COPY --chown=airflow:0 requirements.lock /opt/news/requirements.lock
# The lock pins apache-airflow to the image's own version, so this adds the project's packages
# (Scrapy, trafilatura, warcio, the Celery provider...) without moving Airflow.
RUN pip install --no-cache-dir -r /opt/news/requirements.lock

# .dockerignore keeps tests, benchmarks, the virtualenv and local data out.
COPY --chown=airflow:0 . /opt/news
# A worker host's AIRFLOW_HOME (ops/worker_host.py's default; a named volume in
# deploy/worker-host.compose.yaml, which takes this folder's owner: the airflow user, not root).
RUN mkdir -p /opt/news/.data/worker
ENV PYTHONPATH=/opt/news \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/news/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/news/plugins \
    ARCHIVE_ROOT=/opt/news/archive
WORKDIR /opt/news
