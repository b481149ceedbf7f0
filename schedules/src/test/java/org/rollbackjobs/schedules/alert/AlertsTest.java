package org.rollbackjobs.schedules.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.schedules.RunningSchedulers;
import org.springframework.context.ConfigurableApplicationContext;

/** {@code POST /alerts}: token, deduplication, approvals, all against a running scheduler. */
class AlertsTest {
  private static final String TOKEN = "s3cret-" + UUID.randomUUID();
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path dir;

  private final String alertname = "Drop" + UUID.randomUUID().toString().substring(0, 8);
  private final String system = "shop-" + alertname.toLowerCase();

  private ConfigurableApplicationContext start(RunningSchedulers schedulers, int autoApprove) throws Exception {
    Path file = Files.writeString(dir.resolve("schedules.yml"), """
        alerts:
          - match: {alertname: %s, severity: page}
            rollback: {to-manifest: previous}
            auto-approve-up-to-level: %d
        """.formatted(alertname, autoApprove));
    Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    return schedulers.start("instance-a", file, Map.of("rollback.scheduler.alert-token-file", tokenFile.toString(),
        "rollback.scheduler.approval-poll", "500ms"));
  }

  private String payload(String status, String startsAt) {
    return """
        {"version":"4","groupKey":"{}:{alertname=\\"%1$s\\"}","status":"%2$s","receiver":"rollback",
         "groupLabels":{"alertname":"%1$s"},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am:9093",
         "truncatedAlerts":0,
         "alerts":[{"status":"%2$s","labels":{"alertname":"%1$s","severity":"page","system":"%3$s"},
                    "annotations":{"summary":"answers got worse\\n; rm -rf /"},"startsAt":"%4$s",
                    "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom/graph","fingerprint":"c0ffee%1$s"}]}
        """.formatted(alertname, status, system, startsAt);
  }

  private HttpResponse<String> post(ConfigurableApplicationContext context, String body, String authorization)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + context.getEnvironment().getProperty("local.server.port") + "/alerts"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<Map<String, Object>> records(RunningSchedulers schedulers) {
    return schedulers.jdbc.queryForList("SELECT * FROM rollback_scheduler.alert_rollbacks WHERE alertname = ?",
        alertname);
  }

