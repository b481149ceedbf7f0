package org.rollbackjobs.jobs.rollback;

import java.time.Instant;

/** One person's approval of one plan in one role. */
public record Approval(String planId, String approver, String role, String reason, Instant approvedAt) {}
