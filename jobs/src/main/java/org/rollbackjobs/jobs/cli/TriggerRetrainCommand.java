package org.rollbackjobs.jobs.cli;

import java.util.concurrent.Callable;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.retrain.RetrainReport;
import org.rollbackjobs.jobs.retrain.RetrainService;
import org.rollbackjobs.jobs.retrain.RetrainService.RetrainOutcome;
import org.rollbackjobs.jobs.retrain.RetrainService.RetrainPlan;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "trigger-retrain", mixinStandardHelpOptions = true,
    description = {
        "Emits a retrain request for a model of a system: the model, its version, the manifest and the dataset"
            + " and feature snapshots the manifest pins for it, the reason.",
        "Delivered to an outbox table in PostgreSQL (always), and to the model's webhook and/or Airflow DAG"
            + " (trigger: in the system file), with retries. Exactly once per request key: running the same"
            + " trigger again delivers nothing new and retries only the channels that have not delivered it.",
        "Exit 0 when every channel delivered the request, 1 when one failed (run it again to retry)."})
class TriggerRetrainCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin SystemOptions systemOptions;

  @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model (models: in the system file).")
  String model;

  @Option(names = "--manifest", paramLabel = "ID",
      description = "The manifest whose pinned snapshots the model must train on (default: the latest not retired).")
  Long manifestId;

  @Mixin ChangeOptions change;

  @Autowired SystemCatalog systems;
  @Autowired RetrainService retrainService;

  @Override
  public void validate() {
    systemOptions.require();
    if (!SystemDefinition.NAME.matcher(model).matches()) {
      throw new BadInputException("--model " + BadInputException.shown(model) + " is not a model name (lower-case"
          + " letters, digits, '_', '-', '.'; at most 63 characters)");
    }
  }

  @Override
  public Integer call() {
    SystemDefinition system = systemOptions.load(systems);
    if (change.dryRun()) {
      RetrainPlan plan = retrainService.plan(system, model, manifestId, change.reason(), change.actor());
      Output.print(spec, output, RetrainReport.planJson(plan), RetrainReport.planText(plan));
      return ExitCodes.OK;
    }
    RetrainOutcome outcome = retrainService.trigger(system, model, manifestId, change.reason(), change.actor());
    if (outcome.error() != null) {
      spec.commandLine().getErr().println("error: " + outcome.error());
      spec.commandLine().getErr().flush();
    }
    Output.print(spec, output, RetrainReport.resultJson(outcome), RetrainReport.resultText(outcome));
    return outcome.exitCode();
  }
}
