package org.rollbackjobs.jobs.features;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.ProgressListener;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.jobs.launch.GuardedJob;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.LockClaim;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.Step;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.StepExecutionListener;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.flow.FlowExecutionStatus;
import org.springframework.batch.core.job.flow.JobExecutionDecider;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.partition.support.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.item.ExecutionContext;
import org.springframework.batch.support.transaction.ResourcelessTransactionManager;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The {@code recompute-features} job: plan; then, on the embedded engine, map (a partitioned step over the
 * source's file scan tasks, one worker thread per core), reduce (a partitioned step over key buckets; nothing for
 * a row-wise pipeline) and commit (one Iceberg commit of every data file written); on the spark engine, one step
 * in which Spark computes and commits ({@link SparkRecomputeTasklet}). Nothing is visible before the commit; a restart
 * skips the partitions that completed and runs the others again, so its result is the uninterrupted one.
 */
@Configuration(proxyBeanMethods = false)
public class RecomputeFeaturesJobConfiguration {
  public static final String JOB_NAME = "recompute-features";

  /**
   * The workers' own work is files, not database rows: their steps use no database transaction (the job
   * repository keeps its own), so that a long partition holds no connection. Not a bean, so that the
   * application's transaction manager stays the one Spring Boot configures.
   */
  private static final PlatformTransactionManager NO_TRANSACTION = new ResourcelessTransactionManager();

  @Bean(JOB_NAME) // by its job name: JobRunner makes only the job that runs
  Job recomputeFeatures(JobRepository jobRepository, Step recomputePrepare, Step recomputeMap, Step recomputeReduce,
      Step recomputeCommit, Step recomputeSpark, RecomputeJobListener listener, JobOutcomes outcomes) {
    // the engine is a job parameter: a restart continues on the engine the run started with
    JobExecutionDecider engine = (job, step) -> new FlowExecutionStatus(RecomputeRequest.engine(job.getJobParameters()).id());
    return new JobBuilder(JOB_NAME, jobRepository)
        .listener(listener)
        .listener(outcomes)
        .start(recomputePrepare)
        .next(engine).on(RecomputeEngine.SPARK.id()).to(recomputeSpark)
        .from(engine).on("*").to(recomputeMap).next(recomputeReduce).next(recomputeCommit)
        .end()
        .build();
  }

  /** The spark engine: Spark computes and commits, in place of map, reduce and commit. */
  @Bean
  Step recomputeSpark(JobRepository jobRepository, SparkRecomputeTasklet tasklet) {
    return new StepBuilder("recompute-spark", jobRepository).tasklet(tasklet, NO_TRANSACTION).build();
  }

  /**
   * A recompute writes its target (one recompute of a feature table at a time) and reads its source, which no
   * restore may change meanwhile; recomputes from one source run side by side.
   */
  @Bean
  static GuardedJob recomputeLocks() {
    return new GuardedJob(JOB_NAME, p -> List.of(
        LockClaim.exclusive(LockClaim.Kind.TABLE, TableName.parse(p.getString(RecomputeRequest.TARGET)).toString()),
        LockClaim.shared(LockClaim.Kind.TABLE, TableName.parse(p.getString(RecomputeRequest.SOURCE)).toString())));
  }

  @Bean
  Step recomputePrepare(JobRepository jobRepository, PlatformTransactionManager transactionManager,
      PrepareTasklet tasklet) {
    return new StepBuilder("recompute-prepare", jobRepository).tasklet(tasklet, transactionManager).build();
  }

  @Bean
  Step recomputeMap(JobRepository jobRepository, Partitioner recomputeMapPartitioner, MapPartitionTasklet tasklet,
      FeatureRecomputeProperties properties, RecomputeJobSupport support) {
    Step worker = new StepBuilder(RecomputeJobSupport.MAP_WORKER, jobRepository).tasklet(tasklet, NO_TRANSACTION).build();
    return new StepBuilder("recompute-map", jobRepository)
        .partitioner(RecomputeJobSupport.MAP_WORKER, recomputeMapPartitioner)
        .step(worker)
        .gridSize(properties.threads())
        .taskExecutor(workers(properties.threads(), "recompute-map-"))
        .listener(new ProgressListener(support))
        .build();
  }

  @Bean
  Step recomputeReduce(JobRepository jobRepository, Partitioner recomputeReducePartitioner,
      ReducePartitionTasklet tasklet, FeatureRecomputeProperties properties) {
    Step worker = new StepBuilder(RecomputeJobSupport.REDUCE_WORKER, jobRepository).tasklet(tasklet, NO_TRANSACTION).build();
    return new StepBuilder("recompute-reduce", jobRepository)
        .partitioner(RecomputeJobSupport.REDUCE_WORKER, recomputeReducePartitioner)
        .step(worker)
        .gridSize(properties.threads())
        .taskExecutor(workers(properties.threads(), "recompute-reduce-"))
        .build();
  }

  @Bean
  Step recomputeCommit(JobRepository jobRepository, PlatformTransactionManager transactionManager, CommitTasklet tasklet) {
    return new StepBuilder("recompute-commit", jobRepository).tasklet(tasklet, transactionManager).build();
  }

  /** One partition per map partition of the plan (the same names on a restart). */
  @Bean
  @StepScope
  Partitioner recomputeMapPartitioner(@Value("#{jobExecutionContext['" + RecomputeJobSupport.PLAN + "']}") String plan) {
    RecomputePlan p = RecomputePlan.fromJson(plan);
    return grid -> partitions(p.partitions(), MapPartitionTasklet.INDEX, true);
  }

  /** One partition per key bucket of the plan; none for a row-wise pipeline. */
  @Bean
  @StepScope
  Partitioner recomputeReducePartitioner(@Value("#{jobExecutionContext['" + RecomputeJobSupport.PLAN + "']}") String plan) {
    RecomputePlan p = RecomputePlan.fromJson(plan);
    return grid -> partitions(p.buckets(), ReducePartitionTasklet.BUCKET, false);
  }

  private static Map<String, ExecutionContext> partitions(int count, String key, boolean map) {
    Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      ExecutionContext context = new ExecutionContext();
      context.putInt(key, i);
      partitions.put(map ? RecomputeJobSupport.mapPartition(i) : RecomputeJobSupport.reducePartition(i), context);
    }
    return partitions;
  }

  private static TaskExecutor workers(int threads, String prefix) {
    SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor(prefix);
    executor.setConcurrencyLimit(threads);
    return executor;
  }

  /** Progress of the map step on stderr, counting the rows of partitions completed before a restart as done. */
  static final class ProgressListener implements StepExecutionListener {
    private final RecomputeJobSupport support;

    ProgressListener(RecomputeJobSupport support) {
      this.support = support;
    }

    @Override
    public void beforeStep(StepExecution stepExecution) {
      var job = stepExecution.getJobExecution();
      RecomputePlan plan = RecomputeJobSupport.plan(job);
      long done = support.rowsOfCompletedMapPartitions(job, plan);
      support.startProgress(job, plan, done);
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
      support.stopProgress(stepExecution.getJobExecutionId());
      return stepExecution.getExitStatus();
    }
  }
}
