package org.rollbackjobs.jobs.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.jobs.JarProcess;
import org.rollbackjobs.jobs.faults.FaultReport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A drill of the packaged JAR killed with SIGKILL once its sandbox exists, then the next drill of the system (in
 * process): it removes what the killed one left, records it as aborted, and production is as before both.
 */
class DrillKillIT extends DrillTestSystem {
  @Autowired Environment environment;
  private JarProcess started;

  @DynamicPropertySource
  static void ownCatalog(DynamicPropertyRegistry registry) {
    registry.add("rollback.iceberg.catalog-name", () -> "rollback_drill_kill_it");
  }

  @AfterEach
  void killTheJar() throws InterruptedException {
    if (started != null) {
      started.process().destroyForcibly();
      started.process().waitFor(1, TimeUnit.MINUTES);
    }
  }

  @Test
  void aDrillKilledMidwayIsRecordedAbortedAndTheNextDrillRemovesItsSandbox() throws Exception {
    incident();
    Map<String, Object> production = production();
    started = JarProcess.start(JarProcess.env(environment), "drill", "--system-file", systemFile.toString(),
        "--inject", "mixed-embeddings", "--reason", "a drill to be killed", "--json");
    String[] run = new String[1];
    started.awaitAlive("the drill's sandbox created", Duration.ofMillis(10), () -> {
      run[0] = jdbc.query("SELECT run_id FROM rollback.drills WHERE system = ? AND verdict = 'running'",
          rs -> rs.next() ? rs.getString(1) : null, ns);
      return run[0] != null && jdbc.queryForObject("SELECT count(*) FROM pg_namespace WHERE nspname = ?",
          Long.class, "rollback_drill_" + run[0]) == 1;
    });
    started.kill();
    String killed = run[0];

    // what the killed drill left: its record still running, its branches and its schema; production as before
    assertThat(verdict(killed)).isEqualTo("running");
    assertThat(table(ns + ".txn").refs()).containsKey("drill-" + killed);
    assertThat(table(ns + ".customer_features").refs()).containsKey("drill-" + killed);
    assertThat(production()).isEqualTo(production);

    Result next = drill();
    assertThat(next.exitCode()).as(next.stderr() + next.stdout()).isZero();
    JsonNode json = next.json();
    assertThat(json.get("verdict").asText()).isEqualTo("passed");
    assertThat(json.get("production-untouched").asBoolean()).isTrue();
    assertThat(json.get("removed").toString()).contains(ns + ".txn branch drill-" + killed,
        ns + ".customer_features branch drill-" + killed, "schema rollback_drill_" + killed);
    assertNoSandbox(killed);
    assertNoSandbox(json.get("run-id").asText());
    assertThat(verdict(killed)).isEqualTo("aborted");
    assertThat(jdbc.queryForObject("SELECT ended_at IS NOT NULL FROM rollback.drills WHERE run_id = ?",
        Boolean.class, killed)).isTrue();
    assertThat(production()).isEqualTo(production);
    FaultReport.row("SIGKILL once the drill's sandbox exists", "drill", "the next drill removed the branches and the"
        + " schema, recorded the killed one aborted, passed; production unchanged", "none");
  }

  private String verdict(String run) {
    return jdbc.queryForObject("SELECT verdict FROM rollback.drills WHERE run_id = ?", String.class, run);
  }
}
