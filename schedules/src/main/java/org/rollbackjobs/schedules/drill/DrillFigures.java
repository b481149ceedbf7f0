package org.rollbackjobs.schedules.drill;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * The drills' figures, as the job suite records them in {@code rollback.drills} (whoever ran them: this scheduler,
 * another one, a person), served at {@code /actuator/prometheus} with the names a one-shot command pushes:
 * {@code rollback_drill_total{system,verdict}}, {@code rollback_last_drill_timestamp_seconds{system}}, and
 * {@code rollback_time_to_rollback_seconds{system,kind="drill"}} for drills that ended since this scheduler started.
 * Read again every {@link #REFRESH}.
 */
@Component
public class DrillFigures implements SmartLifecycle {
  static final Duration REFRESH = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(DrillFigures.class);

  private final JdbcTemplate jdbc;
  private final MeterRegistry meters;
  private final TaskScheduler scheduler;
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastDrill = new ConcurrentHashMap<>();
  private volatile Instant timedUpTo = Instant.now();
  private volatile java.util.concurrent.ScheduledFuture<?> refreshing;
  private volatile boolean warned;

  public DrillFigures(JdbcTemplate jdbc, MeterRegistry meters, TaskScheduler scheduler) {
    this.jdbc = jdbc;
    this.meters = meters;
    this.scheduler = scheduler;
  }

  /** Reads the drills table; a database without it (no job has run yet) has no figures. */
  public void refresh() {
    try {
      jdbc.query("""
          SELECT system, verdict, count(*) AS drills, max(ended_at) AS last FROM rollback.drills
          WHERE verdict <> 'running' GROUP BY system, verdict""", row -> {
        String system = row.getString("system");
        String verdict = row.getString("verdict");
        counter(system, verdict).set(row.getLong("drills"));
        Timestamp last = row.getTimestamp("last");
        if (last != null) {
          lastDrill(system).accumulateAndGet(last.toInstant().getEpochSecond(), Math::max);
        }
      });
      Instant from = timedUpTo;
      Timestamp newest = jdbc.query("""
          SELECT system, time_to_rollback_ms, ended_at FROM rollback.drills
          WHERE ended_at > ? AND time_to_rollback_ms IS NOT NULL ORDER BY ended_at""", rows -> {
        Timestamp seen = null;
        while (rows.next()) {
          Timer.builder("rollback.time.to.rollback").description("start of the rollback to its verified end")
              .tag("system", rows.getString("system")).tag("kind", "drill").publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofSeconds(1)).maximumExpectedValue(Duration.ofHours(6))
              .register(meters).record(Duration.ofMillis(rows.getLong("time_to_rollback_ms")));
          seen = rows.getTimestamp("ended_at");
        }
        return seen;
      }, Timestamp.from(from));
      if (newest != null) {
        timedUpTo = newest.toInstant();
      }
      warned = false;
    } catch (DataAccessException e) {
      if (!warned) {
        log.info("no drill figures yet ({}); they appear once the job suite has run on this database",
            e.getMostSpecificCause().getMessage());
        warned = true;
      }
    }
  }

  private AtomicLong counter(String system, String verdict) {
    return counts.computeIfAbsent(system + "\n" + verdict, key -> {
      AtomicLong holder = new AtomicLong();
      FunctionCounter.builder("rollback.drill", holder, AtomicLong::get).description("drills by verdict")
          .tag("system", system).tag("verdict", verdict).register(meters);
      return holder;
    });
  }

  private AtomicLong lastDrill(String system) {
    return lastDrill.computeIfAbsent(system, key -> {
      AtomicLong holder = new AtomicLong();
      Gauge.builder("rollback.last.drill.timestamp", holder, AtomicLong::get).baseUnit("seconds")
          .description("when the system's last drill ended (epoch seconds)").tag("system", system).register(meters);
      return holder;
    });
  }

  @Override
  public void start() {
    refreshing = scheduler.scheduleAtFixedRate(this::refresh, REFRESH);
  }

  @Override
  public void stop() {
    if (refreshing != null) {
      refreshing.cancel(false);
      refreshing = null;
    }
  }

  @Override
  public boolean isRunning() {
    return refreshing != null;
  }
}
