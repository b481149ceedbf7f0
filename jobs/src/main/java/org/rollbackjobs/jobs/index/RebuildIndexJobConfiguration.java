package org.rollbackjobs.jobs.index;

import java.util.List;
import javax.sql.DataSource;
import org.rollbackjobs.jobs.config.VectorProperties;
import org.rollbackjobs.jobs.launch.GuardedJob;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.LockClaim;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.source.Document;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.Step;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.repeat.policy.SimpleCompletionPolicy;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The {@code rebuild-index} job: prepare the build aside, take the cached vectors, load the rest (a chunk-oriented, restartable step), create
 * the ANN index, validate, switch the serving name, retire builds past their cool-down. And the one-step
 * {@code switch-back-index} job.
 */
@Configuration(proxyBeanMethods = false)
public class RebuildIndexJobConfiguration {
  public static final String JOB_NAME = "rebuild-index";
  public static final String SWITCH_BACK_JOB_NAME = "switch-back-index";

  @Bean(JOB_NAME) // by its job name: JobRunner makes only the job that runs
  Job rebuildIndex(JobRepository jobRepository, Step prepareBuild, Step reuseVectors, Step loadVectors,
      Step createAnnIndex,
      Step validateBuild, Step switchServingName, Step retireBuilds, JobOutcomes outcomes) {
    return new JobBuilder(JOB_NAME, jobRepository)
        .listener(outcomes)
        .start(prepareBuild)
        .next(reuseVectors)
        .next(loadVectors)
        .next(createAnnIndex)
        .next(validateBuild)
        .next(switchServingName)
        .next(retireBuilds)
        .build();
  }

  @Bean(SWITCH_BACK_JOB_NAME) // by its job name: JobRunner makes only the job that runs
  Job switchBackIndex(JobRepository jobRepository, Step switchBack, JobOutcomes outcomes) {
    return new JobBuilder(SWITCH_BACK_JOB_NAME, jobRepository).listener(outcomes).start(switchBack).build();
  }

  /** One rebuild or switch-back of an index at a time (their subject, {@code schema.index}, is the lock's name). */
  @Bean
  static GuardedJob rebuildIndexLocks() {
    return new GuardedJob(JOB_NAME, RebuildIndexJobConfiguration::indexLock);
  }

  @Bean
  static GuardedJob switchBackIndexLocks() {
    return new GuardedJob(SWITCH_BACK_JOB_NAME, RebuildIndexJobConfiguration::indexLock);
  }

  private static List<LockClaim> indexLock(JobParameters parameters) {
    return List.of(LockClaim.exclusive(LockClaim.Kind.INDEX, parameters.getString(RebuildIndexRequest.INDEX)));
  }

  @Bean
  Step prepareBuild(JobRepository repository, PlatformTransactionManager tm, RebuildTasklets tasklets) {
    return new StepBuilder("prepare-build", repository).tasklet(tasklets.prepare(), tm).build();
  }

  @Bean
  Step reuseVectors(JobRepository repository, PlatformTransactionManager tm, RebuildTasklets tasklets) {
    return new StepBuilder("reuse-vectors", repository).tasklet(tasklets.reuseVectors(), tm).build();
  }

  @Bean
  Step loadVectors(JobRepository repository, PlatformTransactionManager tm, DocumentItemReader documentReader,
      VectorChunkWriter vectorWriter, LoadProgressListener loadProgress, SimpleCompletionPolicy loadChunkSize) {
    return new StepBuilder("load-vectors", repository)
        .<Document, Document>chunk(loadChunkSize, tm)
        .reader(documentReader)
        .writer(vectorWriter)
        .listener((org.springframework.batch.core.StepExecutionListener) loadProgress)
        .listener((org.springframework.batch.core.ChunkListener) loadProgress)
        .build();
  }

  @Bean
  Step createAnnIndex(JobRepository repository, PlatformTransactionManager tm, RebuildTasklets tasklets) {
    return new StepBuilder("create-ann-index", repository).tasklet(tasklets.annIndex(), tm).build();
  }

  @Bean
  Step validateBuild(JobRepository repository, PlatformTransactionManager tm, RebuildTasklets tasklets) {
    return new StepBuilder("validate-build", repository).tasklet(tasklets.validate(), tm).build();
  }

  @Bean
  Step switchServingName(JobRepository repository, PlatformTransactionManager tm, RebuildTasklets tasklets) {
    return new StepBuilder("switch-serving-name", repository).tasklet(tasklets.switchServing(), tm).build();
  }

  @Bean
  Step retireBuilds(JobRepository repository, PlatformTransactionManager tm, RebuildTasklets tasklets) {
    return new StepBuilder("retire-builds", repository).tasklet(tasklets.retire(), tm).build();
  }

  @Bean
  Step switchBack(JobRepository repository, PlatformTransactionManager tm, RebuildTasklets tasklets) {
    return new StepBuilder("switch-back", repository).tasklet(tasklets.switchBack(), tm).build();
  }

  @Bean
  @StepScope
  DocumentItemReader documentReader(RebuildIndexFactory factory, @Value("#{stepExecution}") StepExecution step) {
    return new DocumentItemReader(factory, RebuildContext.request(step));
  }

  @Bean
  @StepScope
  VectorChunkWriter vectorWriter(RebuildIndexFactory factory, DataSource dataSource,
      @Value("#{stepExecution}") StepExecution step) {
    RebuildIndexRequest request = RebuildContext.request(step);
    EmbeddingVersion version = factory.version(request);
    boolean reused = RebuildContext.job(step).getLong(RebuildContext.REUSED, 0L) > 0;
    return new VectorChunkWriter(dataSource, RebuildContext.build(step, factory), factory.vectors(request, version),
        reused);
  }

  @Bean
  @StepScope
  LoadProgressListener loadProgress(VectorProperties properties) {
    return new LoadProgressListener(properties.progressInterval());
  }

  @Bean
  @StepScope
  SimpleCompletionPolicy loadChunkSize(@Value("#{jobParameters['chunk-size']}") Long chunkSize) {
    return new SimpleCompletionPolicy(chunkSize.intValue());
  }
}
