package org.rollbackjobs.jobs.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.rollback.RollbackApprovals;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "approve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Records one person's approval of one rollback plan in one role (the roles a level needs:"
            + " rollback.approval.level-N).",
        "An approval counts for that plan id only: if the system changes, the plan id changes and the rollback asks"
            + " again. A rollback needs one approval per required role, by distinct people, none of them its actor."})
class ApproveCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin SystemOptions system;

  @Option(names = "--plan", required = true, paramLabel = "PLAN-ID", description = "The plan id ('rollback --dry-run' prints it).")
  String planId;

  @Option(names = "--approver", required = true, paramLabel = "NAME", description = "Who approves.")
  String approver;

  @Option(names = "--role", required = true, paramLabel = "ROLE", description = "In which role, e.g. data-engineering-lead.")
  String role;

  @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; recorded with the approval.")
  String reason;

  @Autowired SystemCatalog systems;
  @Autowired RollbackApprovals approvals;

  @Override
  public void validate() {
    system.require();
    if (!planId.matches("plan-[0-9a-f]{16}")) {
      throw new ParameterException(spec.commandLine(), "--plan '" + planId + "' is not a plan id (plan- and 16 hex"
          + " digits, as 'rollback --dry-run' prints it)");
    }
    if (approver.isBlank() || role.isBlank() || reason.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--approver, --role and --reason must not be blank");
    }
  }

  @Override
  public Integer call() {
    String name = system.load(systems).name();
    RollbackApprovals.Approved approved = approvals.approve(name, planId, approver, role, reason);
    Map<String, Object> json = Output.result("approve", approved.recorded() ? "completed" : "noop", ExitCodes.OK);
    json.put("system", name);
    json.put("plan-id", planId);
    json.put("level", approved.plan().level());
    json.put("manifest-id", approved.plan().manifestId());
    json.put("approver", approver);
    json.put("role", role);
    json.put("approved-at", approved.approval().approvedAt().toString());
    Output.print(spec, output, json, (approved.recorded() ? "Approved" : "Already approved") + " plan " + planId
        + " (level " + approved.plan().level() + ", rollback of " + name + " to manifest "
        + approved.plan().manifestId() + ") by " + approver + " as " + role + ".");
    return ExitCodes.OK;
  }
}
