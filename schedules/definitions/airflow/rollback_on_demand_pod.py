"""rollback_on_demand_pod: rollback_on_demand.py, each task in a pod of the job image (KubernetesPodOperator;
the result in /airflow/xcom/return.json). Trigger with conf {"system": ..., "manifest": ..., "reason": ...}.
"""

from __future__ import annotations

import pendulum
from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

from rollback_jobs_commands import PLAN_COMMAND, ROLLBACK_COMMAND, ROLLBACK_ENV
from rollback_jobs_operators import DAG_DEFAULTS, IMAGE_LAUNCHER, ROLLBACK_PARAMS, pod_arguments, pod_defaults

ENV = {"ROLLBACK_JOBS": IMAGE_LAUNCHER, "JAVA_OPTS": "-XX:MaxRAMPercentage=50", **ROLLBACK_ENV}

with DAG(
    dag_id="rollback_on_demand_pod",
    description="Roll a system back to a manifest in pods of the job image: plan and guards, then the rollback",
    schedule=None,
    params=ROLLBACK_PARAMS,
    **DAG_DEFAULTS,
) as dag:
    plan = KubernetesPodOperator(
        task_id="plan",
        name="rollback-plan",
        arguments=pod_arguments(PLAN_COMMAND),
        env_vars=ENV,
        **pod_defaults(),
    )
    rollback = KubernetesPodOperator(
        task_id="rollback",
        name="rollback",
        arguments=pod_arguments(ROLLBACK_COMMAND),
        env_vars=ENV,
        execution_timeout=pendulum.duration(hours=2),
        **pod_defaults(),
    )
    plan >> rollback
