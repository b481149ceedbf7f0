package org.rollbackjobs.schedules.alert;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** {@code rollback_scheduler.alert_rollbacks}: one row per alert acted on; its key makes redeliveries harmless. */
@Repository
public class AlertRecords {
  private final JdbcTemplate jdbc;

  public AlertRecords(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The alert's identity. */
  public record Key(String groupKey, String fingerprint, Instant startsAt) {}

  /** Records a new alert; false when this alert was received before (a redelivery). */
  public boolean claim(Key key, String alertname, String system, int rule) {
    return jdbc.update("""
        INSERT INTO rollback_scheduler.alert_rollbacks (group_key, fingerprint, starts_at, alertname, system, rule,
          status) VALUES (?, ?, ?, ?, ?, ?, 'planning') ON CONFLICT DO NOTHING""",
        key.groupKey(), key.fingerprint(), Timestamp.from(key.startsAt()), alertname, system, rule) == 1;
  }

  public void update(Key key, String status, String planId, Integer level, Integer exitCode, String result) {
    jdbc.update("""
        UPDATE rollback_scheduler.alert_rollbacks SET status = ?, plan_id = coalesce(?, plan_id),
          level = coalesce(?, level), exit_code = ?, result = coalesce(?::jsonb, result), updated_at = now()
        WHERE group_key = ? AND fingerprint = ? AND starts_at = ?""",
        status, planId, level, exitCode, result, key.groupKey(), key.fingerprint(), Timestamp.from(key.startsAt()));
  }
}
