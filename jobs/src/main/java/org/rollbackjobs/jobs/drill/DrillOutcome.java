package org.rollbackjobs.jobs.drill;

import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.rollback.Guard;
import org.rollbackjobs.jobs.verify.Finding;

/**
 * What a drill did and found.
 *
 * @param status {@code passed}, {@code failed}, {@code refused} (a guard; nothing created) or {@code planned}
 *     (a dry run)
 * @param verdict {@code passed}, {@code failed} or {@code aborted} (null for a dry run)
 * @param detected whether verify found the injected fault before the rollback (null: nothing injected)
 * @param productionUntouched whether every fingerprint of production is as before (null: not compared)
 * @param fingerprints each part of production before and after
 * @param components the sandbox rollback's plan and what each component did
 * @param removed what the drill removed: its own sandbox and leftovers of earlier drills
 * @param sandboxHint how to remove a kept sandbox, or null
 */
public record DrillOutcome(String status, String verdict, int exitCode, String runId, String system,
    Long manifestId, Inject inject, String hypothesis, Boolean detected, Boolean productionUntouched,
    List<Map<String, Object>> phases, Long timeToRollbackMs, List<Finding> findingsBefore,
    List<Finding> findingsAfter, List<Map<String, Object>> fingerprints, List<Guard> guards,
    List<Map<String, Object>> components, Long jobExecutionId, boolean kept, List<String> removed,
    String sandboxHint, String error) {}