  private void await(RunningSchedulers schedulers, Predicate<List<Map<String, Object>>> condition) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!condition.test(records(schedulers)) && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
    }
    assertThat(condition).accepts(records(schedulers));
  }

  private static Predicate<List<Map<String, Object>>> status(String status) {
    return records -> records.size() == 1 && status.equals(records.get(0).get("status"));
  }

  @Test
  void withoutTheTokenNothingStarts() throws Exception {
    try (RunningSchedulers schedulers = new RunningSchedulers(dir)) {
      ConfigurableApplicationContext scheduler = start(schedulers, 4);
      String body = payload("firing", "2026-12-06T01:00:00Z");
      for (String authorization : new String[] {null, "Bearer wrong", "Basic " + TOKEN, TOKEN}) {
        HttpResponse<String> response = post(scheduler, body, authorization);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).doesNotContain(TOKEN);
      }
      Thread.sleep(500);
      assertThat(records(schedulers)).isEmpty();
      assertThat(schedulers.commands()).isEmpty();
    }
  }

  @Test
  void oneAlertDeliveredSixTimesStartsOneRollbackThatWaitsForApproval() throws Exception {
    try (RunningSchedulers schedulers = new RunningSchedulers(dir)) {
      ConfigurableApplicationContext scheduler = start(schedulers, 2);
      String body = payload("firing", "2026-12-06T01:00:00Z");
      List<HttpResponse<String>> responses = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        responses.add(post(scheduler, body, "Bearer " + TOKEN));
      }
      List<CompletableFuture<HttpResponse<String>>> concurrent = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        concurrent.add(CompletableFuture.supplyAsync(() -> {
          try {
            return post(scheduler, body, "Bearer " + TOKEN);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      concurrent.forEach(f -> responses.add(f.join()));
      assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(202));
      assertThat(responses.stream().filter(r -> r.body().contains("\"acted\":1"))).hasSize(1);
      assertThat(responses.stream().filter(r -> r.body().contains("\"deduplicated\":1"))).hasSize(5);

      // level 4 > auto-approve-up-to-level 2: planned, refused once for real (that notifies), then waits
      await(schedulers, status("waiting-approval"));
      Thread.sleep(1500);
      List<String> commands = schedulers.commands();
      assertThat(commands.stream().filter(c -> c.startsWith("rollback --system " + system) && !c.contains("--dry-run")))
          .hasSize(1);
      assertThat(commands).noneMatch(c -> c.startsWith("approve"));
      assertThat(commands.get(0)).isEqualTo("rollback --system " + system + " --to-manifest previous --actor"
          + " rollback-scheduler --json --dry-run");

      Files.createFile(dir.resolve("approved")); // what 'approve' by the leads records
      await(schedulers, status("completed"));
      Map<String, Object> done = records(schedulers).get(0);
      assertThat(done.get("plan_id")).isEqualTo("plan-1");
      assertThat(done.get("level")).isEqualTo(4);
      assertThat(done.get("exit_code")).isEqualTo(0);
      List<String> real = schedulers.commands().stream()
          .filter(c -> c.startsWith("rollback ") && !c.contains("--dry-run")).toList();
      assertThat(real).hasSize(2); // the refused one that notified, and the rollback
      assertThat(real.get(1)).contains("--reason alert " + alertname + " (fingerprint c0ffee" + alertname
          + ", firing since 2026-12-06T01:00:00Z): answers got worse ; rm -rf /");

      // the same alert again later, and its resolution: nothing more (counted from here: how many approval
      // polls ran before the approval was seen depends on timing)
      int afterRollback = schedulers.commands().size();
      assertThat(post(scheduler, body, "Bearer " + TOKEN).body()).contains("\"deduplicated\":1");
      assertThat(post(scheduler, payload("resolved", "2026-12-06T01:00:00Z"), "Bearer " + TOKEN).body())
          .contains("\"ignored\":1");
      Thread.sleep(500);
      assertThat(schedulers.commands()).hasSize(afterRollback);

      String base = "http://127.0.0.1:" + scheduler.getEnvironment().getProperty("local.server.port");
      String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("rollback_scheduler_alerts_total{outcome=\"acted\"} 1.0",
          "rollback_scheduler_alerts_total{outcome=\"deduplicated\"} 6.0",
          "rollback_scheduler_alerts_total{outcome=\"received\"} 8.0");
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).contains("\"status\":\"UP\"");
    }
  }

  @Test
  void aPlanWithinTheAutoApproveLevelIsApprovedByTheSchedulerAndRuns() throws Exception {
    try (RunningSchedulers schedulers = new RunningSchedulers(dir)) {
      Files.writeString(dir.resolve("level"), "3");
      ConfigurableApplicationContext scheduler = start(schedulers, 3);
      assertThat(post(scheduler, payload("firing", "2026-12-06T02:00:00Z"), "Bearer " + TOKEN).statusCode())
          .isEqualTo(202);
      await(schedulers, status("completed"));
      assertThat(schedulers.commands()).containsExactly(
          "rollback --system " + system + " --to-manifest previous --actor rollback-scheduler --json --dry-run",
          "approve --system " + system + " --plan plan-1 --approver rollback-scheduler/data-engineering-lead --role"
              + " data-engineering-lead --reason auto-approved: level 3 <= auto-approve-up-to-level of the alert"
              + " rule; alert " + alertname + " (fingerprint c0ffee" + alertname + ", firing since"
              + " 2026-12-06T02:00:00Z): answers got worse ; rm -rf / --json",
          "rollback --system " + system + " --to-manifest previous --actor rollback-scheduler --json --dry-run",
          "rollback --system " + system + " --to-manifest previous --actor rollback-scheduler --json --reason alert "
              + alertname + " (fingerprint c0ffee" + alertname + ", firing since 2026-12-06T02:00:00Z): answers got"
              + " worse ; rm -rf /");
    }
  }

  @Test
  void aWaitForApprovalsOutlivesTheInstanceThatWaitedAnotherTakesItOverAndRunsOnceApproved() throws Exception {
    try (RunningSchedulers schedulers = new RunningSchedulers(dir)) {
      ConfigurableApplicationContext first = start(schedulers, 2);
      assertThat(post(first, payload("firing", "2026-12-06T03:00:00Z"), "Bearer " + TOKEN).statusCode())
          .isEqualTo(202);
      await(schedulers, status("waiting-approval"));
      first.close(); // the instance that waited stops (a restart, a lost node)
      int before = schedulers.commands().size();
      Files.createFile(dir.resolve("approved"));

      Path file = dir.resolve("schedules.yml");
      ConfigurableApplicationContext second = schedulers.start("instance-b", file, Map.of(
          "rollback.scheduler.alert-token-file", dir.resolve("token").toString(),
          "rollback.scheduler.approval-poll", "500ms", "rollback.scheduler.approval-takeover", "2s"));
      await(schedulers, status("completed"));
      List<String> after = schedulers.commands().subList(before, schedulers.commands().size());
      assertThat(after).as("the new instance planned again, then ran the approved rollback once").containsExactly(
          "rollback --system " + system + " --to-manifest previous --actor rollback-scheduler --json --dry-run",
          "rollback --system " + system + " --to-manifest previous --actor rollback-scheduler --json --reason alert "
              + alertname + " (fingerprint c0ffee" + alertname + ", firing since 2026-12-06T03:00:00Z): answers got"
              + " worse ; rm -rf /");
      assertThat(records(schedulers).get(0).get("plan_id")).isEqualTo("plan-1");
      assertThat(second.isActive()).isTrue();
    }
  }
}
