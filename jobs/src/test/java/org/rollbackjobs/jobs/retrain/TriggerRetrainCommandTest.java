package org.rollbackjobs.jobs.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.jobs.CliHarness;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.jobs.manifest.ManifestContent;
import org.rollbackjobs.jobs.manifest.ManifestContent.ModelPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.TablePin;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.retrain.RecordingHttpServer.Received;
import org.rollbackjobs.jobs.verify.Finding;
import org.rollbackjobs.vector.http.ScriptedHttpServer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * trigger-retrain against real local HTTP servers (webhook, Airflow) and the real PostgreSQL: the exact requests
 * received, retries, idempotency, recorded delivery status, the outbox, bad input, and the verify check.
 */
@TestPropertySource(properties = {
    "rollback.retrain.max-attempts=4",
    "rollback.retrain.initial-backoff=20ms",
    "rollback.retrain.max-backoff=100ms",
    "rollback.retrain.timeout=2s"})
class TriggerRetrainCommandTest extends CliHarness {
  static final Map<String, String> SECRETS = Map.of(
      "TEST_AIRFLOW_USER", "retrain-bot",
      "TEST_AIRFLOW_PASSWORD", "s3cret:pa55",
      "TEST_AIRFLOW_TOKEN", "tok-123");

  /** Credentials as if from the environment (the JVM cannot set its own environment variables). */
  @TestConfiguration
  static class Secrets {
    @Bean
    @Primary
    SecretSource testSecrets() {
      return name -> Optional.ofNullable(SECRETS.get(name));
    }
  }

  @Autowired ManifestStore manifests;
  @Autowired JdbcTemplate jdbc;
  @Autowired RetrainCheck retrainCheck;

  @TempDir Path dir;
  private final RecordingHttpServer webhook = newServer();
  private final RecordingHttpServer airflow = newServer();

