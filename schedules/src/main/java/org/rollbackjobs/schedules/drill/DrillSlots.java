package org.rollbackjobs.schedules.drill;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.rollbackjobs.schedules.launch.JobCommand;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** {@code rollback_scheduler.drill_slots}: one row per drill slot, claimed by exactly one instance. */
@Repository
public class DrillSlots {
  private final JdbcTemplate jdbc;

  public DrillSlots(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Claims a slot for this instance in one statement: a new slot, or one recorded as missed (catch-up). False when
   * another instance has it (or had it).
   */
  public boolean claim(String drill, Instant slot, String instance) {
    return jdbc.update("""
        INSERT INTO rollback_scheduler.drill_slots (drill, slot, status, instance, started_at)
        VALUES (?, ?, 'running', ?, now())
        ON CONFLICT (drill, slot) DO UPDATE SET status = 'running', instance = EXCLUDED.instance, started_at = now()
        WHERE drill_slots.status = 'missed'""", drill, Timestamp.from(slot), instance) == 1;
  }

  public void complete(String drill, Instant slot, String status, JobCommand.Result result, String error) {
    jdbc.update("""
        UPDATE rollback_scheduler.drill_slots SET status = ?, ended_at = now(), exit_code = ?, result = ?::jsonb,
          error = ? WHERE drill = ? AND slot = ?""",
        status, result == null || result.stopped() ? null : result.exitCode(),
        result == null || result.json() == null ? null : result.json().toString(), error, drill, Timestamp.from(slot));
  }

  /** Records slots nobody ran; a slot already recorded stays as it is. */
  public int missed(String drill, List<Instant> slots) {
    int recorded = 0;
    for (Instant slot : slots) {
      recorded += jdbc.update("""
          INSERT INTO rollback_scheduler.drill_slots (drill, slot, status, error)
          VALUES (?, ?, 'missed', 'no scheduler ran at this time') ON CONFLICT (drill, slot) DO NOTHING""",
          drill, Timestamp.from(slot));
    }
    return recorded;
  }

  /** The newest slot recorded for a drill, if any. */
  public Optional<Instant> latest(String drill) {
    Timestamp latest = jdbc.queryForObject("SELECT max(slot) FROM rollback_scheduler.drill_slots WHERE drill = ?",
        Timestamp.class, drill);
    return Optional.ofNullable(latest).map(Timestamp::toInstant);
  }

  /** Marks this instance's slots still 'running' as aborted: at start (a crash before) and at shutdown. */
  public int abortRunning(String instance, String error) {
    return jdbc.update("""
        UPDATE rollback_scheduler.drill_slots SET status = 'aborted', ended_at = now(), error = ?
        WHERE status = 'running' AND instance = ?""", error, instance);
  }

  /** Marks slots 'running' for longer than a drill may run as aborted: their scheduler died with them. */
  public int abortStale(java.time.Duration longest) {
    return jdbc.update("""
        UPDATE rollback_scheduler.drill_slots SET status = 'aborted', ended_at = now(),
          error = 'the scheduler that ran it stopped before the drill ended'
        WHERE status = 'running' AND started_at < now() - make_interval(secs => ?)""", (double) longest.toSeconds());
  }

  /** The database's clock: slots are decided by it, not by the clocks of the machines the instances run on. */
  public Instant now() {
    return jdbc.queryForObject("SELECT now()", Timestamp.class).toInstant();
  }
}
