package org.rollbackjobs.schedules.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.schedules.RunningSchedulers;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The scheduler with the real job JAR (the other scheduler tests use a recording script): an alert starts a
 * rollback of the example system through the launcher, with the configuration the scheduler hands on, and the
 * rollback's retrain request reaches the example model's webhook.
 */
class SchedulerWithTheJobJarTest {
  @TempDir Path dir;

  @Test
  void anAlertRollsTheExampleSystemBackThroughTheJobJar() throws Exception {
    JobSuite suite = JobSuite.withExampleSystem();
    // the example system's model retrains through a webhook on 127.0.0.1:8099 (jobs/examples/systems)
    List<String> retrains = new CopyOnWriteArrayList<>();
    HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 8099), 0);
    webhook.createContext("/retrain", exchange -> {
      retrains.add(exchange.getRequestMethod() + " " + new String(exchange.getRequestBody().readAllBytes(),
          StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    webhook.start();
    Map<String, String> env = suite.env();
    Path token = Files.writeString(dir.resolve("token"), "e2e-token\n");
    try (RunningSchedulers schedulers = new RunningSchedulers(dir)) {
      ConfigurableApplicationContext scheduler = schedulers.start("instance-e2e", Files.writeString(
          dir.resolve("schedules.yml"), """
              alerts:
                - match: {alertname: ExampleE2E}
                  rollback: {system: support-search, to-manifest: "1"}
                  auto-approve-up-to-level: 4
              """), Map.of(
          "rollback.scheduler.job-command", JobSuite.LAUNCHER.toString(),
          "rollback.scheduler.alert-token-file", token.toString(),
          // handed on to the job JAR in its environment, as a user's configuration would be
          "rollback.iceberg.catalog-name", env.get("ROLLBACK_ICEBERG_CATALOGNAME"),
          "rollback.iceberg.catalog.warehouse", env.get("ROLLBACK_ICEBERG_CATALOG_WAREHOUSE"),
          "rollback.systems.dir", env.get("ROLLBACK_SYSTEMS_DIR")));
      String body = """
          {"version":"4","groupKey":"{}:{alertname=\\"ExampleE2E\\"}","status":"firing","receiver":"rollback",
           "alerts":[{"status":"firing","labels":{"alertname":"ExampleE2E"},"annotations":{},
                      "startsAt":"2026-12-06T04:00:00Z","fingerprint":"e2e"}]}""";
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
              "http://127.0.0.1:" + scheduler.getEnvironment().getProperty("local.server.port") + "/alerts"))
          .header("Content-Type", "application/json").header("Authorization", "Bearer e2e-token")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(202);

      Instant deadline = Instant.now().plusSeconds(240);
      List<Map<String, Object>> rows;
      do {
        Thread.sleep(500);
        rows = schedulers.jdbc.queryForList("SELECT status, exit_code, result::text AS result FROM"
            + " rollback_scheduler.alert_rollbacks WHERE alertname = 'ExampleE2E'");
      } while (Instant.now().isBefore(deadline) && (rows.isEmpty()
          || List.of("planning", "running").contains(rows.get(0).get("status"))));
      // the data is at manifest 1 already; the model was never trained on it: a level-1 plan, no approval needed,
      // the retrain request delivered, verify clean
      assertThat(rows).singleElement().satisfies(row -> {
        assertThat(row.get("status")).as("%s", row).isEqualTo("completed");
        assertThat(row.get("exit_code")).isEqualTo(0);
        assertThat((String) row.get("result")).contains("\"command\": \"rollback\"",
            "\"system\": \"support-search\"", "\"level\": 1", "\"clean\": true");
      });
      assertThat(retrains).singleElement().satisfies(r -> assertThat(r).startsWith("POST ").contains("churn-model"));
    } finally {
      webhook.stop(0);
    }
  }
}
