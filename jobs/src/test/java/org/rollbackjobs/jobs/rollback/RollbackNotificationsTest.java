package org.rollbackjobs.jobs.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.CliHarness;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.jobs.rollback.WebhookServer.Answer;
import org.rollbackjobs.jobs.rollback.WebhookServer.Received;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The webhooks of {@code rollback} ({@code rollback.notify.webhooks}) against two real local HTTP servers that check
 * the exact requests: a Slack-like URL with a token in its path, and a second one. A system of a dataset and a model
 * whose retrain trigger is a third local server; manifest 1 is the good state, the incident a bad load and a retrain
 * on it. Short timeouts and backoffs, so that a webhook that fails or hangs costs the tests seconds.
 */
@TestPropertySource(properties = {
    "rollback.notify.max-attempts=3",
    "rollback.notify.initial-backoff=20ms",
    "rollback.notify.max-backoff=2s",
    "rollback.notify.timeout=500ms",
    "rollback.retrain.max-attempts=1"})
@ExtendWith(OutputCaptureExtension.class)
class RollbackNotificationsTest extends CliHarness {
  private static final String SLACK_TOKEN = "T0000/B0000/XXXXsecretXXXX";
  private static final WebhookServer SLACK = new WebhookServer();
  private static final WebhookServer OTHER = new WebhookServer();
  private static final WebhookServer RETRAIN = new WebhookServer();

  @DynamicPropertySource
  static void webhooks(DynamicPropertyRegistry registry) {
    registry.add("rollback.notify.webhooks[0]", () -> SLACK.url("/services/" + SLACK_TOKEN));
    registry.add("rollback.notify.webhooks[1]", () -> OTHER.url("/hooks/other-token-123"));
  }

  @AfterAll
  static void stopServers() {
    SLACK.close();
    OTHER.close();
    RETRAIN.close();
  }

  @Autowired JdbcTemplate jdbc;

  String ns;
  Path systemFile;
  long goodManifest;

