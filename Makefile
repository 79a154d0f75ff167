# The project's commands. Every target is safe to repeat. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
ENV := set -a; . tools/env.sh; set +a;

# The demo's run: the daily window ending at DEMO_DATE (the replay archive holds that day's news).
DEMO_DATE ?= 2026-11-20
DEMO_ARCHIVE ?= demo/replay/news-sample.warc.gz

.PHONY: help setup venv db migrate airflow-db demo backfill test test-fast lint psql up down clean lock archive eval eval-rules bench export

help:
	@echo "make demo   set up everything, run news_daily once offline on the bundled archive, print a summary"
	@echo "make test   set up everything, lint and type-check, run the whole test suite"
	@echo "make test-fast  unit and database tests only (no Airflow runs, no child crawls), on every core"
	@echo "make psql   psql on the warehouse (SQL=\"...\" runs one statement)"
	@echo "make export SINCE=YYYY-MM-DD UNTIL=YYYY-MM-DD  marts.articles and story membership to Parquet in the archive store"
	@$(ENV) echo "make up     start PostgreSQL and Airflow (UI on http://localhost:$${NEWS_AIRFLOW_PORT:-8080}, login printed once; make up RESTART=1 restarts with new settings)"
	@echo "make backfill SINCE=YYYY-MM-DD UNTIL=YYYY-MM-DD [SOURCES=a,b] [UNPAUSE=1]  daily runs of those days on the running stack, with progress"
	@echo "make down   stop what the project started;  make clean  also remove .data/"
	@$(ENV) echo "ports      PostgreSQL 127.0.0.1:$${NEWS_PG_PORT:-54329} (NEWS_PG_PORT), Airflow UI $${NEWS_AIRFLOW_PORT:-8080} (NEWS_AIRFLOW_PORT), log servers $${NEWS_AIRFLOW_LOG_PORT:-8793}+1 (NEWS_AIRFLOW_LOG_PORT, only with NEWS_AIRFLOW_HOST off loopback); remembered in .data/ports.env"

venv:
	@tools/bootstrap.sh

# The local PostgreSQL cluster, unless both connections are configured elsewhere.
db: venv
	@if [ -n "$${NEWS_WAREHOUSE_DSN:-}$${AIRFLOW_CONN_NEWS_WAREHOUSE:-}" ] && [ -n "$${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-}" ]; then \
	  echo "[pg] using the configured connections; no local cluster"; else tools/pg.sh up; fi

migrate: db
	@$(ENV) python -m common.migrate

airflow-db: db
	@$(ENV) tools/airflow_db.sh

setup: migrate airflow-db

demo: setup
	@$(ENV) tools/demo.sh "$(DEMO_DATE)" "$(DEMO_ARCHIVE)"

# The code checks: lint (ruff), types (mypy), import directions (import-linter's contracts in pyproject.toml).
lint: venv
	@$(ENV) ruff check --quiet . && mypy && lint-imports --no-cache >/dev/null && echo "[lint] ruff, mypy, import contracts: clean"

test: setup lint
	@$(ENV) python -m pytest $(PYTEST_ARGS)

# The quick lane while working: no Airflow runs, no Scrapy child crawls, no whole-corpus scoring; every core.
test-fast: setup
	@$(ENV) python -m pytest -q -m "not airflow and not crawl and not corpus" -n auto $(PYTEST_ARGS)

psql: db
	@$(ENV) tools/psql.sh

# Score extraction against a corpus of saved pages (default: each set in ../shared/corpus); fails below
# the floors in bench/eval_floors.toml.
CORPUS ?=
eval: venv
	@$(ENV) python -m bench.evaluate $(if $(CORPUS),--corpus "$(CORPUS)")

# What each body rule did over the same corpus: pages and publishers it helped and harmed (bench/rule_ledger.py).
eval-rules: venv
	@$(ENV) python -m bench.rule_ledger $(if $(CORPUS),--corpus "$(CORPUS)")

