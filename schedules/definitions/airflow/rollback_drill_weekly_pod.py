"""rollback_drill_weekly_pod: rollback_drill_weekly.py, each task in a pod of the job image
(KubernetesPodOperator; the result in /airflow/xcom/return.json). schedules/README.md.
"""

from __future__ import annotations

import pendulum
from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

from rollback_jobs_commands import DRILL_COMMAND, DRILL_ENV, REPORT_COMMAND
from rollback_jobs_operators import DAG_DEFAULTS, DRILL_PARAMS, IMAGE_LAUNCHER, pod_arguments, pod_defaults

ENV = {"ROLLBACK_JOBS": IMAGE_LAUNCHER, "JAVA_OPTS": "-XX:MaxRAMPercentage=50", **DRILL_ENV}

with DAG(
    dag_id="rollback_drill_weekly_pod",
    description="Rehearse the rollback of a system in a sandbox, weekly, in pods of the job image",
    schedule="0 3 * * 1",
    params=DRILL_PARAMS,
    **DAG_DEFAULTS,
) as dag:
    drill = KubernetesPodOperator(
        task_id="drill",
        name="rollback-drill",
        arguments=pod_arguments(DRILL_COMMAND),
        env_vars=ENV,
        execution_timeout=pendulum.duration(hours=2),
        **pod_defaults(),
    )
    report = KubernetesPodOperator(
        task_id="report",
        name="rollback-drill-report",
        arguments=pod_arguments(REPORT_COMMAND),
        env_vars=ENV,
        trigger_rule="all_done",
        **pod_defaults(),
    )
    drill >> report
