package org.rollbackjobs.jobs.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's figures of one system (or of all: {@code system} null) over the report's window, computed from its
 * recorded runs: drills run and passed, the last drill's age, time-to-rollback percentiles of the drills, and the
 * real rollbacks' success rate and mean time to rollback (MTTR).
 */
public record SystemFigures(String system, int drills, int passed, Double passRate, Instant lastDrillAt,
    boolean stale, Long timeToRollbackP50Ms, Long timeToRollbackP95Ms, Long timeToRollbackMaxMs, int rollbacks,
    Double rollbackSuccessRate, Long mttrMs, String slowestPhase, List<RunRecord> runs) {

  /** The figures of {@code runs} (of one system, or all); a drill older than {@code maxAge} is stale. */
  public static SystemFigures of(String system, List<RunRecord> runs, Instant now, Duration maxAge) {
    List<RunRecord> drills = runs.stream().filter(r -> r.kind().equals("drill")).toList();
    List<RunRecord> rollbacks = runs.stream().filter(r -> r.kind().equals("rollback")).toList();
    int passed = (int) drills.stream().filter(RunRecord::succeeded).count();
    Instant last = drills.stream().map(RunRecord::startedAt).max(Comparator.naturalOrder()).orElse(null);
    List<Long> times = drills.stream().map(RunRecord::timeToRollbackMs)
        .filter(t -> t != null).sorted().toList();
    List<Long> repaired = rollbacks.stream().filter(RunRecord::succeeded).map(RunRecord::timeToRollbackMs)
        .filter(t -> t != null).toList();
    return new SystemFigures(system, drills.size(), passed, drills.isEmpty() ? null : (double) passed / drills.size(),
        last, last == null || last.isBefore(now.minus(maxAge)), percentile(times, 50), percentile(times, 95),
        times.isEmpty() ? null : times.get(times.size() - 1), rollbacks.size(), rollbacks.isEmpty() ? null
        : (double) rollbacks.stream().filter(RunRecord::succeeded).count() / rollbacks.size(),
        repaired.isEmpty() ? null : Math.round(repaired.stream().mapToLong(Long::longValue).average().orElse(0)),
        slowestPhase(drills), runs);
  }

  /** The nearest-rank percentile of sorted values; null when there are none. */
  static Long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return null;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /** The phase with the longest mean duration over the drills, or null. */
  static String slowestPhase(List<RunRecord> drills) {
    Map<String, long[]> totals = new LinkedHashMap<>(); // name -> {sum, count}
    for (RunRecord drill : drills) {
      for (Map<String, Object> phase : drill.phases()) {
        long[] t = totals.computeIfAbsent(String.valueOf(phase.get("name")), n -> new long[2]);
        t[0] += ((Number) phase.get("duration-ms")).longValue();
        t[1]++;
      }
    }
    return totals.entrySet().stream().max(Comparator.comparingDouble(e -> (double) e.getValue()[0] / e.getValue()[1]))
        .map(Map.Entry::getKey).orElse(null);
  }

  /** The figures as the report's JSON names them. */
  public Map<String, Object> json() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("system", system);
    json.put("drills", drills);
    json.put("passed", passed);
    json.put("pass-rate", passRate);
    json.put("last-drill-at", lastDrillAt == null ? null : lastDrillAt.toString());
    json.put("stale", stale);
    json.put("time-to-rollback-p50-ms", timeToRollbackP50Ms);
    json.put("time-to-rollback-p95-ms", timeToRollbackP95Ms);
    json.put("time-to-rollback-max-ms", timeToRollbackMaxMs);
    json.put("rollbacks", rollbacks);
    json.put("rollback-success-rate", rollbackSuccessRate);
    json.put("mttr-ms", mttrMs);
    json.put("slowest-phase", slowestPhase);
    return json;
  }

  /** The systems' runs in one list, for the overall figures. */
  static List<RunRecord> all(List<SystemFigures> systems) {
    List<RunRecord> runs = new ArrayList<>();
    systems.forEach(s -> runs.addAll(s.runs()));
    return runs;
  }
}
