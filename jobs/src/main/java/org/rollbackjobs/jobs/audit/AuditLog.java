package org.rollbackjobs.jobs.audit;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.store.StoredJson;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The audit log in PostgreSQL ({@code rollback.audit_log}). */
@Repository
public class AuditLog {
  private final JdbcTemplate jdbc;

  public AuditLog(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public long record(AuditEntry entry) {
    return jdbc.queryForObject(
        "INSERT INTO rollback.audit_log (actor, command, subject, reason, outcome, job_execution_id, details)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb) RETURNING id",
        Long.class,
        entry.actor(), entry.command(), entry.subject(), entry.reason(), entry.outcome(), entry.jobExecutionId(),
        StoredJson.write(entry.details() == null ? Map.of() : entry.details()));
  }

  /** The latest records first, optionally only those about one subject (for example a table). */
  public List<AuditEntry> recent(int limit, String subject) {
    List<Object> args = new ArrayList<>();
    String where = "";
    if (subject != null) {
      where = " WHERE subject = ?";
      args.add(subject);
    }
    args.add(limit);
    return jdbc.query(
        "SELECT id, recorded_at, actor, command, subject, reason, outcome, job_execution_id, details::text"
            + " FROM rollback.audit_log" + where + " ORDER BY id DESC LIMIT ?",
        AuditLog::map, args.toArray());
  }

  private static AuditEntry map(ResultSet rs, int row) throws SQLException {
    Map<String, Object> details;
    try {
      details = StoredJson.read(rs.getString("details"), new TypeReference<Map<String, Object>>() {});
    } catch (java.io.UncheckedIOException e) {
      details = Map.of("raw", rs.getString("details"));
    }
    return new AuditEntry(
        rs.getLong("id"),
        rs.getTimestamp("recorded_at").toInstant(),
        rs.getString("actor"),
        rs.getString("command"),
        rs.getString("subject"),
        rs.getString("reason"),
        rs.getString("outcome"),
        rs.getObject("job_execution_id", Long.class),
        details);
  }
}
