# The image every Airflow component of docker-compose.yaml runs: Airflow 3 plus the project's
# locked requirements and its code. Build: docker compose build (or docker build -t news-pipeline-airflow .)
FROM apache/airflow:3.3.2-python3.11

COPY --chown=airflow:0 requirements.lock /opt/news/requirements.lock
# The lock pins apache-airflow to the image's own version, so this adds the project's packages
# (Scrapy, trafilatura, warcio, the Celery provider...) without moving Airflow.
RUN pip install --no-cache-dir -r /opt/news/requirements.lock

COPY --chown=airflow:0 . /opt/news
ENV PYTHONPATH=/opt/news \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/news/dags \
    ARCHIVE_ROOT=/opt/news/archive
WORKDIR /opt/news
