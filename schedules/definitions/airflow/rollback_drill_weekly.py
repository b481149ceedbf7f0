"""rollback_drill_weekly: a rollback drill every Monday at 03:00 UTC, on an Airflow worker that has the job suite
(BashOperator), then the drill report. The same in a pod: rollback_drill_weekly_pod.py. schedules/README.md.

Params (a manual run may change them): system, inject (none, bad-load, stale-features, mixed-embeddings).
"""

from __future__ import annotations

import pendulum
from airflow import DAG

from rollback_jobs_commands import DRILL_COMMAND, DRILL_ENV, REPORT_COMMAND
from rollback_jobs_operators import DAG_DEFAULTS, DRILL_PARAMS, LAUNCHER, RollbackJobsBashOperator

ENV = {"ROLLBACK_JOBS": LAUNCHER, **DRILL_ENV}

with DAG(
    dag_id="rollback_drill_weekly",
    description="Rehearse the rollback of a system in a sandbox, weekly; then the drill report",
    schedule="0 3 * * 1",
    params=DRILL_PARAMS,
    **DAG_DEFAULTS,
) as dag:
    drill = RollbackJobsBashOperator(
        task_id="drill",
        bash_command=DRILL_COMMAND,
        env=ENV,
        execution_timeout=pendulum.duration(hours=2),
    )
    report = RollbackJobsBashOperator(
        task_id="report",
        bash_command=REPORT_COMMAND,
        env=ENV,
        trigger_rule="all_done",  # the report also after a failed drill
    )
    drill >> report
