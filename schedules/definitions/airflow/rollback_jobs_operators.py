"""How the rollback-jobs DAGs run the job suite: on the worker (BashOperator) or in a pod of the job image
(KubernetesPodOperator). The command lines are in rollback_jobs_commands.py.

Airflow 2.7+ and 3 (BashOperator from the standard provider there); KubernetesPodOperator from
apache-airflow-providers-cncf-kubernetes.
"""

from __future__ import annotations

import json
from functools import cached_property

import pendulum
from airflow.exceptions import AirflowException, AirflowSkipException

try:  # Airflow 3
    from airflow.providers.standard.hooks.subprocess import SubprocessHook
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2
    from airflow.hooks.subprocess import SubprocessHook
    from airflow.operators.bash import BashOperator

try:  # Airflow 3
    from airflow.sdk import Param
except ImportError:  # Airflow 2
    from airflow.models.param import Param

from rollback_jobs_commands import SYSTEM_PATTERN, pod_script

# Where the job suite is on the workers (BashOperator); Airflow Variable rollback_jobs_launcher.
LAUNCHER = "{{ var.value.get('rollback_jobs_launcher', '/opt/rollback-jobs/bin/rollback-jobs') }}"
# The job image (mvn -Pimage; KubernetesPodOperator); Airflow Variable rollback_jobs_image.
IMAGE = "{{ var.value.get('rollback_jobs_image', 'rollback-jobs:0.1.0-SNAPSHOT') }}"
# The launcher inside the job image.
IMAGE_LAUNCHER = "/opt/rollback/bin/rollback-jobs"


# What every rollback-jobs DAG has: no runs made up for the past (the next drill is as good as a missed one), one
# run at a time (the system's lock would refuse a second one anyway: exit 4).
DAG_DEFAULTS = dict(
    start_date=pendulum.datetime(2026, 1, 5, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["rollback-jobs"],
)
# The params of the weekly drill (a manual run may change them) and of the on-demand rollback (its trigger's conf).
DRILL_PARAMS = {
    "system": Param("support-search", type="string", pattern=SYSTEM_PATTERN),
    "inject": Param("bad-load", enum=["none", "bad-load", "stale-features", "mixed-embeddings"]),
}
ROLLBACK_PARAMS = {
    "system": Param(type="string", pattern=SYSTEM_PATTERN),
    "manifest": Param("previous", type="string", pattern="^([0-9]+|previous)$"),
    "reason": Param(type="string", minLength=1),
}


def parse_result(line: str):
    """The XCom of a task: the command's --json result as an object, else the line as it is."""
    try:
        return json.loads(line)
    except ValueError:
        return line


class _LastResultHook(SubprocessHook):
    """A SubprocessHook that keeps its last result, so that the result of a failed command is still at hand."""

    last = None

    def run_command(self, *args, **kwargs):
        self.last = super().run_command(*args, **kwargs)
        return self.last


class RollbackJobsBashOperator(BashOperator):
    """BashOperator for the job suite's commands: exit 0 succeeds, every other exit code fails the task (none of
    the job suite's exit codes means skip: skip_on_exit_code=None, so that not even 99 does), and the last stdout
    line, the --json result, is the task's XCom return_value, also when the task fails (exit 3 and 4 say why in
    it: findings, refused guards, the plan id to approve)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("skip_on_exit_code", None)
        kwargs.setdefault("output_processor", parse_result)
        kwargs.setdefault("append_env", True)  # the worker's environment: SPRING_DATASOURCE_*, ROLLBACK_*, JAVA_HOME
        super().__init__(**kwargs)

    @cached_property
    def subprocess_hook(self):
        return _LastResultHook()

    def execute(self, context):
        try:
            return super().execute(context)
        except AirflowSkipException:
            raise
        except AirflowException:
            result = self.subprocess_hook.last
            if result is not None and self.do_xcom_push:
                context["ti"].xcom_push(key="return_value", value=parse_result(result.output))
            raise


def pod_arguments(command: str) -> list[str]:
    """KubernetesPodOperator's cmds and arguments for a command: see rollback_jobs_commands.pod_script."""
    return [pod_script(command)]


POD_CMDS = ["/bin/bash", "-c"]


def pod_defaults() -> dict:
    """What every pod of the job image gets, as in schedules/definitions/kubernetes/drill-cronjob.yaml: the
    database and catalog from the Secret rollback-jobs, the system files from the ConfigMap rollback-systems, the
    Iceberg warehouse from the PersistentVolumeClaim rollback-warehouse, and resources sized from measured drills
    (schedules/README.md, Kubernetes)."""
    from kubernetes.client import models as k8s

    return dict(
        image=IMAGE,
        cmds=POD_CMDS,
        namespace="{{ var.value.get('rollback_jobs_namespace', 'rollback') }}",
        env_from=[k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name="rollback-jobs"))],
        container_resources=k8s.V1ResourceRequirements(
            requests={"cpu": "500m", "memory": "768Mi"}, limits={"memory": "1536Mi"}
        ),
        volumes=[
            k8s.V1Volume(name="systems", config_map=k8s.V1ConfigMapVolumeSource(name="rollback-systems")),
            k8s.V1Volume(
                name="warehouse",
                persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name="rollback-warehouse"),
            ),
        ],
        volume_mounts=[
            k8s.V1VolumeMount(name="systems", mount_path="/etc/rollback/systems", read_only=True),
            k8s.V1VolumeMount(name="warehouse", mount_path="/var/lib/rollback/warehouse"),
        ],
        do_xcom_push=True,  # the sidecar reads /airflow/xcom/return.json
        skip_on_exit_code=None,
        get_logs=True,
        on_finish_action="delete_pod",
    )
