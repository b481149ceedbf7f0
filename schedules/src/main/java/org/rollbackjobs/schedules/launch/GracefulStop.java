package org.rollbackjobs.schedules.launch;

import java.time.Duration;
import java.time.Instant;
import org.rollbackjobs.schedules.SchedulerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * SIGTERM: a running drill or rollback may finish within {@code rollback.scheduler.shutdown-grace}; after that it is
 * stopped and recorded {@code aborted}. A rollback that only waits for approvals stops waiting at once; its record
 * stays {@code waiting-approval} for another instance (or this one, restarted) to take over. Runs before any bean is destroyed, so the records are still written, and
 * the children's own locks (PostgreSQL advisory locks, ShedLock rows) are released with them.
 */
@Component
public class GracefulStop implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(GracefulStop.class);
  private final JobCommand jobs;
  private final SchedulerProperties properties;
  private volatile boolean running;

  public GracefulStop(JobCommand jobs, SchedulerProperties properties) {
    this.jobs = jobs;
    this.properties = properties;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    jobs.beginStop(); // rollbacks that wait for approvals stop waiting at once (another instance takes them over)
    if (jobs.inFlight() == 0) {
      return;
    }
    log.info("stopping: waiting up to {} for {} running drill(s) or rollback(s)", properties.shutdownGrace(),
        jobs.inFlight());
    if (!waitForUnits(properties.shutdownGrace())) {
      log.warn("stopping: still running after {}; stopping them (recorded as aborted)", properties.shutdownGrace());
      jobs.stopAll();
      waitForUnits(Duration.ofSeconds(60));
    }
  }

  private boolean waitForUnits(Duration atMost) {
    Instant deadline = Instant.now().plus(atMost);
    while (jobs.inFlight() > 0 && Instant.now().isBefore(deadline)) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return jobs.inFlight() == 0;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stopped after the drill scheduler and the web server (later phases stop first), before anything else. */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 2048;
  }
}
