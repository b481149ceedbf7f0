package org.rollbackjobs.jobs.rollback;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.rollbackjobs.jobs.store.StoredJson;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Plans and their approvals in PostgreSQL ({@code rollback.rollback_plans}, {@code rollback.rollback_approvals}).
 * Every plan made is kept under its id (a dry run's too), so that it can be approved before it runs.
 */
@Repository
public class RollbackPlans {
  private final JdbcTemplate jdbc;

  public RollbackPlans(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Stores the plan unless a plan with its id exists (same id, same content). */
  public void save(RollbackPlan plan) {
    jdbc.update("INSERT INTO rollback.rollback_plans (plan_id, system, manifest_id, level, content)"
            + " VALUES (?, ?, ?, ?, ?::jsonb) ON CONFLICT (plan_id) DO NOTHING",
        plan.planId(), plan.system(), plan.manifestId(), plan.level(), StoredJson.write(plan));
  }

  public Optional<RollbackPlan> find(String planId) {
    return jdbc.query("SELECT content::text FROM rollback.rollback_plans WHERE plan_id = ?",
        (rs, row) -> StoredJson.read(rs.getString(1), RollbackPlan.class), planId).stream().findFirst();
  }

  public RollbackPlan get(String planId) {
    return find(planId).orElseThrow(() -> new IllegalStateException("rollback plan " + planId + " is not stored"));
  }

  /** Records an approval; false when this person had approved this plan in this role already. */
  public boolean approve(String planId, String approver, String role, String reason) {
    return jdbc.update("INSERT INTO rollback.rollback_approvals (plan_id, approver, role, reason) VALUES (?, ?, ?, ?)"
        + " ON CONFLICT (plan_id, role, approver) DO NOTHING", planId, approver, role, reason) == 1;
  }

  public List<Approval> approvals(String planId) {
    return jdbc.query("SELECT plan_id, approver, role, reason, approved_at FROM rollback.rollback_approvals"
        + " WHERE plan_id = ? ORDER BY id", RollbackPlans::approval, planId);
  }

  /** The latest approved plan of the system and manifest other than this one: the plan that changed, if any. */
  public Optional<String> latestApprovedOther(String system, long manifestId, String planId) {
    return jdbc.queryForList("SELECT p.plan_id FROM rollback.rollback_plans p JOIN rollback.rollback_approvals a"
        + " ON a.plan_id = p.plan_id WHERE p.system = ? AND p.manifest_id = ? AND p.plan_id <> ?"
        + " ORDER BY a.approved_at DESC LIMIT 1", String.class, system, manifestId, planId).stream().findFirst();
  }

  private static Approval approval(ResultSet rs, int row) throws SQLException {
    return new Approval(rs.getString("plan_id"), rs.getString("approver"), rs.getString("role"), rs.getString("reason"),
        rs.getTimestamp("approved_at").toInstant());
  }
}
