package org.rollbackjobs.schedules.file;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.scheduling.support.CronExpression;

/**
 * One scheduled drill: which system, when (Spring's six-field cron, in {@code zone} or the machine's zone), which
 * fault to inject and which manifest to roll back to; {@code catch-up} runs a slot missed while no scheduler ran
 * once, when a scheduler starts again.
 */
public record DrillRule(String system, String systemFile, CronExpression cron, String cronText, ZoneId zone,
    String inject, String toManifest, boolean catchUp) {
  static final Set<String> INJECTS = Set.of("none", "bad-load", "stale-features", "mixed-embeddings");

  @JsonCreator
  static DrillRule of(@JsonProperty("system") String system, @JsonProperty("system-file") String systemFile,
      @JsonProperty(value = "cron", required = true) String cron, @JsonProperty("zone") String zone,
      @JsonProperty("inject") String inject, @JsonProperty("to-manifest") String toManifest,
      @JsonProperty("catch-up") Boolean catchUp) {
    Rules.oneSystemRequired(system, systemFile);
    if (!CronExpression.isValidExpression(cron)) {
      throw new IllegalArgumentException("'cron' " + Rules.quote(cron) + " is not a cron expression of Spring's"
          + " syntax: six fields, second minute hour day-of-month month day-of-week, for example \"0 0 3 * * MON\"");
    }
    ZoneId zoneId;
    try {
      zoneId = zone == null ? ZoneId.systemDefault() : ZoneId.of(zone);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'zone' " + Rules.quote(zone) + " is not a time zone; valid: a region such"
          + " as Europe/Berlin, or UTC");
    }
    String fault = inject == null ? "none" : inject;
    if (!INJECTS.contains(fault)) {
      throw new IllegalArgumentException("'inject' " + Rules.quote(inject) + " is not one of "
          + String.join(", ", new TreeSet<>(INJECTS)));
    }
    return new DrillRule(system, systemFile, CronExpression.parse(cron), cron, zoneId, fault,
        Rules.toManifest(toManifest, true), Boolean.TRUE.equals(catchUp));
  }

  /** The drill's name in records and metrics: its system and its cron. */
  public String id() {
    return (system != null ? system : systemFile) + " @ " + cronText;
  }

  /** The job JAR's command line of this drill (without the launcher). */
  public List<String> arguments(String reason) {
    List<String> args = new ArrayList<>(List.of("drill"));
    args.addAll(Rules.systemArguments(system, systemFile));
    if (toManifest != null) {
      args.addAll(List.of("--to-manifest", toManifest));
    }
    args.addAll(List.of("--inject", inject, "--reason", reason, "--actor", Rules.ACTOR, "--json"));
    return args;
  }
}