# Benchmark: N article pages (shared/corpus, else the demo's) through each stage and end to end.
# STAGE=scale: load rate and mart query times at 10,000 and 1,000,000 articles (bench/scale.py);
# STAGE=celery: news_backfill on 1 and 2 Celery workers (bench/celery_backfill.py).
N ?= 5000
STAGE ?=
bench: setup
	@case "$(STAGE)" in \
	  "") $(ENV) python -m bench.run --n $(N) ;; \
	  scale) $(ENV) python -m bench.scale ;; \
	  celery) $(ENV) python -m bench.celery_backfill ;; \
	  *) echo "make bench: STAGE is scale, celery or empty (the main stages), not '$(STAGE)'" >&2; exit 2 ;; \
	esac

# Rebuild the demo's replay archive from demo/site/.
archive: venv
	@$(ENV) python demo/build_archive.py

# Two locks: requirements.lock (runtime: the production image installs it) and
# requirements-dev.lock (runtime + tests and code checks: .venv), resolved with the runtime lock
# as constraints, so every package both hold has one version.
lock: venv
	@$(call compile_lock,requirements.txt,requirements.lock,)
	@$(call compile_lock,requirements-dev.txt,requirements-dev.lock,-c requirements.lock)

# uv keeps the versions already in the output file unless they must change.
define compile_lock
	cp $(2) $(2).new; \
	.venv/bin/uv pip compile $(1) $(3) -p 3.11 --no-header -o $(2).new -q; \
	{ echo '# Lock file generated from $(1) by `make lock` (uv pip compile). Do not edit by hand.'; grep -v '^# Lock file generated' $(2).new; } > $(2); \
	rm $(2).new
endef

# The local stack: PostgreSQL and Airflow (api-server/UI, scheduler, dag-processor, triggerer).
up: setup
	@$(ENV) $(if $(RESTART),NEWS_STACK_RESTART=1) tools/stack.sh up

# Backfill news_daily on the running stack: one run a day from SINCE through UNTIL (04:00 UTC,
# each loading the 24 hours before), optionally SOURCES=a,b; UNPAUSE=1 switches a paused DAG on.
backfill:
	@[ -n "$(SINCE)" ] && [ -n "$(UNTIL)" ] || { echo "usage: make backfill SINCE=YYYY-MM-DD UNTIL=YYYY-MM-DD [SOURCES=a,b] [UNPAUSE=1]" >&2; exit 2; }
	@$(ENV) python tools/airflow_api.py backfill news_daily --since "$(SINCE)" --until "$(UNTIL)" \
	  $(if $(SOURCES),--sources "$(SOURCES)") $(if $(UNPAUSE),--unpause) --wait

# Airflow first (its tasks write to PostgreSQL), then PostgreSQL unless it is configured elsewhere.
down:
	@tools/stack.sh down
	@if [ -n "$${NEWS_WAREHOUSE_DSN:-}$${AIRFLOW_CONN_NEWS_WAREHOUSE:-}" ] && [ -n "$${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-}" ]; then \
	  echo "[pg] using the configured connections; no local cluster to stop"; else tools/pg.sh down; fi

clean: down
	@tools/pg.sh clean
	rm -rf .data

# Export marts.articles and marts.story_articles to Parquet in the archive store, partitioned by
# source and UTC day: make export SINCE=2026-11-01 UNTIL=2026-12-01 (UNTIL exclusive).
SINCE ?=
UNTIL ?=
export: migrate
	@if [ -z "$(SINCE)" ] || [ -z "$(UNTIL)" ]; then echo "make export: give SINCE=YYYY-MM-DD UNTIL=YYYY-MM-DD (UNTIL exclusive)" >&2; exit 2; fi
	@$(ENV) python -m dags.tasks.export --since "$(SINCE)" --until "$(UNTIL)"
