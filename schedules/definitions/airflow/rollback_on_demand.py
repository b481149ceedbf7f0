"""rollback_on_demand: rolls a system back to a manifest when triggered, on an Airflow worker that has the job suite
(BashOperator). The same in a pod: rollback_on_demand_pod.py. schedules/README.md.

Trigger with conf {"system": "support-search", "manifest": "previous", "reason": "incident-42: bad load"}
(manifest: an id or previous). The plan task fails with exit 4 while approvals are missing: its XCom holds the
plan id to approve ('rollback-jobs approve --plan ID ...'); trigger again once approved.
"""

from __future__ import annotations

import pendulum
from airflow import DAG

from rollback_jobs_commands import PLAN_COMMAND, ROLLBACK_COMMAND, ROLLBACK_ENV
from rollback_jobs_operators import DAG_DEFAULTS, LAUNCHER, ROLLBACK_PARAMS, RollbackJobsBashOperator

ENV = {"ROLLBACK_JOBS": LAUNCHER, **ROLLBACK_ENV}

with DAG(
    dag_id="rollback_on_demand",
    description="Roll a system back to a manifest: plan and guards, then the verified rollback",
    schedule=None,
    params=ROLLBACK_PARAMS,
    **DAG_DEFAULTS,
) as dag:
    plan = RollbackJobsBashOperator(task_id="plan", bash_command=PLAN_COMMAND, env=ENV)
    rollback = RollbackJobsBashOperator(
        task_id="rollback",
        bash_command=ROLLBACK_COMMAND,
        env=ENV,
        execution_timeout=pendulum.duration(hours=2),
    )
    plan >> rollback
