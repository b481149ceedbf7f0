package org.rollbackjobs.schedules.file;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A rollback started by an alert: every label in {@code match} must equal the alert's; the system is the rule's
 * ({@code rollback.system} / {@code rollback.system-file}) or else the alert's {@code system} label. Plans of a
 * level up to {@code auto-approve-up-to-level} run at once (the scheduler records the approvals they need, as
 * itself); higher levels wait for {@code approve}.
 */
public record AlertRule(Map<String, String> match, Target rollback, int autoApproveUpToLevel) {

  /** What to roll back to. */
  public record Target(String system, String systemFile, String toManifest) {
    @JsonCreator
    static Target of(@JsonProperty("system") String system, @JsonProperty("system-file") String systemFile,
        @JsonProperty("to-manifest") String toManifest) {
      Rules.oneSystem(system, systemFile);
      return new Target(system, systemFile, toManifest == null ? "previous" : Rules.toManifest(toManifest, false));
    }
  }

  @JsonCreator
  static AlertRule of(@JsonProperty(value = "match", required = true) Map<String, String> match,
      @JsonProperty("rollback") Target rollback,
      @JsonProperty("auto-approve-up-to-level") Integer autoApproveUpToLevel) {
    if (match == null || match.isEmpty()) {
      throw new IllegalArgumentException("'match' needs at least one label, for example {alertname: SearchQualityDrop}");
    }
    match.forEach((label, value) -> {
      if (label == null || value == null || label.isBlank()) {
        throw new IllegalArgumentException("'match' labels and values must be non-empty strings");
      }
    });
    int level = autoApproveUpToLevel == null ? 0 : autoApproveUpToLevel;
    if (level < 0 || level > 4) {
      throw new IllegalArgumentException("'auto-approve-up-to-level' " + level + " is not a rollback level: 0 (never"
          + " auto-approve) to 4 (1 model only, 2 system version, 3 feature pipeline, 4 data)");
    }
    Target target = rollback == null ? new Target(null, null, "previous") : rollback;
    return new AlertRule(Map.copyOf(match), target, level);
  }

  /** Whether an alert with these labels matches. */
  public boolean matches(Map<String, String> labels) {
    return match.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  /**
   * The system-selecting arguments of the job JAR for an alert with these labels, or a problem: a rule without a
   * system takes the alert's {@code system} label, which must be a valid system name.
   */
  public List<String> systemArguments(Map<String, String> labels) {
    if (rollback.system() != null || rollback.systemFile() != null) {
      return Rules.systemArguments(rollback.system(), rollback.systemFile());
    }
    String label = labels.get("system");
    if (label == null) {
      throw new IllegalArgumentException("the rule names no system and the alert has no 'system' label");
    }
    return Rules.systemArguments(Rules.system(label), null);
  }

  /** The job JAR's {@code rollback} command line for an alert with these labels (without the launcher). */
  public List<String> rollbackArguments(Map<String, String> labels, String reason, boolean dryRun) {
    List<String> args = new ArrayList<>(List.of("rollback"));
    args.addAll(systemArguments(labels));
    args.addAll(List.of("--to-manifest", rollback.toManifest(), "--actor", Rules.ACTOR, "--json"));
    args.addAll(dryRun ? List.of("--dry-run") : List.of("--reason", reason));
    return args;
  }

  /** The job JAR's {@code approve} command line recording the scheduler's approval of one role. */
  public List<String> approveArguments(Map<String, String> labels, String planId, String role, String reason) {
    List<String> args = new ArrayList<>(List.of("approve"));
    args.addAll(systemArguments(labels));
    args.addAll(List.of("--plan", planId, "--approver", Rules.ACTOR + "/" + role, "--role", role, "--reason", reason,
        "--json"));
    return args;
  }
}
