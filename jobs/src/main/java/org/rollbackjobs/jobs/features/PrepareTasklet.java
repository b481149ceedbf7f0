package org.rollbackjobs.jobs.features;

import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputeFeatures;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/** Plans the recompute once per job instance; the plan stays in the job's context for every step and restart. */
@Component
class PrepareTasklet implements Tasklet {
  private static final Logger LOG = LoggerFactory.getLogger(PrepareTasklet.class);

  private final RecomputeJobSupport support;

  PrepareTasklet(RecomputeJobSupport support) {
    this.support = support;
  }

  @Override
  public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
    var step = chunkContext.getStepContext().getStepExecution();
    var job = step.getJobExecution();
    RecomputeRequest request = RecomputeRequest.fromJobParameters(job.getJobParameters());
    LOG.debug("prepare step starts (cpu {} ms)", RecomputeJobSupport.cpuMillis());
    FeaturePipeline pipeline = support.pipeline(job.getJobParameters());
    // the plan the service made moments ago for this very run, if this process launched it; else plan now
    RecomputePlan planned = support.planned(request);
    boolean reuse = planned != null && planned.pipelineHash().equals(pipeline.definitionHash());
    RecomputePlan plan = reuse ? planned : RecomputeFeatures.of(support.catalog())
        .pipeline(pipeline)
        .source(request.source())
        .sourceSnapshot(request.sourceSnapshotId())
        .target(request.target())
        .toBranch(request.targetBranch())
        .runId(request.runId())
        .threads(support.properties().threads())
        .set(FeatureLineage.REASON, request.reason())
        .plan();
    LOG.info("Recompute {} from {} snapshot {} with {} version {}: {} rows in {} files, {} map partitions, {} buckets"
            + ", job execution {}", plan.targetTable(), plan.sourceTable(), plan.sourceSnapshotId(), plan.pipeline(),
        plan.pipelineVersion(), plan.rows(), plan.files(), plan.partitions(), plan.buckets(), job.getId());
    job.getExecutionContext().putString(RecomputeJobSupport.PLAN, plan.toJson());
    return RepeatStatus.FINISHED;
  }
}
