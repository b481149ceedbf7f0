package org.rollbackjobs.jobs.features;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rollbackjobs.jobs.audit.AuditEntry;
import org.rollbackjobs.jobs.audit.AuditLog;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobExecutionListener;
import org.springframework.stereotype.Component;

/**
 * Audits every execution of the job, first runs and restarts alike ({@code restart --execution ID} goes through
 * the generic job runner), and says on stderr which execution to restart.
 */
@Component
class RecomputeJobListener implements JobExecutionListener {
  private static final Logger LOG = LoggerFactory.getLogger(RecomputeJobListener.class);

  private final AuditLog auditLog;
  private final RecomputeJobSupport support;

  RecomputeJobListener(AuditLog auditLog, RecomputeJobSupport support) {
    this.auditLog = auditLog;
    this.support = support;
  }

  @Override
  public void beforeJob(JobExecution execution) {
    RecomputeRequest request = RecomputeRequest.fromJobParameters(execution.getJobParameters());
    LOG.info("recompute-features job execution {}: {} version {} from {} snapshot {} into {}", execution.getId(),
        request.pipeline(), request.version(), request.source(), request.sourceSnapshotId(), request.target());
    LOG.debug("job starts (cpu {} ms)", RecomputeJobSupport.cpuMillis());
  }

  @Override
  public void afterJob(JobExecution execution) {
    LOG.debug("recompute-features job execution {} ends {} (cpu {} ms)", execution.getId(), execution.getStatus(),
        RecomputeJobSupport.cpuMillis());
    RecomputeRequest request = RecomputeRequest.fromJobParameters(execution.getJobParameters());
    support.release(execution.getId());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("pipeline", request.pipeline());
    details.put("version", request.version());
    details.put("pipeline-hash", RecomputeRequest.pipelineHash(execution.getJobParameters()));
    details.put("source", request.source());
    details.put("source-snapshot", request.sourceSnapshotId());
    String outcome;
    if (execution.getStatus() == BatchStatus.COMPLETED) {
      outcome = "completed";
      String result = execution.getExecutionContext().getString(RecomputeJobSupport.RESULT, null);
      if (result != null) {
        try {
          details.putAll(Output.JSON.readValue(result, Map.class));
        } catch (java.io.IOException e) {
          details.put("result", result);
        }
      }
    } else {
      outcome = "failed";
      details.put("error", String.valueOf(JobRunner.failureMessage(execution)));
      LOG.warn("recompute-features job execution {} {}; continue it with 'restart --execution {}'", execution.getId(),
          execution.getStatus(), execution.getId());
    }
    auditLog.record(AuditEntry.of(request.actor(), RecomputeFeaturesJobConfiguration.JOB_NAME, request.target(),
        request.reason(), outcome, execution.getId(), details));
  }
}
