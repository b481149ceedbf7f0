package org.rollbackjobs.schedules.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulesFileTest {
  private static final Path FILE = Path.of("schedules.yml");

  private static Schedules parse(String yaml) {
    return SchedulesFile.parse(FILE, yaml.getBytes(StandardCharsets.UTF_8));
  }

  private static void refused(String yaml, String... parts) {
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(BadSchedulesException.class).message().contains(parts);
  }

  @Test
  void readsTheIssuesExample() {
    Schedules schedules = parse("""
        drills:
          - system: support-search          # or system-file: PATH
            cron: "0 0 3 * * MON"
            zone: Europe/Berlin
            inject: bad-load
            to-manifest: previous
        alerts:
          - match: {alertname: SearchQualityDrop, system: support-search}
            rollback: {to-manifest: previous}
            auto-approve-up-to-level: 2
        """);
    DrillRule drill = schedules.drills().get(0);
    assertThat(drill.system()).isEqualTo("support-search");
    assertThat(drill.zone().getId()).isEqualTo("Europe/Berlin");
    assertThat(drill.arguments("r")).containsExactly("drill", "--system", "support-search", "--to-manifest",
        "previous", "--inject", "bad-load", "--reason", "r", "--actor", "rollback-scheduler", "--json");
    AlertRule rule = schedules.alerts().get(0);
    assertThat(rule.autoApproveUpToLevel()).isEqualTo(2);
    Map<String, String> labels = Map.of("alertname", "SearchQualityDrop", "system", "support-search", "x", "y");
    assertThat(rule.matches(labels)).isTrue();
    assertThat(rule.matches(Map.of("alertname", "SearchQualityDrop"))).isFalse();
    assertThat(rule.rollbackArguments(labels, "why", true)).containsExactly("rollback", "--system",
        "support-search", "--to-manifest", "previous", "--actor", "rollback-scheduler", "--json", "--dry-run");
  }

  @Test
  void theExampleFileIsValid() {
    Schedules example = SchedulesFile.read(Path.of("examples/schedules.yml"));
    assertThat(example.drills()).hasSize(2);
    assertThat(example.alerts()).singleElement().satisfies(a -> assertThat(a.autoApproveUpToLevel()).isEqualTo(2));
  }

  @Test
  void defaults() {
    DrillRule drill = parse("drills: [{system-file: /etc/rollback/s.yml, cron: '0 */5 * * * *'}]").drills().get(0);
    assertThat(drill.inject()).isEqualTo("none");
    assertThat(drill.toManifest()).isNull();
    assertThat(drill.catchUp()).isFalse();
    assertThat(drill.arguments("r")).startsWith("drill", "--system-file", "/etc/rollback/s.yml", "--inject");
  }

  @Test
  void badCronNamesTheLineTheKeyAndTheSyntax() {
    refused("""
        drills:
          - system: a
            cron: "0 3 * * MON"
        """, "schedules.yml:3", "drills[0]", "'0 3 * * MON' is not a cron expression", "six fields");
  }

  @Test
  void unknownKeyNamesTheValidOnes() {
    refused("""
        drills:
          - system: a
            cron: "0 0 3 * * *"
            injcet: bad-load
        """, "schedules.yml:4", "unknown key 'injcet'", "inject", "catch-up");
  }

  @Test
  void refusesWhatWouldBeWrongLater() {
    refused("drills: [{system: a, cron: '0 0 3 * * *', inject: fire}]", "'inject' 'fire' is not one of",
        "bad-load, mixed-embeddings, none, stale-features");
    refused("drills: [{system: a, system-file: b.yml, cron: '0 0 3 * * *'}]", "not both");
    refused("drills: [{cron: '0 0 3 * * *'}]", "needs 'system'");
    refused("drills: [{system: \"a; DROP TABLE x\", cron: '0 0 3 * * *'}]", "is not a system name");
    // what the job JAR would refuse at the first drill is refused when the file is read
    refused("drills: [{system: Support-Search, cron: '0 0 3 * * *'}]", "is not a system name: lower-case");
    refused("drills: [{system: " + "s".repeat(64) + ", cron: '0 0 3 * * *'}]", "at most 63 characters");
    refused("drills: [{system: a, cron: '0 0 3 * * *', zone: Mars/Olympus}]", "not a time zone");
    refused("drills: [{system: a, cron: '0 0 3 * * *', to-manifest: latest}]", "neither a manifest id");
    refused("alerts: [{match: {}, rollback: {system: a}}]", "'match' needs at least one label");
    refused("alerts: [{match: {a: b}, auto-approve-up-to-level: 7}]", "not a rollback level");
    refused("drills: []", "needs 'drills' or 'alerts'");
    refused("drills: [{system: a, cron: '0 0 3 * * *'}]\ndrills: []", "Duplicate field 'drills'");
    refused("drills:\n  - {system: !!java.io.File a, cron: '0 0 3 * * *'}", "schedules.yml:2",
        "java.io.File");
    refused("drills:\n  - system: a\n    cron: !cron '0 0 3 * * *'", "schedules.yml:3", "the tag !cron", "remove it");
  }

  @Test
  void refusesAnAliasBomb() {
    StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      char prev = (char) (c - 1);
      yaml.append(c).append(": &").append(c).append(" [*").append(prev).append(", *").append(prev).append(", *")
          .append(prev).append(", *").append(prev).append(", *").append(prev).append(", *").append(prev)
          .append(", *").append(prev).append(", *").append(prev).append(", *").append(prev).append("]\n");
    }
    yaml.append("drills: [{system: a, cron: '0 0 3 * * *'}]\n");
    refused(yaml.toString(), "schedules.yml");
  }

  @Test
  void alertWithoutSystemTakesTheAlertsLabelIfItIsAName() {
    AlertRule rule = parse("alerts: [{match: {alertname: Drop}}]").alerts().get(0);
    assertThat(rule.systemArguments(Map.of("system", "shop"))).containsExactly("--system", "shop");
    assertThatThrownBy(() -> rule.systemArguments(Map.of("alertname", "Drop")))
        .hasMessageContaining("no 'system' label");
    assertThatThrownBy(() -> rule.systemArguments(Map.of("system", "../../etc/passwd")))
        .hasMessageContaining("is not a system name");
  }
}
