package org.rollbackjobs.jobs.manifest;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.audit.AuditEntry;
import org.rollbackjobs.jobs.audit.AuditLog;
import org.rollbackjobs.jobs.launch.JobFailedException;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.jobs.verify.MixedVersionStateException;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.stereotype.Service;

/** Runs the manifest jobs and audits them; inputs are validated before a job starts. */
@Service
public class ManifestService {
  private final JobRunner jobRunner;
  private final ManifestStore store;
  private final ManifestCapture capture;
  private final AuditLog auditLog;

  public ManifestService(JobRunner jobRunner, ManifestStore store, ManifestCapture capture, AuditLog auditLog) {
    this.jobRunner = jobRunner;
    this.store = store;
    this.capture = capture;
    this.auditLog = auditLog;
  }

  public ManifestCapture.Preview preview(SystemDefinition system) {
    return capture.preview(system);
  }

  /** Captures a manifest; returns it. Mixed-version state without {@code allowInconsistent}: exit 3, nothing stored. */
  public Manifest capture(SystemDefinition system, CaptureRequest request) {
    JobExecution execution = jobRunner.run(ManifestJobConfiguration.CAPTURE_JOB, request.toJobParameters());
    Throwable failure = JobRunner.failure(execution);
    if (execution.getStatus() != BatchStatus.COMPLETED) {
      String message = failure == null ? "job ended " + execution.getStatus() : failure.getMessage();
      audit(request.actor(), "manifest-capture", system.name(), request.reason(),
          failure instanceof MixedVersionStateException ? "refused" : "failed", execution.getId(),
          Map.of("error", String.valueOf(message)));
      if (failure instanceof MixedVersionStateException || failure instanceof BadInputException) {
        throw (RuntimeException) failure;
      }
      throw new JobFailedException("manifest capture of " + system.name() + " failed: " + message
          + "; restart it with 'restart --execution " + execution.getId() + "'", execution.getId(), failure);
    }
    long id = execution.getExecutionContext().getLong(ManifestJobConfiguration.MANIFEST_ID);
    Manifest manifest = store.get(system.name(), id);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("manifest-id", id);
    details.put("inconsistent", manifest.inconsistent());
    details.put("tags", manifest.content().tags().size());
    audit(request.actor(), "manifest-capture", system.name(), request.reason(), "completed", execution.getId(),
        details);
    return manifest;
  }

  /** Retires a manifest (removes its tags); a manifest retired already is left alone (exit 0). */
  public Manifest retire(long id, String actor, String reason) {
    Manifest manifest = store.get(null, id);
    if (manifest.retired()) {
      return manifest;
    }
    JobExecution execution = jobRunner.run(ManifestJobConfiguration.RETIRE_JOB, new JobParametersBuilder()
        .addLong("manifest-id", id)
        .addString("actor", actor, false)
        .addString("reason", reason, false)
        .addString("run.id", java.util.UUID.randomUUID().toString())
        .toJobParameters());
    if (execution.getStatus() != BatchStatus.COMPLETED) {
      Throwable failure = JobRunner.failure(execution);
      audit(actor, "manifest-retire", manifest.system(), reason, "failed", execution.getId(),
          Map.of("manifest-id", id, "error", String.valueOf(failure == null ? execution.getStatus() : failure.getMessage())));
      throw new JobFailedException("retiring manifest " + id + " failed: "
          + (failure == null ? execution.getStatus() : failure.getMessage()) + "; restart it with 'restart --execution "
          + execution.getId() + "'", execution.getId(), failure);
    }
    audit(actor, "manifest-retire", manifest.system(), reason, "completed", execution.getId(), Map.of("manifest-id", id));
    return store.get(null, id);
  }

  private void audit(String actor, String command, String system, String reason, String outcome, Long executionId,
      Map<String, Object> details) {
    auditLog.record(AuditEntry.of(actor, command, system, reason, outcome, executionId, details));
  }
}
