package org.rollbackjobs.jobs.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.jobs.audit.AuditEntry;
import org.rollbackjobs.jobs.audit.AuditLog;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "history", mixinStandardHelpOptions = true,
    description = "Lists the audit log, latest first: who ran what, why, when, and the outcome. Read-only.")
class HistoryCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(names = "--limit", defaultValue = "50", paramLabel = "N", description = "At most N records (default 50).")
  int limit;

  @Option(names = "--table", paramLabel = "NS.TABLE", description = "Only records about this table.")
  String subject;

  @Autowired AuditLog auditLog;

  @Override
  public void validate() {
    if (limit < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
    }
    if (subject != null) {
      subject = TableName.parse("--table", subject).toString();
    }
  }

  @Override
  public Integer call() {
    List<AuditEntry> records = auditLog.recent(limit, subject);
    Map<String, Object> json = Output.result("history", "completed", ExitCodes.OK);
    json.put("records", records);
    StringBuilder text = new StringBuilder();
    if (records.isEmpty()) {
      text.append("No audit records").append(subject == null ? "" : " for " + subject).append(".\n");
    }
    for (AuditEntry r : records) {
      text.append(String.format("#%d %s %-8s %-10s %-24s %-9s job %s%n    reason: %s%n    %s%n", r.id(),
          r.recordedAt(), r.actor(), r.command(), r.subject(), r.outcome(),
          r.jobExecutionId() == null ? "-" : r.jobExecutionId(), r.reason(), r.details()));
    }
    Output.print(spec, output, json, text.toString());
    return ExitCodes.OK;
  }
}
