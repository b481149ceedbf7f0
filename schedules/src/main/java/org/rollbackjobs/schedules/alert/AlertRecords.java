package org.rollbackjobs.schedules.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** {@code rollback_scheduler.alert_rollbacks}: one row per alert acted on; its key makes redeliveries harmless. */
@Repository
public class AlertRecords {
  private final JdbcTemplate jdbc;
  private final ObjectMapper json;

  public AlertRecords(JdbcTemplate jdbc, ObjectMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** The alert's identity. */
  public record Key(String groupKey, String fingerprint, Instant startsAt) {}

  /** Records a new alert; false when this alert was received before (a redelivery). */
  public boolean claim(Key key, String alertname, String system, int rule, AlertmanagerPayload.Alert alert) {
    return jdbc.update("""
        INSERT INTO rollback_scheduler.alert_rollbacks (group_key, fingerprint, starts_at, alertname, system, rule,
          status, alert) VALUES (?, ?, ?, ?, ?, ?, 'planning', ?::jsonb) ON CONFLICT DO NOTHING""",
        key.groupKey(), key.fingerprint(), Timestamp.from(key.startsAt()), alertname, system, rule, write(alert)) == 1;
  }

  /** A rollback that waits for approvals, as stored: what is needed to go on waiting. */
  public record Waiting(Key key, int rule, AlertmanagerPayload.Alert alert, Instant receivedAt) {}

  /** The instance that waits for approvals shows it is alive (see {@link #takeOverAbandonedWaits}). */
  public void stillWaiting(Key key) {
    jdbc.update("""
        UPDATE rollback_scheduler.alert_rollbacks SET updated_at = now()
        WHERE group_key = ? AND fingerprint = ? AND starts_at = ? AND status = 'waiting-approval'""",
        key.groupKey(), key.fingerprint(), Timestamp.from(key.startsAt()));
  }

  /**
   * Takes over the rollbacks waiting for approvals whose waiting instance has not shown itself for {@code silence}
   * (it stopped or died): one statement, so that of several instances exactly one takes each.
   */
  public List<Waiting> takeOverAbandonedWaits(Duration silence) {
    return jdbc.query("""
        UPDATE rollback_scheduler.alert_rollbacks SET updated_at = now()
        WHERE status = 'waiting-approval' AND alert IS NOT NULL
          AND updated_at < now() - make_interval(secs => ?)
        RETURNING group_key, fingerprint, starts_at, rule, alert::text AS alert, received_at""",
        (rs, i) -> new Waiting(new Key(rs.getString("group_key"), rs.getString("fingerprint"),
            rs.getTimestamp("starts_at").toInstant()), rs.getInt("rule"), read(rs.getString("alert")),
            rs.getTimestamp("received_at").toInstant()),
        silence.toMillis() / 1000.0);
  }

  public void update(Key key, String status, String planId, Integer level, Integer exitCode, String result) {
    jdbc.update("""
        UPDATE rollback_scheduler.alert_rollbacks SET status = ?, plan_id = coalesce(?, plan_id),
          level = coalesce(?, level), exit_code = ?, result = coalesce(?::jsonb, result), updated_at = now()
        WHERE group_key = ? AND fingerprint = ? AND starts_at = ?""",
        status, planId, level, exitCode, result, key.groupKey(), key.fingerprint(), Timestamp.from(key.startsAt()));
  }

  private String write(AlertmanagerPayload.Alert alert) {
    try {
      return json.writeValueAsString(alert);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot store alert " + alert.fingerprint(), e);
    }
  }

  private AlertmanagerPayload.Alert read(String alert) {
    try {
      return json.readValue(alert, AlertmanagerPayload.Alert.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored alert is not readable: " + e.getOriginalMessage(), e);
    }
  }
}
