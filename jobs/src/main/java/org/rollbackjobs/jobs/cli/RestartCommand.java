package org.rollbackjobs.jobs.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.rollbackjobs.jobs.index.RebuildIndexJobConfiguration;
import org.rollbackjobs.jobs.index.RebuildIndexReport;
import org.rollbackjobs.jobs.index.RebuildIndexService;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.restore.RestoreJobConfiguration;
import org.rollbackjobs.jobs.restore.RestoreReport;
import org.rollbackjobs.jobs.restore.RestoreService;
import org.rollbackjobs.jobs.restore.RestoreService.RestoreOutcome;
import org.rollbackjobs.jobs.retrain.RetrainJobConfiguration;
import org.rollbackjobs.jobs.retrain.RetrainReport;
import org.rollbackjobs.jobs.retrain.RetrainService;
import org.rollbackjobs.jobs.rollback.RollbackOutcome;
import org.rollbackjobs.jobs.rollback.RollbackReport;
import org.rollbackjobs.jobs.rollback.RollbackService;
import org.rollbackjobs.jobs.rollback.SystemRollbackJobConfiguration;
import org.springframework.batch.core.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "restart", mixinStandardHelpOptions = true,
    description = "Restarts a failed job execution from where it stopped, with its original parameters."
        + " A completed execution has nothing to restart (exit 0).")
class RestartCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(names = "--execution", required = true, paramLabel = "ID", description = "The failed job execution.")
  long executionId;

  @Autowired JobRunner jobRunner;
  @Autowired RestoreService restoreService;
  @Autowired RebuildIndexService rebuildIndexService;
  @Autowired RetrainService retrainService;
  @Autowired RollbackService rollbackService;

  @Override
  public Integer call() {
    JobExecution previous = jobRunner.execution(executionId);
    String job = previous.getJobInstance().getJobName();
    JobExecution latest = jobRunner.latestOfInstance(previous);
    if (!JobRunner.restartable(latest) && !latest.isRunning()) { // a running one is refused by restart()
      Map<String, Object> json = Output.result("restart", "noop", ExitCodes.OK);
      json.put("job-execution-id", latest.getId());
      json.put("job", job);
      json.put("execution-status", latest.getStatus().name());
      String which = latest.getId().equals(previous.getId()) ? "" : " (its latest execution, " + latest.getId() + ")";
      Output.print(spec, output, json, "Job execution " + executionId + which + " of " + job + " is "
          + latest.getStatus() + ": nothing to restart.");
      return ExitCodes.OK;
    }
    if (RestoreJobConfiguration.JOB_NAME.equals(job)) {
      RestoreOutcome outcome = restoreService.restart(executionId);
      var result = outcome.result();
      Map<String, Object> json = RestoreReport.json(outcome.outcome(), ExitCodes.OK, result.plan(),
          result.newCurrentSnapshotId(), result.duration(), outcome.jobExecutionId());
      json.put("restarted-execution-id", executionId);
      Output.print(spec, output, json, "Restarted job execution " + executionId + ".\n"
          + RestoreReport.resultText(result.plan(), result.newCurrentSnapshotId(), result.duration(),
              outcome.jobExecutionId()));
      return ExitCodes.OK;
    }
    if (RebuildIndexJobConfiguration.JOB_NAME.equals(job)) {
      RebuildIndexService.RebuildOutcome outcome = rebuildIndexService.restart(executionId);
      String index = latest.getJobParameters().getString("index");
      Map<String, Object> json = RebuildIndexReport.resultJson(outcome, index);
      json.put("restarted-execution-id", executionId);
      Output.print(spec, output, json, "Restarted job execution " + executionId + ".\n"
          + RebuildIndexReport.resultText(outcome, index));
      return ExitCodes.OK;
    }
    if (RetrainJobConfiguration.JOB_NAME.equals(job)) {
      RetrainService.RetrainOutcome outcome = retrainService.restart(executionId);
      Map<String, Object> json = RetrainReport.resultJson(outcome);
      json.put("restarted-execution-id", executionId);
      Output.print(spec, output, json, "Restarted job execution " + executionId + ".\n"
          + RetrainReport.resultText(outcome));
      return outcome.exitCode();
    }
    if (SystemRollbackJobConfiguration.JOB_NAME.equals(job)) {
      RollbackOutcome outcome = rollbackService.restart(executionId);
      Map<String, Object> json = RollbackReport.json(outcome);
      json.put("restarted-execution-id", executionId);
      if (outcome.error() != null && outcome.exitCode() != ExitCodes.OK) {
        spec.commandLine().getErr().println("error: " + outcome.error());
      }
      Output.print(spec, output, json, "Restarted job execution " + executionId + ".\n" + RollbackReport.text(outcome));
      return outcome.exitCode();
    }
    JobExecution execution = jobRunner.restart(executionId);
    int code = JobRunner.restartable(execution) ? ExitCodes.FAILED : ExitCodes.OK;
    Map<String, Object> json = Output.result("restart", execution.getStatus().name().toLowerCase(), code);
    json.put("job-execution-id", execution.getId());
    json.put("restarted-execution-id", executionId);
    Output.print(spec, output, json, "Restarted job execution " + executionId + " as " + execution.getId() + ": "
        + execution.getStatus());
    return code;
  }
}
