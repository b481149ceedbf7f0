package org.rollbackjobs.schedules.drill;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import org.rollbackjobs.schedules.SchedulerProperties;
import org.rollbackjobs.schedules.file.DrillRule;
import org.rollbackjobs.schedules.file.Schedules;
import org.rollbackjobs.schedules.launch.JobCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * Runs each drill of the schedules file at its cron slots, once per slot across every scheduler instance on the
 * same database: the drill's ShedLock lock (on the database's clock) lets one instance at a time run that drill,
 * and the slot's row, claimed in one statement, lets one instance ever run that slot. Slots missed while no
 * scheduler ran are recorded at start ({@code missed}); with {@code catch-up: true} the newest of them runs once.
 */
@Component
public class DrillScheduler implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(DrillScheduler.class);
  /** Slots counted back when looking for missed ones; older ones are not recorded one by one. */
  private static final int MISSED_LIMIT = 1000;

  private final Schedules schedules;
  private final TaskScheduler scheduler;
  private final LockingTaskExecutor locks;
  private final DrillSlots slots;
  private final JobCommand jobs;
  private final SchedulerProperties properties;
  private final MeterRegistry meters;
  private final Map<String, AtomicLong> nextRun = new ConcurrentHashMap<>();
  private volatile boolean running;

  public DrillScheduler(Schedules schedules, TaskScheduler scheduler, LockingTaskExecutor locks, DrillSlots slots,
      JobCommand jobs, SchedulerProperties properties, MeterRegistry meters) {
    this.schedules = schedules;
    this.scheduler = scheduler;
    this.locks = locks;
    this.slots = slots;
    this.jobs = jobs;
    this.properties = properties;
    this.meters = meters;
  }

  @Override
  public void start() {
    running = true;
    int stale = slots.abortStale(properties.drillTimeout().plus(properties.shutdownGrace()));
    if (stale > 0) {
      log.warn("{} drill slot(s) left running by a scheduler that stopped are recorded as aborted", stale);
    }
    for (DrillRule rule : schedules.drills()) {
      AtomicLong next = nextRun.computeIfAbsent(rule.id(), id -> new AtomicLong());
      Gauge.builder("rollback.scheduler.drill.next.run", next, AtomicLong::get).baseUnit("seconds")
          .description("when the drill's next slot is (epoch seconds)").tag("drill", rule.id()).register(meters);
      Instant now = slots.now();
      catchUp(rule, now);
      scheduleAfter(rule, now);
      log.info("drill {}: next slot {}", rule.id(), Instant.ofEpochSecond(next.get()));
    }
  }

  @Override
  public void stop() {
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Records the slots missed since the last recorded one; runs the newest once if the drill catches up. */
  void catchUp(DrillRule rule, Instant now) {
    slots.latest(rule.id()).ifPresent(latest -> {
      List<Instant> missed = slotsBetween(rule, latest, now);
      if (missed.isEmpty()) {
        return;
      }
      int recorded = slots.missed(rule.id(), missed);
      counter(rule, "missed").increment(recorded);
      log.warn("drill {}: {} slot(s) missed while no scheduler ran, from {} to {}{}", rule.id(), missed.size(),
          missed.get(0), missed.get(missed.size() - 1), rule.catchUp() ? "; running the newest once now" : "");
      if (rule.catchUp()) {
        Instant newest = missed.get(missed.size() - 1);
        scheduler.schedule(() -> runSlot(rule, newest), Instant.now());
      }
    });
  }

  static List<Instant> slotsBetween(DrillRule rule, Instant after, Instant before) {
    List<Instant> between = new ArrayList<>();
    ZonedDateTime slot = rule.cron().next(after.atZone(rule.zone()));
    while (slot != null && slot.toInstant().isBefore(before)) {
      between.add(slot.toInstant());
      if (between.size() > MISSED_LIMIT) {
        between.remove(0);
      }
      slot = rule.cron().next(slot);
    }
    return between;
  }

  private void scheduleAfter(DrillRule rule, Instant after) {
    if (!running) {
      return;
    }
    ZonedDateTime next = rule.cron().next(after.atZone(rule.zone()));
    if (next == null) {
      return;
    }
    Instant slot = next.toInstant();
    nextRun.get(rule.id()).set(slot.getEpochSecond());
    // the timer is this machine's; whether the slot is due is the database's: a fast clock waits for it
    scheduler.schedule(() -> {
      scheduleAfter(rule, slot);
      runSlot(rule, slot);
    }, slot);
  }

  /** Runs one slot if this instance gets it; every outcome is recorded in the slot's row. */
  void runSlot(DrillRule rule, Instant slot) {
    if (!running) {
      return;
    }
    try {
      waitForDatabaseClock(slot);
      Duration atLeast = minimumLockHold(rule, slot);
      LockConfiguration lock = new LockConfiguration(slots.now(), "drill:" + Integer.toHexString(rule.id().hashCode()),
          properties.drillTimeout().plus(properties.shutdownGrace()), atLeast);
      LockingTaskExecutor.TaskResult<Boolean> ran = jobs.work(() -> withLock(rule, slot, lock));
      if (!ran.wasExecuted()) {
        log.info("drill {} slot {}: another instance is running this drill", rule.id(), slot);
      }
    } catch (Throwable e) {
      log.error("drill {} slot {}: {}", rule.id(), slot, e.toString(), e);
    }
  }

  private LockingTaskExecutor.TaskResult<Boolean> withLock(DrillRule rule, Instant slot, LockConfiguration lock) {
    try {
      return locks.executeWithLock(() -> runClaimed(rule, slot), lock);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean runClaimed(DrillRule rule, Instant slot) {
    if (!slots.claim(rule.id(), slot, properties.instance())) {
      log.info("drill {} slot {}: already run by another instance", rule.id(), slot);
      return false;
    }
    log.info("drill {} slot {}: starting", rule.id(), slot);
    JobCommand.Result result;
    try {
      result = jobs.run(rule.arguments("scheduled drill, slot " + slot), properties.drillTimeout());
    } catch (RuntimeException e) {
      slots.complete(rule.id(), slot, "aborted", null, e.getMessage());
      counter(rule, "aborted").increment();
      throw e;
    }
    String status = result.aborted() ? "aborted" : result.exitCode() == 0 ? "passed" : "failed";
    slots.complete(rule.id(), slot, status, result, result.stopped() ? "stopped by the scheduler (timeout or"
        + " shutdown)" : result.aborted() ? "the drill ended without an exit code of its own: " + result.exitCode()
        : result.text("error"));
    counter(rule, status).increment();
    log.info("drill {} slot {}: {} (exit {})", rule.id(), slot, status, result.exitCode());
    return true;
  }

  /** Sleeps until the database's clock has reached the slot (instances' clocks drift; the database's is one). */
  private void waitForDatabaseClock(Instant slot) throws InterruptedException {
    for (Duration ahead = Duration.between(slots.now(), slot); !ahead.isNegative() && !ahead.isZero();
        ahead = Duration.between(slots.now(), slot)) {
      Thread.sleep(Math.min(ahead.toMillis() + 1, 10_000));
    }
  }

  /**
   * The lock stays held for half the time to the next slot after a short drill ends, so that an instance whose
   * timer fires late for the same slot finds it taken even before looking at the slot's row.
   */
  static Duration minimumLockHold(DrillRule rule, Instant slot) {
    ZonedDateTime next = rule.cron().next(slot.atZone(rule.zone()));
    return next == null ? Duration.ZERO : Duration.between(slot, next.toInstant()).dividedBy(2);
  }

  private Counter counter(DrillRule rule, String status) {
    return Counter.builder("rollback.scheduler.drill.slots").description("drill slots by outcome")
        .tag("drill", rule.id()).tag("status", status).register(meters);
  }
}
