package org.rollbackjobs.jobs.manifest;

import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.stereotype.Service;

/** Runs the manifest jobs; inputs are validated before a job starts, outcomes audited by {@link JobOutcomes}. */
@Service
public class ManifestService {
  private final JobRunner jobRunner;
  private final ManifestStore store;
  private final ManifestCapture capture;
  private final JobOutcomes outcomes;

  public ManifestService(JobRunner jobRunner, ManifestStore store, ManifestCapture capture, JobOutcomes outcomes) {
    this.jobRunner = jobRunner;
    this.store = store;
    this.capture = capture;
    this.outcomes = outcomes;
  }

  public ManifestCapture.Preview preview(SystemDefinition system) {
    return capture.preview(system);
  }

  /** Captures a manifest; returns it. Mixed-version state without {@code allowInconsistent}: exit 3, nothing stored. */
  public Manifest capture(SystemDefinition system, CaptureRequest request) {
    Attempt attempt = new Attempt(ManifestJobConfiguration.CAPTURE_JOB, system.name(), request.actor(),
        request.reason());
    JobExecution execution = outcomes.completed(jobRunner.run(attempt, ManifestJobConfiguration.CAPTURE_JOB,
        request.toJobParameters()));
    return store.get(system.name(), execution.getExecutionContext().getLong(ManifestJobConfiguration.MANIFEST_ID));
  }

  /** Retires a manifest (removes its tags); a manifest retired already is left alone (exit 0). */
  public Manifest retire(long id, String actor, String reason) {
    Manifest manifest = store.get(null, id);
    if (manifest.retired()) {
      return manifest;
    }
    Attempt attempt = new Attempt(ManifestJobConfiguration.RETIRE_JOB, manifest.system(), actor, reason);
    outcomes.completed(jobRunner.run(attempt, ManifestJobConfiguration.RETIRE_JOB, new JobParametersBuilder()
        .addLong("manifest-id", id)
        .addString("run.id", java.util.UUID.randomUUID().toString())
        .toJobParameters()));
    return store.get(null, id);
  }
}
