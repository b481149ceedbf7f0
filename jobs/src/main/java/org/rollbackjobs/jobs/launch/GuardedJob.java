package org.rollbackjobs.jobs.launch;

import java.util.List;
import java.util.function.Function;
import org.springframework.batch.core.JobParameters;

/**
 * The locks a job holds for its whole run, as a bean next to the job's definition. They follow from the job's
 * parameters, so that a restart (which runs with the same parameters) takes the same locks as the first run.
 */
public record GuardedJob(String jobName, Function<JobParameters, List<LockClaim>> claims) {}
