"""The health pages' side of Airflow: who is asking, may they start the source's DAG, start it.

Airflow does not authenticate a plugin's FastAPI app (it is mounted, and a mount inherits none
of the core API's dependencies), so every route depends on ``current_user``: Airflow's own
``get_user``, which reads the UI's session cookie or an ``Authorization: Bearer`` token.
Everything here runs inside the API server, which holds Airflow's configuration and metadata
database, so runs are created the way the UI's trigger button creates them, never unpausing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from airflow.api_fastapi.core_api.security import get_user

log = logging.getLogger(__name__)

current_user = get_user  # the FastAPI dependency: 401 without a login, 403 with a bad token


def user_name(user: Any) -> str:
    return str(user.get_name())


def may_trigger(user: Any, dag_id: str) -> bool:
    """Whether the user may create runs of the DAG (the permission the UI's trigger button needs)."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

    return bool(get_auth_manager().is_authorized_dag(
        method="POST", access_entity=DagAccessEntity.RUN, details=DagDetails(id=dag_id), user=user))


@dataclass(frozen=True)
class Triggered:
    dag_id: str
    run_id: str
    paused: bool  # the run waits until someone unpauses the DAG


class DagNotAvailable(RuntimeError):
    """The DAG is not (yet) in Airflow's metadata: the DAG processor has not parsed it."""


def trigger_source_run(dag_id: str, source: str, user: str, urls: int) -> Triggered:
    """A manual run of the DAG crawling only ``source`` (params.sources); its crawl fetches the
    ledger's due URLs first. A paused DAG stays paused: unpausing is the user's explicit act."""
    from airflow.api.common.trigger_dag import trigger_dag
    from airflow.models.dag import DagModel
    from airflow.utils.types import DagRunTriggeredByType

    dag_model = DagModel.get_current(dag_id)
    if dag_model is None:
        raise DagNotAvailable(f"DAG {dag_id} is not in Airflow yet (has the DAG processor parsed it?)")
    # A logical date, as the UI's trigger button gives: the run's window is the 24 hours before
    # it (a run without one has no window and its plan task fails).
    run = trigger_dag(dag_id, triggered_by=DagRunTriggeredByType.UI, triggering_user_name=user,
                      conf={"sources": [source]}, logical_date=datetime.now(UTC),
                      note=f"Retry of {urls} failed URL(s) of {source}, chosen by {user} on the health page")
    if run is None:
        raise DagNotAvailable(f"Airflow created no run of {dag_id}")
    log.info("%s: run %s of %s triggered by %s to retry %d URL(s)", source, run.run_id, dag_id, user, urls)
    return Triggered(dag_id, str(run.run_id), bool(dag_model.is_paused))
