package org.rollbackjobs.jobs.manifest;

import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.launch.GuardedJob;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.LockClaim;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.Step;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The {@code manifest-capture} job: one step that pins the current version of every component of a system,
 * refuses a mixed-version system (unless allowed), tags the pinned snapshots and stores the manifest. The
 * manifest id goes to the job's execution context. The {@code manifest-retire} job removes a manifest's tags and
 * records its retirement.
 */
@Configuration(proxyBeanMethods = false)
public class ManifestJobConfiguration {
  public static final String CAPTURE_JOB = "manifest-capture";
  public static final String RETIRE_JOB = "manifest-retire";
  static final String MANIFEST_ID = "manifest.id";

  @Bean(CAPTURE_JOB) // by its job name: JobRunner makes only the job that runs
  Job manifestCaptureJob(JobRepository jobRepository, Step captureManifest, JobOutcomes outcomes) {
    return new JobBuilder(CAPTURE_JOB, jobRepository).listener(outcomes).start(captureManifest).build();
  }

  /** One capture of a system's manifests at a time (see {@link OrphanTags}). */
  @Bean
  static GuardedJob manifestCaptureLocks() {
    return new GuardedJob(CAPTURE_JOB, p -> List.of(LockClaim.exclusive(LockClaim.Kind.MANIFESTS, p.getString("system"))));
  }

  @Bean
  Step captureManifest(JobRepository jobRepository, PlatformTransactionManager transactionManager,
      ManifestCapture capture) {
    Tasklet tasklet = (contribution, context) -> {
      var step = context.getStepContext().getStepExecution();
      CaptureRequest request = CaptureRequest.fromJobParameters(step.getJobParameters());
      long id = capture.capture(request, step.getJobExecutionId());
      var job = step.getJobExecution().getExecutionContext();
      job.putLong(MANIFEST_ID, id);
      JobOutcomes.details(job, capture.auditDetails(id));
      return RepeatStatus.FINISHED;
    };
    return new StepBuilder("capture-manifest", jobRepository).tasklet(tasklet, transactionManager).build();
  }

  @Bean(RETIRE_JOB) // by its job name: JobRunner makes only the job that runs
  Job manifestRetireJob(JobRepository jobRepository, Step retireManifest, JobOutcomes outcomes) {
    return new JobBuilder(RETIRE_JOB, jobRepository).listener(outcomes).start(retireManifest).build();
  }

  @Bean
  Step retireManifest(JobRepository jobRepository, PlatformTransactionManager transactionManager,
      ManifestRetirement retirement) {
    Tasklet tasklet = (contribution, context) -> {
      var params = context.getStepContext().getStepExecution().getJobParameters();
      retirement.retire(params.getLong("manifest-id"), params.getString("actor"), params.getString("reason"));
      JobOutcomes.details(context.getStepContext().getStepExecution().getJobExecution().getExecutionContext(),
          Map.of("manifest-id", params.getLong("manifest-id")));
      return RepeatStatus.FINISHED;
    };
    return new StepBuilder("retire-manifest", jobRepository).tasklet(tasklet, transactionManager).build();
  }
}
