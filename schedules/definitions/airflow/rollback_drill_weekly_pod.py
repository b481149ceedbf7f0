"""rollback_drill_weekly_pod: rollback_drill_weekly.py, each task in a pod of the job image
(KubernetesPodOperator; the result in /airflow/xcom/return.json). schedules/README.md.
"""

from __future__ import annotations

import pendulum
from airflow import DAG
from airflow.models.param import Param
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

from rollback_jobs_commands import DRILL_COMMAND, REPORT_COMMAND, SYSTEM_PATTERN
from rollback_jobs_operators import IMAGE_LAUNCHER, pod_arguments, pod_defaults

ENV = {
    "ROLLBACK_JOBS": IMAGE_LAUNCHER,
    "SYSTEM": "{{ params.system }}",
    "INJECT": "{{ params.inject }}",
    "ACTOR": "airflow/{{ dag.dag_id }}",
    "REASON": "weekly drill {{ ds }} ({{ run_id }})",
    "JAVA_OPTS": "-XX:MaxRAMPercentage=50",
}

with DAG(
    dag_id="rollback_drill_weekly_pod",
    description="Rehearse the rollback of a system in a sandbox, weekly, in pods of the job image",
    schedule="0 3 * * 1",
    start_date=pendulum.datetime(2026, 1, 5, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "system": Param("support-search", type="string", pattern=SYSTEM_PATTERN),
        "inject": Param("bad-load", enum=["none", "bad-load", "stale-features", "mixed-embeddings"]),
    },
    tags=["rollback-jobs"],
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
