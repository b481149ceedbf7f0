package org.rollbackjobs.schedules.file;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A schedules file: drills on cron and rollbacks started by alerts. */
public record Schedules(List<DrillRule> drills, List<AlertRule> alerts) {
  @JsonCreator
  static Schedules of(@JsonProperty("drills") List<DrillRule> drills, @JsonProperty("alerts") List<AlertRule> alerts) {
    List<DrillRule> d = drills == null ? List.of() : List.copyOf(drills);
    List<AlertRule> a = alerts == null ? List.of() : List.copyOf(alerts);
    if (d.isEmpty() && a.isEmpty()) {
      throw new IllegalArgumentException("a schedules file needs 'drills' or 'alerts' (or both)");
    }
    return new Schedules(d, a);
  }
}