  private static RecordingHttpServer newServer() {
    try {
      return new RecordingHttpServer();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stopServers() {
    webhook.close();
    airflow.close();
  }

  // ---- fixtures ------------------------------------------------------------------------------------------

  private Path systemFile(String system, String trigger) throws IOException {
    Path file = dir.resolve(system + ".yml");
    Files.writeString(file, """
        name: %s
        datasets:
          - table: shop.transactions
          - table: shop.customers
        models:
          - name: churn-model
            version: "1.4"
            trains-on: [shop.transactions, shop.customers]
            trigger:
        %s
          - name: other-model
            trains-on: [shop.customers]
        """.formatted(system, trigger.indent(6).stripTrailing()));
    return file;
  }

  private Path webhookSystem(String system) throws IOException {
    return systemFile(system, "webhook: " + webhook.url("/retrain"));
  }

  /** A manifest pinning churn-model to transactions@txn and customers@cust. */
  private long manifest(String system, long txn, long cust) {
    long id = manifests.reserveId();
    ManifestContent content = new ManifestContent(
        List.of(new ManifestContent.DatasetPin("shop.transactions", txn),
            new ManifestContent.DatasetPin("shop.customers", cust)),
        List.of(), List.of(),
        List.of(new ModelPin("churn-model", "1.4", List.of(new TablePin("shop.transactions", txn, "dataset"),
            new TablePin("shop.customers", cust, "dataset"))),
            new ModelPin("other-model", null, List.of(new TablePin("shop.customers", cust, "dataset")))),
        List.of());
    return manifests.insertWithId(id, system, "test", "deploy", null, false, List.of(), null, content);
  }

  private Result trigger(Path file, String... more) {
    String[] base = {"trigger-retrain", "--system-file", file.toString(), "--model", "churn-model",
        "--reason", "bad transactions load rolled back", "--actor", "incident-7", "--json"};
    String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return run(args);
  }

  private int rows(String table, String system) {
    return jdbc.queryForObject("SELECT count(*) FROM rollback." + table + " WHERE system = ?", Integer.class, system);
  }

  private static JsonNode delivery(JsonNode json, String channel) {
    for (JsonNode d : json.get("deliveries")) {
      if (d.get("channel").asText().equals(channel)) {
        return d;
      }
    }
    throw new AssertionError("no delivery " + channel + " in " + json);
  }

  // ---- tests ---------------------------------------------------------------------------------------------

  @Test
  void webhookReceivesTheRequestOnceWhenTriggeredTwice() throws Exception {
    Path file = webhookSystem("retrain-once");
    long manifestId = manifest("retrain-once", 101, 202);

    Result first = trigger(file);
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    JsonNode json = first.json();
    assertThat(json.get("command").asText()).isEqualTo("trigger-retrain");
    assertThat(json.get("status").asText()).isEqualTo("completed");
    assertThat(json.get("created").asBoolean()).isTrue();
    String key = json.get("request-key").asText();
    assertThat(key).matches("[0-9a-f]{64}")
        .isEqualTo(RetrainRequest.key("retrain-once", "churn-model", manifestId,
            List.of(new TablePin("shop.customers", 202, "dataset"), new TablePin("shop.transactions", 101, "dataset")),
            null));

    JsonNode request = json.get("request");
    assertThat(request.get("schema-version").asInt()).isEqualTo(1);
    assertThat(request.get("request-key").asText()).isEqualTo(key);
    assertThat(request.get("system").asText()).isEqualTo("retrain-once");
    assertThat(request.get("model").asText()).isEqualTo("churn-model");
    assertThat(request.get("model-version").asText()).isEqualTo("1.4");
    assertThat(request.get("manifest-id").asLong()).isEqualTo(manifestId);
    assertThat(request.get("trains-on").toString()).isEqualTo("[{\"table\":\"shop.customers\",\"snapshot-id\":202,"
        + "\"kind\":\"dataset\"},{\"table\":\"shop.transactions\",\"snapshot-id\":101,\"kind\":\"dataset\"}]");
    assertThat(request.get("supersedes").isNull()).isTrue();
    assertThat(request.get("reason").asText()).isEqualTo("bad transactions load rolled back");
    assertThat(request.get("actor").asText()).isEqualTo("incident-7");
    assertThat(request.get("requested-at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    List<Received> received = webhook.received();
    assertThat(received).hasSize(1);
    Received post = received.get(0);
    assertThat(post.method()).isEqualTo("POST");
    assertThat(post.path()).isEqualTo("/retrain");
    assertThat(post.header("Content-Type")).isEqualTo("application/json");
    assertThat(post.header("Idempotency-Key")).isEqualTo(key);
    assertThat(post.header("Authorization")).isNull();
    assertThat(Output.JSON.readTree(post.body())).isEqualTo(request);

    JsonNode webhookDelivery = delivery(json, "webhook");
    assertThat(webhookDelivery.get("status").asText()).isEqualTo("delivered");
    assertThat(webhookDelivery.get("attempts").asInt()).isEqualTo(1);
    assertThat(webhookDelivery.get("last-http-status").asInt()).isEqualTo(200);
    assertThat(webhookDelivery.get("target").asText()).isEqualTo(webhook.url("/retrain"));
    assertThat(webhookDelivery.get("delivered-at").isNull()).isFalse();
    assertThat(delivery(json, "outbox").get("status").asText()).isEqualTo("delivered");

    // the outbox row holds the same request
    assertThat(rows("retrain_outbox", "retrain-once")).isEqualTo(1);
    String outboxPayload = jdbc.queryForObject("SELECT payload::text FROM rollback.retrain_outbox WHERE request_key = ?",
        String.class, key);
    assertThat(outboxPayload).isEqualTo(post.body());

    // again: same key, nothing stored, nothing sent
    Result second = trigger(file);
    assertThat(second.exitCode()).as(second.stderr()).isZero();
    assertThat(second.json().get("status").asText()).isEqualTo("noop");
    assertThat(second.json().get("created").asBoolean()).isFalse();
    assertThat(second.json().get("request-key").asText()).isEqualTo(key);
    assertThat(webhook.received()).hasSize(1);
    assertThat(rows("retrain_requests", "retrain-once")).isEqualTo(1);
    assertThat(rows("retrain_outbox", "retrain-once")).isEqualTo(1);

    // status --retrain shows it, and the audit log has both runs
    JsonNode status = run("status", "--retrain", "--system", "retrain-once", "--json").json();
    assertThat(status.get("retrain-requests")).hasSize(1);
    JsonNode listed = status.get("retrain-requests").get(0);
    assertThat(listed.get("request-key").asText()).isEqualTo(key);
    assertThat(listed.get("delivered").asBoolean()).isTrue();
    assertThat(listed.get("deliveries")).hasSize(2);
    assertThat(run("status", "--retrain", "--system", "retrain-once").stdout()).contains("webhook", "delivered");
    JsonNode history = run("history", "--json").json().get("records");
    List<String> outcomes = new java.util.ArrayList<>();
    history.forEach(r -> {
      if (r.get("subject").asText().equals("retrain-once/churn-model")) {
        outcomes.add(r.get("outcome").asText());
      }
    });
    assertThat(outcomes).containsExactly("noop", "completed");

    // verify's model check is clean
    assertThat(retrainCheck.check("retrain-once", manifests.get("retrain-once", manifestId).content()
        .model("churn-model").orElseThrow(), manifestId)).isEmpty();
  }

  @Test
  void retriesAfter503sAndRecordsTheAttempts() throws Exception {
    Path file = webhookSystem("retrain-503");
    manifest("retrain-503", 1, 2);
    webhook.thenAnswer(503, 503, 429);

    Result result = trigger(file);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    JsonNode d = delivery(result.json(), "webhook");
    assertThat(d.get("status").asText()).isEqualTo("delivered");
    assertThat(d.get("attempts").asInt()).isEqualTo(4);
    assertThat(d.get("last-http-status").asInt()).isEqualTo(200);
    List<Received> received = webhook.received();
    assertThat(received).hasSize(4);
    String key = result.json().get("request-key").asText();
    assertThat(received).allSatisfy(r -> {
      assertThat(r.header("Idempotency-Key")).isEqualTo(key);
      assertThat(r.body()).isEqualTo(received.get(0).body());
    });
  }

  @Test
  void clientErrorIsNotRetriedFailsWithExit1AndARerunDeliversOnlyThat() throws Exception {
    Path file = webhookSystem("retrain-400");
    long manifestId = manifest("retrain-400", 11, 12);
    webhook.thenAnswer(400);

    Result failed = trigger(file);
    assertThat(failed.exitCode()).isEqualTo(1);
    JsonNode json = failed.json();
    assertThat(json.get("status").asText()).isEqualTo("failed");
    assertThat(json.get("exit-code").asInt()).isEqualTo(1);
    assertThat(json.get("error").asText()).contains("HTTP 400", "not retried", "run the same trigger-retrain again");
    JsonNode d = delivery(json, "webhook");
    assertThat(d.get("status").asText()).isEqualTo("failed");
    assertThat(d.get("attempts").asInt()).isEqualTo(1);
    assertThat(d.get("last-http-status").asInt()).isEqualTo(400);
    assertThat(d.get("last-error").asText()).startsWith("HTTP 400").contains("test server says 400");
    assertThat(delivery(json, "outbox").get("status").asText()).isEqualTo("delivered");
    assertThat(webhook.received()).hasSize(1);
    assertThat(rows("retrain_outbox", "retrain-400")).isEqualTo(1);
    assertThat(failed.stderr()).contains("HTTP 400");

    JsonNode status = run("status", "--retrain", "--model", "churn-model", "--system", "retrain-400", "--json").json();
    JsonNode listed = status.get("retrain-requests").get(0);
    assertThat(listed.get("delivered").asBoolean()).isFalse();
    assertThat(delivery(listed, "webhook").get("status").asText()).isEqualTo("failed");

    ModelPin pin = manifests.get("retrain-400", manifestId).content().model("churn-model").orElseThrow();
    List<Finding> findings = retrainCheck.check("retrain-400", pin, manifestId);
    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.component()).isEqualTo("model");
      assertThat(f.name()).isEqualTo("churn-model");
      assertThat(f.kind()).isEqualTo(RetrainCheck.UNDELIVERED);
      assertThat(f.count()).isEqualTo(1);
      assertThat(f.message()).contains(json.get("request-key").asText(), "webhook failed after 1 attempt", "HTTP 400");
    });

    // the receiver is fixed: the rerun delivers the same request to the webhook only
    Result rerun = trigger(file);
    assertThat(rerun.exitCode()).as(rerun.stderr()).isZero();
    assertThat(rerun.json().get("status").asText()).isEqualTo("completed");
    assertThat(rerun.json().get("created").asBoolean()).isFalse();
    assertThat(rerun.json().get("attempted").toString()).isEqualTo("[\"webhook\"]");
    JsonNode now = delivery(rerun.json(), "webhook");
    assertThat(now.get("status").asText()).isEqualTo("delivered");
    assertThat(now.get("attempts").asInt()).isEqualTo(2);
    assertThat(now.get("last-http-status").asInt()).isEqualTo(200);
    assertThat(now.get("last-error").isNull()).isTrue();
    assertThat(webhook.received()).hasSize(2);
    assertThat(webhook.received().get(1).body()).isEqualTo(webhook.received().get(0).body());
    assertThat(rows("retrain_requests", "retrain-400")).isEqualTo(1);
    assertThat(rows("retrain_outbox", "retrain-400")).isEqualTo(1);
    assertThat(retrainCheck.check("retrain-400", pin, manifestId)).isEmpty();
  }

  @Test
  void restartOfAFailedTriggerRetriesTheUndeliveredChannel() throws Exception {
    Path file = webhookSystem("retrain-restart");
    manifest("retrain-restart", 21, 22);
    webhook.thenAnswer(500, 502, 503, 504);

    Result failed = trigger(file);
    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(delivery(failed.json(), "webhook").get("attempts").asInt()).isEqualTo(4);
    assertThat(delivery(failed.json(), "webhook").get("last-http-status").asInt()).isEqualTo(504);
    long execution = failed.json().get("job-execution-id").asLong();
    assertThat(failed.json().get("error").asText()).contains("restart --execution " + execution);

    Result restarted = run("restart", "--execution", Long.toString(execution), "--json");
    assertThat(restarted.exitCode()).as(restarted.stderr()).isZero();
    assertThat(restarted.json().get("status").asText()).isEqualTo("completed");
    assertThat(restarted.json().get("restarted-execution-id").asLong()).isEqualTo(execution);
    assertThat(restarted.json().get("request-key").asText()).isEqualTo(failed.json().get("request-key").asText());
    assertThat(delivery(restarted.json(), "webhook").get("attempts").asInt()).isEqualTo(5);
    assertThat(webhook.received()).hasSize(5);
    assertThat(rows("retrain_requests", "retrain-restart")).isEqualTo(1);
  }

  @Test
  void unreachableWebhookIsRetriedThenRecordedAsFailed() throws Exception {
    RecordingHttpServer gone = newServer();
    String url = gone.url("/retrain");
    gone.close(); // nothing listens on that port any more
    Path file = systemFile("retrain-refused", "webhook: " + url);
    manifest("retrain-refused", 5, 6);

    Result result = trigger(file);
    assertThat(result.exitCode()).isEqualTo(1);
    JsonNode d = delivery(result.json(), "webhook");
    assertThat(d.get("status").asText()).isEqualTo("failed");
    assertThat(d.get("attempts").asInt()).isEqualTo(4); // rollback.retrain.max-attempts
    assertThat(d.get("last-http-status").isNull()).isTrue();
    assertThat(d.get("last-error").asText()).contains("ConnectException");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS) // a hang fails the test (interrupted) instead of the build
  void aWebhookThatStallsItsAnswerFailsWithExit1AndOneClearLineInsteadOfHanging() throws Exception {
    try (ScriptedHttpServer stalling = new ScriptedHttpServer(request -> "{}")) {
      stalling.otherwise(ScriptedHttpServer.stalledBody()); // headers at once, then the body never comes
      Path file = systemFile("retrain-stall", "webhook: " + stalling.url("/retrain?token=t0k"));
      manifest("retrain-stall", 31, 32);

      long started = System.nanoTime();
      Result result = trigger(file);
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      assertThat(result.exitCode()).as(result.stderr()).isEqualTo(1);
      assertThat(stalling.received()).hasSize(4); // rollback.retrain.max-attempts
      assertThat(took).as("4 attempts of at most 2 s, 3 short backoffs, the command around them")
          .isLessThan(Duration.ofSeconds(30));
      String error = result.json().get("error").asText();
      assertThat(error).contains("webhook " + stalling.url("/retrain") + " failed after 4 attempts",
          "HttpTimeoutException: no complete answer within 2 s (rollback.retrain.timeout)").doesNotContain("t0k");
      assertThat(result.stderr().lines().filter(line -> line.contains("failed after 4 attempts")))
          .as("one line says what failed").singleElement().asString().doesNotContain("t0k");
      assertThat(result.stderr()).doesNotContain("\tat ", "Exception in thread");
      JsonNode d = delivery(result.json(), "webhook");
      assertThat(d.get("status").asText()).isEqualTo("failed");
      assertThat(d.get("attempts").asInt()).isEqualTo(4);
      assertThat(d.get("last-http-status").isNull()).isTrue();
    }
  }

  @Test
  void airflowGetsTheDagRunWithBasicAuthAnd409CountsAsDelivered() throws Exception {
    Path file = systemFile("retrain-airflow", """
        airflow:
          url: %s
          dag: retrain_churn
          username-env: TEST_AIRFLOW_USER
          password-env: TEST_AIRFLOW_PASSWORD""".formatted(airflow.url("/airflow/")));
    manifest("retrain-airflow", 31, 32);

    Result result = trigger(file);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    String key = result.json().get("request-key").asText();
    List<Received> received = airflow.received();
    assertThat(received).hasSize(1);
    Received post = received.get(0);
    assertThat(post.method()).isEqualTo("POST");
    assertThat(post.path()).isEqualTo("/airflow/api/v1/dags/retrain_churn/dagRuns");
    assertThat(post.header("Content-Type")).isEqualTo("application/json");
    assertThat(post.header("Authorization")).isEqualTo("Basic " + Base64.getEncoder()
        .encodeToString("retrain-bot:s3cret:pa55".getBytes(StandardCharsets.UTF_8)));
    JsonNode body = Output.JSON.readTree(post.body());
    assertThat(body.size()).isEqualTo(2);
    assertThat(body.get("dag_run_id").asText()).isEqualTo("rollback-retrain-" + key);
    assertThat(body.get("conf")).isEqualTo(result.json().get("request"));
    JsonNode d = delivery(result.json(), "airflow");
    assertThat(d.get("status").asText()).isEqualTo("delivered");
    assertThat(d.get("target").asText()).isEqualTo(airflow.url("/airflow/api/v1/dags/retrain_churn/dagRuns"));
    // no secret in the output or the logs
    assertThat(result.stdout() + result.stderr()).doesNotContain("s3cret");

    // a bearer token, and a DAG run that exists already (409): delivered
    Path tokenFile = systemFile("retrain-airflow-409", """
        airflow:
          url: %s
          dag: retrain_churn
          token-env: TEST_AIRFLOW_TOKEN""".formatted(airflow.url("")));
    manifest("retrain-airflow-409", 41, 42);
    airflow.thenAnswer(409);
    Result conflict = trigger(tokenFile);
    assertThat(conflict.exitCode()).as(conflict.stderr()).isZero();
    Received second = airflow.received().get(1);
    assertThat(second.path()).isEqualTo("/api/v1/dags/retrain_churn/dagRuns");
    assertThat(second.header("Authorization")).isEqualTo("Bearer tok-123");
    JsonNode d409 = delivery(conflict.json(), "airflow");
    assertThat(d409.get("status").asText()).isEqualTo("delivered");
    assertThat(d409.get("attempts").asInt()).isEqualTo(1);
    assertThat(d409.get("last-http-status").asInt()).isEqualTo(409);
    assertThat(airflow.received()).hasSize(2);
  }

  @Test
  void webhookAndAirflowTogetherAreEachDeliveredAndOnlyTheFailedOneIsRetried() throws Exception {
    Path file = systemFile("retrain-both", """
        webhook: %s
        airflow:
          url: %s
          dag: retrain_churn""".formatted(webhook.url("/hook"), airflow.url("")));
    manifest("retrain-both", 51, 52);
    airflow.thenAnswer(403);

    Result first = trigger(file);
    assertThat(first.exitCode()).isEqualTo(1);
    assertThat(delivery(first.json(), "webhook").get("status").asText()).isEqualTo("delivered");
    assertThat(delivery(first.json(), "airflow").get("status").asText()).isEqualTo("failed");
    assertThat(airflow.received().get(0).header("Authorization")).isNull();

    Result second = trigger(file);
    assertThat(second.exitCode()).as(second.stderr()).isZero();
    assertThat(delivery(second.json(), "airflow").get("status").asText()).isEqualTo("delivered");
    assertThat(webhook.received()).hasSize(1);
    assertThat(airflow.received()).hasSize(2);
  }

  @Test
  void dryRunPrintsTheRequestAndChangesNothing() throws Exception {
    Path file = webhookSystem("retrain-dry");
    manifest("retrain-dry", 61, 62);

    Result dry = run("trigger-retrain", "--system-file", file.toString(), "--model", "churn-model", "--dry-run",
        "--json");
    assertThat(dry.exitCode()).as(dry.stderr()).isZero();
    JsonNode json = dry.json();
    assertThat(json.get("status").asText()).isEqualTo("dry-run");
    assertThat(json.get("exists").asBoolean()).isFalse();
    assertThat(json.get("would-deliver").toString()).isEqualTo("[\"outbox\",\"webhook\"]");
    assertThat(webhook.received()).isEmpty();
    assertThat(rows("retrain_requests", "retrain-dry")).isZero();

    Result real = run("trigger-retrain", "--system-file", file.toString(), "--model", "churn-model",
        "--reason", "first training on the pinned data");
    assertThat(real.exitCode()).as(real.stderr()).isZero();
    assertThat(real.stdout()).contains("Retrain request for churn-model stored and delivered.",
        "request key     " + json.get("request-key").asText(), "shop.transactions at snapshot 61 (dataset)",
        "webhook  delivered");
    Result dryAgain = run("trigger-retrain", "--system-file", file.toString(), "--model", "churn-model",
        "--dry-run");
    assertThat(dryAgain.exitCode()).isZero();
    assertThat(dryAgain.stdout()).contains("stored already", "nothing would be sent");
  }

  @Test
  void aRollbackToAnEarlierManifestRequestsItsSnapshotsAgain() throws Exception {
    Path file = webhookSystem("retrain-back");
    long good = manifest("retrain-back", 71, 72);
    long bad = manifest("retrain-back", 73, 74);

    Result atGood = trigger(file, "--manifest", Long.toString(good));
    Result atBad = trigger(file, "--manifest", Long.toString(bad));
    ModelPin goodPin = manifests.get("retrain-back", good).content().model("churn-model").orElseThrow();

    // verify at the good manifest: the latest request names the bad snapshots
    List<Finding> findings = retrainCheck.check("retrain-back", goodPin, good);
    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.kind()).isEqualTo(RetrainCheck.MISSING);
      assertThat(f.name()).isEqualTo("churn-model");
      assertThat(f.message()).contains(atBad.json().get("request-key").asText(), "shop.transactions@73",
          "shop.customers@74", "shop.transactions@71");
      assertThat(f.count()).isEqualTo(2);
      assertThat(f.examples()).containsExactly("shop.customers: requested 74, pinned 72",
          "shop.transactions: requested 73, pinned 71");
    });

    // rolled back to the good manifest: requested again, under a new key that follows the bad one
    Result back = trigger(file, "--manifest", Long.toString(good));
    assertThat(back.exitCode()).as(back.stderr()).isZero();
    assertThat(back.json().get("created").asBoolean()).isTrue();
    String key = back.json().get("request-key").asText();
    assertThat(key).isNotEqualTo(atGood.json().get("request-key").asText());
    assertThat(back.json().get("request").get("supersedes").asText()).isEqualTo(atBad.json().get("request-key").asText());
    assertThat(webhook.received()).hasSize(3);
    assertThat(retrainCheck.check("retrain-back", goodPin, good)).isEmpty();

    // and that trigger again is a no-op
    Result again = trigger(file, "--manifest", Long.toString(good));
    assertThat(again.json().get("status").asText()).isEqualTo("noop");
    assertThat(again.json().get("request-key").asText()).isEqualTo(key);
    assertThat(webhook.received()).hasSize(3);
  }

  @Test
  void missingRetrainIsFoundWhenNoRequestExists() {
    long manifestId = manifest("retrain-never", 81, 82);
    ModelPin pin = manifests.get("retrain-never", manifestId).content().model("churn-model").orElseThrow();
    assertThat(retrainCheck.check("retrain-never", pin, manifestId)).singleElement().satisfies(f -> {
      assertThat(f.component()).isEqualTo("model");
      assertThat(f.kind()).isEqualTo("model-retrain-missing");
      assertThat(f.message()).contains("no retrain request", "shop.transactions@81", "trigger-retrain --system"
          + " retrain-never --model churn-model --manifest " + manifestId);
      assertThat(f.count()).isEqualTo(1);
    });
  }

  @Test
  void badInputExits2AndWritesNothing() throws Exception {
    Path file = webhookSystem("retrain-bad");

    Result noManifest = trigger(file);
    assertThat(noManifest.exitCode()).isEqualTo(2);
    assertThat(noManifest.json().get("error").asText()).contains("has no manifest yet", "manifest capture");

    long manifestId = manifest("retrain-bad", 91, 92);
    Result unknownModel = run("trigger-retrain", "--system-file", file.toString(), "--model", "nope",
        "--reason", "r", "--json");
    assertThat(unknownModel.exitCode()).isEqualTo(2);
    assertThat(unknownModel.json().get("error").asText()).contains("no model named 'nope'", "churn-model",
        "other-model");

    Result unknownSystem = run("trigger-retrain", "--system", "no-such-system", "--model", "churn-model",
        "--reason", "r", "--json");
    assertThat(unknownSystem.exitCode()).isEqualTo(2);
    assertThat(unknownSystem.json().get("error").asText()).contains("no system 'no-such-system'");

    Result noReason = run("trigger-retrain", "--system-file", file.toString(), "--model", "churn-model", "--json");
    assertThat(noReason.exitCode()).isEqualTo(2);
    assertThat(noReason.stderr()).contains("--reason is required");

    Result otherManifest = trigger(file, "--manifest", Long.toString(manifest("retrain-bad-other", 1, 1)));
    assertThat(otherManifest.exitCode()).isEqualTo(2);
    assertThat(otherManifest.json().get("error").asText()).contains("belongs to system retrain-bad-other",
        Long.toString(manifestId));

    Path noSecret = systemFile("retrain-bad", """
        airflow:
          url: http://127.0.0.1:9/
          dag: retrain_churn
          token-env: TEST_AIRFLOW_UNSET_TOKEN""");
    Result missingSecret = trigger(noSecret);
    assertThat(missingSecret.exitCode()).isEqualTo(2);
    assertThat(missingSecret.json().get("error").asText()).contains("TEST_AIRFLOW_UNSET_TOKEN", "not set");

    assertThat(rows("retrain_requests", "retrain-bad")).isZero();
    assertThat(rows("retrain_outbox", "retrain-bad")).isZero();
    assertThat(webhook.received()).isEmpty();
  }
}
