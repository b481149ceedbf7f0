package org.rollbackjobs.jobs.report;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rollbackjobs.jobs.store.StoredJson;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * {@code report}: the recorded drills ({@code rollback.drills}) and rollbacks ({@code rollback.rollbacks}) of a
 * window, per system and overall. Runs still running are left out. Read-only.
 */
@Service
public class ReportService {
  private final JdbcTemplate jdbc;
  private final Duration maxAge;

  public ReportService(JdbcTemplate jdbc, @Value("${rollback.drill.max-age:31d}") Duration maxAge) {
    this.jdbc = jdbc;
    this.maxAge = maxAge;
  }

  /** A report: the window's start, the drills' maximum age, the systems' figures and the overall ones. */
  public record Report(Instant since, Duration maxAge, List<SystemFigures> systems, SystemFigures overall) {}

  public Report report(String system, Duration window) {
    Instant now = Instant.now();
    Instant since = now.minus(window);
    Map<String, List<RunRecord>> bySystem = new TreeMap<>();
    if (system != null) {
      bySystem.put(system, new ArrayList<>());
    }
    for (RunRecord run : runs(since, system)) {
      bySystem.computeIfAbsent(run.system(), s -> new ArrayList<>()).add(run);
    }
    List<SystemFigures> systems = new ArrayList<>();
    bySystem.forEach((name, runs) -> systems.add(SystemFigures.of(name, runs, now, maxAge)));
    return new Report(since, maxAge, systems, SystemFigures.of(null, SystemFigures.all(systems), now, maxAge));
  }

  private List<RunRecord> runs(Instant since, String system) {
    List<RunRecord> runs = new ArrayList<>(jdbc.query("SELECT run_id, system, manifest_id, started_at, ended_at,"
            + " verdict, inject, detected, time_to_rollback_ms, phases::text AS phases FROM rollback.drills"
            + " WHERE started_at >= ? AND verdict <> 'running' AND (?::text IS NULL OR system = ?)"
            + " ORDER BY started_at",
        (rs, row) -> new RunRecord("drill", rs.getString("run_id"), rs.getString("system"), rs.getLong("manifest_id"),
            instant(rs, "started_at"), instant(rs, "ended_at"), rs.getString("verdict"), rs.getString("inject"),
            (Boolean) rs.getObject("detected"), (Long) rs.getObject("time_to_rollback_ms"),
            StoredJson.read(rs.getString("phases"), new TypeReference<List<Map<String, Object>>>() {})),
        Timestamp.from(since), system, system));
    runs.addAll(jdbc.query("SELECT job_instance_id, system, manifest_id, started_at, ended_at, outcome,"
            + " time_to_rollback_ms FROM rollback.rollbacks WHERE started_at >= ? AND outcome <> 'running'"
            + " AND (?::text IS NULL OR system = ?) ORDER BY started_at",
        (rs, row) -> new RunRecord("rollback", rs.getString("job_instance_id"), rs.getString("system"),
            rs.getLong("manifest_id"), instant(rs, "started_at"), instant(rs, "ended_at"), rs.getString("outcome"),
            "none", null, (Long) rs.getObject("time_to_rollback_ms"), List.of()),
        Timestamp.from(since), system, system));
    return runs;
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  /** The report as one JSON object (without the command's common fields). */
  public static Map<String, Object> json(Report report) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("since", report.since().toString());
    json.put("max-age", report.maxAge().toString());
    json.put("systems", report.systems().stream().map(SystemFigures::json).toList());
    Map<String, Object> overall = report.overall().json();
    overall.remove("system");
    json.put("overall", overall);
    return json;
  }
}