  @BeforeEach
  void knownGoodSystemThenIncident() throws IOException {
    SLACK.reset();
    OTHER.reset();
    RETRAIN.reset();
    ns = "nt" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    jdbc.execute("CREATE SCHEMA " + ns);
    Table txn = TxnSource.create(catalog, ns + ".txn");
    TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 31, 500, 40), 1);
    systemFile = Files.createTempDirectory("systems").resolve(ns + ".yml");
    Files.writeString(systemFile, """
        name: NS
        datasets:
          - table: NS.txn
        models:
          - name: churn
            version: "7"
            trains-on: [NS.txn]
            trigger:
              webhook: URL
        """.replace("NS", ns).replace("URL", RETRAIN.url("/retrain")));
    goodManifest = capture("deploy 1");
    ok(run("trigger-retrain", "--system-file", systemFile.toString(), "--model", "churn", "--reason", "deploy 1"));
    ok(verify(goodManifest));
    // the incident: a bad load, the model retrained on it
    TxnSource.append(table(ns + ".txn"), TxnSource.rows(TxnSource.SCHEMA, 33, 200, 20), 1);
    capture("deploy 2");
    ok(run("trigger-retrain", "--system-file", systemFile.toString(), "--model", "churn", "--reason", "deploy 2"));
    assertThat(verify(goodManifest).exitCode()).isEqualTo(3);
    assertThat(SLACK.received()).as("only rollbacks notify").isEmpty();
  }

  @Test
  void aCompletedRollbackSendsStartedThenCompletedAndADryRunOrANoopSendsNothing() {
    Result dry = rollback("--dry-run");
    assertThat(dry.exitCode()).isEqualTo(4);
    String planId = dry.json().get("plan-id").asText();
    assertThat(dry.json().get("notifications")).isEmpty();
    assertThat(SLACK.received()).as("a dry run notifies nobody").isEmpty();
    approve(planId);

    Result done = rollback();
    assertThat(done.exitCode()).as(done.stderr() + done.stdout()).isZero();
    JsonNode json = done.json();
    long execution = json.get("job-execution-id").asLong();

    for (WebhookServer hook : List.of(SLACK, OTHER)) {
      List<Received> requests = hook.received();
      assertThat(requests).extracting(r -> event(r).get("event").asText()).containsExactly("started", "completed");
      for (Received r : requests) {
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
      }
    }
    assertThat(SLACK.received().get(0).path()).isEqualTo("/services/" + SLACK_TOKEN);
    assertThat(OTHER.received().get(0).path()).isEqualTo("/hooks/other-token-123");

    JsonNode started = event(SLACK.received().get(0));
    assertThat(started.get("text").asText()).startsWith("Rollback started: system " + ns + " to manifest "
        + goodManifest + ", level 4 (data rollback), 2 components to move, by incident-commander: \"incident 42\"");
    assertThat(started.get("status").asText()).isEqualTo("running");
    assertThat(started.get("system").asText()).isEqualTo(ns);
    assertThat(started.get("manifest-id").asLong()).isEqualTo(goodManifest);
    assertThat(started.get("plan-id").asText()).isEqualTo(planId);
    assertThat(started.get("level").asInt()).isEqualTo(4);
    assertThat(started.get("actor").asText()).isEqualTo("incident-commander");
    assertThat(started.get("reason").asText()).isEqualTo("incident 42");
    assertThat(started.get("job-execution-id").isNull()).isTrue();
    assertThat(started.get("duration-ms").isNull()).isTrue();
    assertThat(started.get("findings-before").get("count").asInt()).isPositive();
    assertThat(started.get("findings-before").get("kinds").has("dataset-content-differs")).isTrue();
    assertThat(started.get("components").toString()).contains("\"component\":\"dataset\"", "\"action\":\"restore\"",
        "\"status\":\"pending\"");

    JsonNode completed = event(SLACK.received().get(1));
    assertThat(completed.get("text").asText()).startsWith("Rollback completed: system " + ns + " to manifest "
        + goodManifest + ", verify clean, in ").endsWith("(level 4, by incident-commander, job execution "
        + execution + ")");
    assertThat(completed.get("status").asText()).isEqualTo("completed");
    assertThat(completed.get("exit-code").asInt()).isZero();
    assertThat(completed.get("plan-id").asText()).isEqualTo(planId);
    assertThat(completed.get("job-execution-id").asLong()).isEqualTo(execution);
    assertThat(completed.get("duration-ms").asLong()).isPositive();
    assertThat(completed.get("time-to-rollback-ms").asLong()).isPositive();
    assertThat(completed.get("verify-clean").asBoolean()).isTrue();
    assertThat(completed.get("findings-after").get("count").asInt()).isZero();
    assertThat(completed.get("components").toString()).contains("\"status\":\"completed\"");

    // the command shows each delivery, URL redacted
    assertThat(json.get("notifications")).hasSize(4);
    assertThat(json.get("notifications").get(0).get("url").asText()).isEqualTo(
        "http://127.0.0.1:" + port(SLACK) + "/services/***");
    assertThat(json.get("notifications").get(1).get("url").asText()).isEqualTo(
        "http://127.0.0.1:" + port(OTHER) + "/hooks/***");
    json.get("notifications").forEach(n -> assertThat(n.get("status").asText()).as(n.toString())
        .isEqualTo("delivered"));
    assertThat(done.stdout() + done.stderr()).doesNotContain(SLACK_TOKEN, "other-token-123");
    assertThat(jdbc.queryForList("SELECT event || ' ' || status || ' ' || url FROM rollback.notifications"
        + " WHERE system = ? ORDER BY id", String.class, ns)).hasSize(4).allMatch(r -> r.contains(" delivered "))
        .noneMatch(r -> r.contains(SLACK_TOKEN));

    Result again = rollback();
    assertThat(again.exitCode()).isZero();
    assertThat(again.json().get("status").asText()).isEqualTo("noop");
    assertThat(SLACK.received()).as("a noop notifies nobody").hasSize(2);
  }

  @Test
  void aRefusedRollbackSendsRefusedWithTheFailedGuardsAndA500OrA429IsRetried() {
    SLACK.thenAnswer(Answer.status(500));
    OTHER.thenAnswer(Answer.retryAfter(429, "1"));

    Result refused = rollback();
    assertThat(refused.exitCode()).isEqualTo(4);

    List<Received> slack = SLACK.received();
    assertThat(slack).as("500, then delivered").hasSize(2);
    assertThat(slack.get(1).body()).isEqualTo(slack.get(0).body());
    JsonNode event = event(slack.get(1));
    assertThat(event.get("event").asText()).isEqualTo("refused");
    assertThat(event.get("status").asText()).isEqualTo("refused");
    assertThat(event.get("exit-code").asInt()).isEqualTo(4);
    assertThat(event.get("text").asText()).startsWith("Rollback REFUSED, nothing changed: system " + ns
        + " to manifest " + goodManifest + ", level 4, by incident-commander: approval: ");
    assertThat(event.get("guards")).hasSize(1);
    assertThat(event.get("guards").get(0).get("name").asText()).isEqualTo("approval");
    assertThat(event.get("guards").get(0).get("message").asText()).contains("data-engineering-lead");
    assertThat(event.get("plan-id").asText()).isEqualTo(refused.json().get("plan-id").asText());
    assertThat(event.get("job-execution-id").isNull()).isTrue();

    List<Received> other = OTHER.received();
    assertThat(other).as("429, then delivered").hasSize(2);
    assertThat(Duration.between(other.get(0).at(), other.get(1).at())).as("Retry-After: 1 honoured")
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));

    JsonNode notifications = refused.json().get("notifications");
    assertThat(notifications).hasSize(2);
    assertThat(notifications.get(0).get("event").asText()).isEqualTo("refused");
    assertThat(notifications.get(0).get("status").asText()).isEqualTo("delivered");
    assertThat(notifications.get(0).get("attempts").asInt()).isEqualTo(2);
    assertThat(notifications.get(1).get("status").asText()).isEqualTo("delivered");
    assertThat(notifications.get(1).get("attempts").asInt()).isEqualTo(2);

    Result text = run("rollback", "--system-file", systemFile.toString(), "--to-manifest", Long.toString(goodManifest),
        "--reason", "incident 42");
    assertThat(text.exitCode()).isEqualTo(4);
    assertThat(text.stdout()).contains("Notifications:\n  refused   delivered http://127.0.0.1:" + port(SLACK)
        + "/services/*** (1 attempt, HTTP 200)").doesNotContain(SLACK_TOKEN);
  }

  @Test
  void aWebhookThatAlwaysFailsOrHangsNeverFailsTheRollbackAndIsRecordedAndShown(CapturedOutput logs) {
    SLACK.otherwise(Answer.status(503));
    OTHER.otherwise(Answer.hang(3_000)); // longer than rollback.notify.timeout (500ms)
    approve(rollback("--dry-run").json().get("plan-id").asText());

    Result done = rollback();
    assertThat(done.exitCode()).as(done.stderr() + done.stdout()).isZero();
    assertThat(done.json().get("status").asText()).isEqualTo("completed");
    assertThat(SLACK.received()).as("3 attempts for each of started and completed").hasSize(6);
    assertThat(OTHER.received()).hasSize(6);

    JsonNode notifications = done.json().get("notifications");
    assertThat(notifications).hasSize(4);
    List<String> shown = new ArrayList<>();
    notifications.forEach(n -> shown.add(n.get("event").asText() + " " + n.get("status").asText() + " "
        + n.get("attempts").asInt() + " " + n.get("http-status").asText()));
    assertThat(shown).containsExactly("started failed 3 503", "started failed 3 null", "completed failed 3 503",
        "completed failed 3 null");
    assertThat(notifications.get(1).get("error").asText()).contains("HttpTimeoutException");
    assertThat(notifications.get(0).get("error").asText()).startsWith("HTTP 503");

    List<Map<String, Object>> recorded = jdbc.queryForList("SELECT event, status, attempts, http_status, error, url,"
        + " payload::text AS payload FROM rollback.notifications WHERE system = ? ORDER BY id", ns);
    assertThat(recorded).hasSize(4).allMatch(r -> r.get("status").equals("failed") && r.get("attempts").equals(3));
    assertThat(recorded).extracting(r -> r.get("event")).containsExactlyInAnyOrder("started", "started", "completed",
        "completed");
    assertThat(recorded.toString()).doesNotContain(SLACK_TOKEN, "other-token-123");
    assertThat(done.stdout() + done.stderr()).doesNotContain(SLACK_TOKEN, "other-token-123");
    assertThat(logs.toString()).contains("notification completed NOT delivered to http://127.0.0.1:" + port(SLACK)
        + "/services/*** after 3 attempt(s): HTTP 503").doesNotContain(SLACK_TOKEN, "other-token-123");
  }

  @Test
  void aFailedStepSendsFailedAndItsRestartSendsStartedAndCompleted() {
    approve(rollback("--dry-run").json().get("plan-id").asText());
    RETRAIN.otherwise(Answer.status(400)); // the model's retrain request is refused: its step fails

    Result failed = rollback();
    assertThat(failed.exitCode()).as(failed.stderr() + failed.stdout()).isEqualTo(1);
    long execution = failed.json().get("job-execution-id").asLong();
    assertThat(SLACK.received()).extracting(r -> event(r).get("event").asText()).containsExactly("started", "failed");
    JsonNode event = event(SLACK.received().get(1));
    assertThat(event.get("status").asText()).isEqualTo("failed");
    assertThat(event.get("exit-code").asInt()).isEqualTo(1);
    assertThat(event.get("job-execution-id").asLong()).isEqualTo(execution);
    assertThat(event.get("text").asText()).startsWith("Rollback FAILED: system " + ns + " to manifest " + goodManifest)
        .contains("(model churn failed)").endsWith("continue it with 'restart --execution " + execution + "'");
    assertThat(event.get("error").asText()).isNotBlank();
    assertThat(event.get("verify-clean").isNull()).isTrue();

    RETRAIN.otherwise(Answer.status(200));
    SLACK.reset();
    Result restarted = run("restart", "--execution", Long.toString(execution), "--json");
    assertThat(restarted.exitCode()).as(restarted.stderr() + restarted.stdout()).isZero();
    List<Received> requests = SLACK.received();
    assertThat(requests).extracting(r -> event(r).get("event").asText()).containsExactly("started", "completed");
    JsonNode continued = event(requests.get(0));
    assertThat(continued.get("continues-execution-id").asLong()).isEqualTo(execution);
    assertThat(continued.get("text").asText()).startsWith("Rollback continued (job execution " + execution + "): system "
        + ns);
    assertThat(continued.get("actor").asText()).isEqualTo("incident-commander");
    assertThat(event(requests.get(1)).get("verify-clean").asBoolean()).isTrue();
    assertThat(restarted.json().get("notifications")).hasSize(4);
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private void approve(String planId) {
    ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "alice", "--role",
        "data-engineering-lead", "--reason", "bad load confirmed"));
    ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "bob", "--role",
        "ml-engineering-lead", "--reason", "model owner agrees"));
  }

  private Result rollback(String... more) {
    List<String> args = new ArrayList<>(List.of("rollback", "--system-file", systemFile.toString(), "--to-manifest",
        Long.toString(goodManifest), "--reason", "incident 42", "--actor", "incident-commander", "--json"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  private long capture(String reason) {
    return ok(run("manifest", "capture", "--system-file", systemFile.toString(), "--reason", reason, "--json"))
        .json().get("manifest-id").asLong();
  }

  private Result verify(long manifest) {
    return run("verify", "--system-file", systemFile.toString(), "--manifest", Long.toString(manifest), "--json");
  }

  private static JsonNode event(Received request) {
    try {
      return Output.JSON.readTree(request.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + request.body(), e);
    }
  }

  private static int port(WebhookServer server) {
    return Integer.parseInt(server.url("").replaceAll(".*:", ""));
  }

  private static Result ok(Result result) {
    assertThat(result.exitCode()).as(result.stderr() + result.stdout()).isZero();
    return result;
  }
}
