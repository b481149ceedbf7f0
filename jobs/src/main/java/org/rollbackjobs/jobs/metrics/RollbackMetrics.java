package org.rollbackjobs.jobs.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.rollbackjobs.jobs.drill.DrillOutcome;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The figures of {@code report} as metrics, for Prometheus: {@code rollback_drill_total{system,verdict}},
 * {@code rollback_time_to_rollback_seconds{system,kind}} (a histogram; kind {@code drill} or {@code rollback}),
 * {@code rollback_last_drill_timestamp_seconds{system}}. A one-shot command pushes them to a Pushgateway when
 * {@code management.prometheus.metrics.export.pushgateway.enabled} is set (Spring Boot's own support, at exit).
 */
@Component
public class RollbackMetrics {
  /** Null when metrics are off (no Pushgateway configured, see {@code MetricsOnlyWhenPushed}): nothing recorded. */
  private final MeterRegistry registry;
  /** Per context, not static: several jobs share one JVM (the scheduler, the tests). */
  private final Map<String, AtomicLong> lastDrill = new ConcurrentHashMap<>();

  public RollbackMetrics(ObjectProvider<MeterRegistry> registry) {
    this.registry = registry.getIfAvailable();
  }

  /** A drill that ran (a dry run or a refusal before it started is not a drill). */
  public void drill(DrillOutcome outcome, Instant endedAt) {
    if (registry == null || outcome.verdict() == null || outcome.system() == null) {
      return;
    }
    Counter.builder("rollback.drill").description("drills by verdict").tag("system", outcome.system())
        .tag("verdict", outcome.verdict()).register(registry).increment();
    AtomicLong last = lastDrill.computeIfAbsent(outcome.system(), system -> {
      AtomicLong holder = new AtomicLong();
      Gauge.builder("rollback.last.drill.timestamp", holder, AtomicLong::get).baseUnit("seconds")
          .description("when the system's last drill ended (epoch seconds)").tag("system", system).register(registry);
      return holder;
    });
    last.set(endedAt.getEpochSecond());
    timeToRollback(outcome.system(), "drill", outcome.timeToRollbackMs());
  }

  /** A real rollback's time-to-rollback, when it ran. */
  public void timeToRollback(String system, String kind, Long millis) {
    if (registry == null || millis == null || system == null) {
      return;
    }
    Timer.builder("rollback.time.to.rollback").description("start of the rollback to its verified end")
        .tag("system", system).tag("kind", kind).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofSeconds(1)).maximumExpectedValue(Duration.ofHours(6))
        .register(registry).record(Duration.ofMillis(millis));
  }
}
