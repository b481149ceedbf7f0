package org.rollbackjobs.jobs.features;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobExecutionListener;
import org.springframework.stereotype.Component;

/**
 * Says on stderr what each execution computes, leaves the lineage for its audit record ({@link JobOutcomes} audits
 * every run, first runs and restarts alike) and forgets the run's cached source table at its end.
 */
@Component
class RecomputeJobListener implements JobExecutionListener {
  private static final Logger LOG = LoggerFactory.getLogger(RecomputeJobListener.class);

  private final RecomputeJobSupport support;

  RecomputeJobListener(RecomputeJobSupport support) {
    this.support = support;
  }

  @Override
  public void beforeJob(JobExecution execution) {
    RecomputeRequest request = RecomputeRequest.fromJobParameters(execution.getJobParameters());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("pipeline", request.pipeline());
    details.put("version", request.version());
    details.put("pipeline-hash", RecomputeRequest.pipelineHash(execution.getJobParameters()));
    details.put("source", request.source());
    details.put("source-snapshot", request.sourceSnapshotId());
    JobOutcomes.details(execution.getExecutionContext(), details);
    LOG.info("recompute-features job execution {}: {} version {} from {} snapshot {} into {}", execution.getId(),
        request.pipeline(), request.version(), request.source(), request.sourceSnapshotId(), request.target());
    LOG.debug("job starts (cpu {} ms)", RecomputeJobSupport.cpuMillis());
  }

  @Override
  public void afterJob(JobExecution execution) {
    LOG.debug("recompute-features job execution {} ends {} (cpu {} ms)", execution.getId(), execution.getStatus(),
        RecomputeJobSupport.cpuMillis());
    support.release(execution.getId());
  }
}
