package org.rollbackjobs.jobs.audit;

import java.time.Instant;
import java.util.Map;

/**
 * One audit record: who (OS user or {@code --actor}), what (command and subject), why (reason), when, and the
 * outcome ({@code completed}, {@code noop}, {@code failed}, {@code rejected}).
 */
public record AuditEntry(
    Long id,
    Instant recordedAt,
    String actor,
    String command,
    String subject,
    String reason,
    String outcome,
    Long jobExecutionId,
    Map<String, Object> details) {

  public static AuditEntry of(String actor, String command, String subject, String reason, String outcome,
      Long jobExecutionId, Map<String, Object> details) {
    return new AuditEntry(null, null, actor, command, subject, reason, outcome, jobExecutionId, details);
  }
}
