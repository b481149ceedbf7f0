"""rollback_on_demand: rolls a system back to a manifest when triggered, on an Airflow worker that has the job suite
(BashOperator). The same in a pod: rollback_on_demand_pod.py. schedules/README.md.

Trigger with conf {"system": "support-search", "manifest": "previous", "reason": "incident-42: bad load"}
(manifest: an id or previous). The plan task fails with exit 4 while approvals are missing: its XCom holds the
plan id to approve ('rollback-jobs approve --plan ID ...'); trigger again once approved.
"""

from __future__ import annotations

import pendulum
from airflow import DAG
from airflow.models.param import Param

from rollback_jobs_commands import PLAN_COMMAND, ROLLBACK_COMMAND, SYSTEM_PATTERN
from rollback_jobs_operators import LAUNCHER, RollbackJobsBashOperator

ENV = {
    "ROLLBACK_JOBS": LAUNCHER,
    "SYSTEM": "{{ params.system }}",
    "MANIFEST": "{{ params.manifest }}",
    "REASON": "{{ params.reason }}",
    "ACTOR": "airflow/{{ dag.dag_id }}/{{ run_id }}",
}

with DAG(
    dag_id="rollback_on_demand",
    description="Roll a system back to a manifest: plan and guards, then the verified rollback",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 5, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "system": Param(type="string", pattern=SYSTEM_PATTERN),
        "manifest": Param("previous", type="string", pattern="^([0-9]+|previous)$"),
        "reason": Param(type="string", minLength=1),
    },
    tags=["rollback-jobs"],
) as dag:
    plan = RollbackJobsBashOperator(task_id="plan", bash_command=PLAN_COMMAND, env=ENV)
    rollback = RollbackJobsBashOperator(
        task_id="rollback",
        bash_command=ROLLBACK_COMMAND,
        env=ENV,
        execution_timeout=pendulum.duration(hours=2),
    )
    plan >> rollback
