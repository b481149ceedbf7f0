"""The job suite's command lines that the rollback-jobs DAGs run, and how a pod hands its result to XCom.

No Airflow import here: the tests of schedules/ import this module, and run every command line below against the
job JAR (schedules/src/test/java/.../definitions/AirflowDagsTest.java).

Each command is a bash command line. "$ROLLBACK_JOBS" is the job suite's launcher (jobs/bin/rollback-jobs on a
worker, /opt/rollback/bin/rollback-jobs in the job image); every value a DAG run may choose (its params, from the
trigger's conf) reaches the command through an environment variable, never through the text of the command, so
that no conf value is ever read by the shell as code.

The job suite's exit codes (docs/commands): 0 success; 1 failed; 2 bad input; 3 mixed-version state left (a drill:
also a fault that verify did not detect); 4 refused by a guard (another rollback or drill of the system runs,
readiness, approvals missing). Every non-zero exit fails the task. With --json the last line of stdout is one JSON
object, the task's XCom (return_value), also when the task fails.
"""

from __future__ import annotations

# A system's name, as the job suite accepts it (SystemDefinition.NAME): the pattern of the DAGs' system param.
SYSTEM_PATTERN = "^[a-z0-9][a-z0-9_.-]{0,62}$"

# The weekly drill: rehearses the rollback of $SYSTEM in a sandbox, with the fault $INJECT (docs/drills.md).
DRILL_COMMAND = (
    '"$ROLLBACK_JOBS" drill --system "$SYSTEM" --inject "$INJECT" --actor "$ACTOR" --reason "$REASON" --json'
)
# After the drill, passed or not: pass rate, staleness and time-to-rollback of the system's drills.
REPORT_COMMAND = '"$ROLLBACK_JOBS" report --system "$SYSTEM" --since 35d --json'
# On demand: the plan first (plan id, level, guards; changes nothing). Exit 4 when approvals are missing: the
# plan id in its XCom is the one to approve ('approve --plan ID'), then trigger the DAG again.
PLAN_COMMAND = (
    '"$ROLLBACK_JOBS" rollback --system "$SYSTEM" --to-manifest "$MANIFEST" --actor "$ACTOR" --reason "$REASON"'
    " --dry-run --json"
)
# Then the rollback itself: one restartable flow, verified at its end (exit 3 when mixed-version state remains).
ROLLBACK_COMMAND = (
    '"$ROLLBACK_JOBS" rollback --system "$SYSTEM" --to-manifest "$MANIFEST" --actor "$ACTOR" --reason "$REASON"'
    " --json"
)

# The values the commands get, per DAG run (Jinja, rendered by Airflow): the drill's and the on-demand rollback's.
DRILL_ENV = {
    "SYSTEM": "{{ params.system }}",
    "INJECT": "{{ params.inject }}",
    "ACTOR": "airflow/{{ dag.dag_id }}",
    "REASON": "weekly drill {{ ds }} ({{ run_id }})",
}
ROLLBACK_ENV = {
    "SYSTEM": "{{ params.system }}",
    "MANIFEST": "{{ params.manifest }}",
    "REASON": "{{ params.reason }}",
    "ACTOR": "airflow/{{ dag.dag_id }}/{{ run_id }}",
}

COMMANDS = {
    "DRILL_COMMAND": DRILL_COMMAND,
    "REPORT_COMMAND": REPORT_COMMAND,
    "PLAN_COMMAND": PLAN_COMMAND,
    "ROLLBACK_COMMAND": ROLLBACK_COMMAND,
}

# Where KubernetesPodOperator's XCom sidecar reads a pod's result.
XCOM_RETURN = "/airflow/xcom/return.json"


def pod_script(command: str, xcom_return: str = XCOM_RETURN) -> str:
    """The bash script a pod runs for `command`: its output goes to the log as it comes, its last stdout line (the
    --json result; JSON null when that line is not a JSON object, e.g. after a crash) to `xcom_return`, and the
    pod exits with the command's exit code."""
    return (
        "set -o pipefail\n"
        f'mkdir -p "$(dirname {xcom_return})"\n'
        f"{command} | tee /tmp/rollback-jobs.out\n"
        "code=$?\n"
        "last=$(tail -n 1 /tmp/rollback-jobs.out)\n"
        'case "$last" in "{"*) printf \'%s\\n\' "$last" ;; *) echo null ;; esac'
        f" > {xcom_return}\n"
        'exit "$code"\n'
    )
