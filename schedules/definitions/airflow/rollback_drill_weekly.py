"""rollback_drill_weekly: a rollback drill every Monday at 03:00 UTC, on an Airflow worker that has the job suite
(BashOperator), then the drill report. The same in a pod: rollback_drill_weekly_pod.py. schedules/README.md.

Params (a manual run may change them): system, inject (none, bad-load, stale-features, mixed-embeddings).
"""

from __future__ import annotations

import pendulum
from airflow import DAG
from airflow.models.param import Param

from rollback_jobs_commands import DRILL_COMMAND, REPORT_COMMAND, SYSTEM_PATTERN
from rollback_jobs_operators import LAUNCHER, RollbackJobsBashOperator

ENV = {
    "ROLLBACK_JOBS": LAUNCHER,
    "SYSTEM": "{{ params.system }}",
    "INJECT": "{{ params.inject }}",
    "ACTOR": "airflow/{{ dag.dag_id }}",
    "REASON": "weekly drill {{ ds }} ({{ run_id }})",
}

with DAG(
    dag_id="rollback_drill_weekly",
    description="Rehearse the rollback of a system in a sandbox, weekly; then the drill report",
    schedule="0 3 * * 1",
    start_date=pendulum.datetime(2026, 1, 5, tz="UTC"),
    catchup=False,  # a missed week is not made up: the next drill is as good
    max_active_runs=1,  # the system's lock refuses a second drill anyway (exit 4)
    params={
        "system": Param("support-search", type="string", pattern=SYSTEM_PATTERN),
        "inject": Param("bad-load", enum=["none", "bad-load", "stale-features", "mixed-embeddings"]),
    },
    tags=["rollback-jobs"],
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
