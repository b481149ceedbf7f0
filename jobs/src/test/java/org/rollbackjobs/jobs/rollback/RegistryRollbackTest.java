package org.rollbackjobs.jobs.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.CliHarness;
import org.rollbackjobs.jobs.registry.MlflowServer;
import org.rollbackjobs.jobs.registry.MlflowServer.Received;
import org.rollbackjobs.jobs.retrain.SecretSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * Models and prompts served through MLflow registry aliases, against a local HTTP server implementing MLflow's
 * alias endpoints: {@code manifest capture} pins the alias versions, {@code verify} finds moved aliases, and
 * {@code rollback} sets them back (exact requests) instead of retraining. A second model without a registry keeps
 * its retrain request. Each test has a system and registered models of its own.
 */
@TestPropertySource(properties = {
    "rollback.registry.max-attempts=3",
    "rollback.registry.initial-backoff=10ms",
    "rollback.registry.max-backoff=50ms",
    "rollback.registry.timeout=5s"})
class RegistryRollbackTest extends CliHarness {
  static final String TOKEN = "mlflow-test-token-1";

  /** The token as if from the environment (the JVM cannot set its own environment variables). */
  @TestConfiguration
  static class Secrets {
    @Bean
    @Primary
    SecretSource testSecrets() {
      return name -> name.equals("TEST_MLFLOW_TOKEN") ? Optional.of(TOKEN) : Optional.empty();
    }
  }

  @Autowired JdbcTemplate jdbc;

  MlflowServer mlflow;
  String ns;
  String model;
  String prompt;
  Path systemFile;
  long manifest;

  @BeforeEach
  void systemServedThroughAliases() throws IOException {
    mlflow = new MlflowServer();
    ns = "reg" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    model = ns + "-churn";
    prompt = ns + "-answer";
    mlflow.register(model, false, "1", "2", "3", "4").alias(model, "champion", "3");
    mlflow.register(prompt, true, "1", "2", "3").alias(prompt, "production", "2");
    Table txn = TxnSource.create(catalog, ns + ".txn");
    TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 41, 200, 20), 1);
    systemFile = Files.createTempDirectory("systems").resolve(ns + ".yml");
    Files.writeString(systemFile, """
        name: NS
        datasets:
          - table: NS.txn
        models:
          - name: churn
            trains-on: [NS.txn]
            registry:
              mlflow:
                url: URL
                name: MODEL
                alias: champion
                token-env: TEST_MLFLOW_TOKEN
          - name: ranker
            trains-on: [NS.txn]
        prompts:
          - name: answer
            registry:
              mlflow: {url: URL, name: PROMPT, alias: production}
        """.replace("NS", ns).replace("URL", mlflow.url()).replace("MODEL", model).replace("PROMPT", prompt));
    Result capture = ok(run("manifest", "capture", "--system-file", systemFile.toString(), "--reason", "deploy 1",
        "--json"));
    manifest = capture.json().get("manifest-id").asLong();
    ok(run("trigger-retrain", "--system-file", systemFile.toString(), "--model", "ranker", "--reason", "deploy 1"));
  }

  @AfterEach
  void stopServer() {
    mlflow.close();
  }

  @Test
  void captureCapturesTheAliasVersionsAndVerifyFindsMovedAliases() {
    JsonNode content = ok(run("manifest", "show", Long.toString(manifest), "--json")).json().get("content");
    JsonNode churn = content.get("models").get(0);
    assertThat(churn.get("name").asText()).isEqualTo("churn");
    assertThat(churn.get("registry").get("name").asText()).isEqualTo(model);
    assertThat(churn.get("registry").get("alias").asText()).isEqualTo("champion");
    assertThat(churn.get("registry").get("version").asText()).isEqualTo("3");
    assertThat(content.get("models").get(1).has("registry")).as("a model without a registry pins none").isFalse();
    JsonNode answer = content.get("prompts").get(0);
    assertThat(answer.get("name").asText()).isEqualTo("answer");
    assertThat(answer.get("registry").get("version").asText()).isEqualTo("2");

    List<Received> gets = mlflow.received("GET");
    assertThat(gets).extracting(Received::path).containsOnly("/api/2.0/mlflow/registered-models/alias");
    assertThat(gets).extracting(Received::query)
        .contains("name=" + model + "&alias=champion", "name=" + prompt + "&alias=production");
    gets.forEach(g -> assertThat(g.header("Authorization")).as(g.query())
        .isEqualTo(g.query().startsWith("name=" + model + "&") ? "Bearer " + TOKEN : null));
    assertThat(mlflow.received("POST")).as("capturing changes nothing in MLflow").isEmpty();

    ok(verify());
    mlflow.alias(model, "champion", "4").alias(prompt, "production", "3");
    Result mixed = verify();
    assertThat(mixed.exitCode()).isEqualTo(3);
    assertThat(kinds(mixed.json())).containsExactlyInAnyOrder("model churn model-version-mismatch",
        "prompt answer prompt-version-mismatch");
    assertThat(mixed.json().get("findings").toString()).contains("points at version 4", "pins version 3",
        "points at version 3", "pins version 2");
  }

  @Test
  void rollbackSetsTheAliasesBackWithoutRetrainingAndVerifiesClean() {
    mlflow.alias(model, "champion", "4").alias(prompt, "production", "3");
    long ranker = retrainRequests("ranker");

    Result dry = rollback("--dry-run");
    assertThat(dry.exitCode()).as(dry.stderr() + dry.stdout()).isZero();
    JsonNode plan = dry.json();
    assertThat(actions(plan)).containsExactly("dataset " + ns + ".txn none", "model churn set-alias 4 -> 3",
        "model ranker none", "prompt answer set-alias 3 -> 2");
    assertThat(plan.get("level").asInt()).as("two components move").isEqualTo(2);
    assertThat(mlflow.received("POST")).as("a dry run changes nothing").isEmpty();

    mlflow.forget();
    Result done = rollback();
    assertThat(done.exitCode()).as(done.stderr() + done.stdout()).isZero();
    assertThat(done.json().get("status").asText()).isEqualTo("completed");
    assertThat(done.json().get("verify").get("clean").asBoolean()).isTrue();
    List<Received> posts = mlflow.received("POST");
    assertThat(posts).extracting(Received::path).containsOnly("/api/2.0/mlflow/registered-models/alias");
    assertThat(posts).extracting(Received::body).containsExactlyInAnyOrder(
        "{\"name\":\"" + model + "\",\"alias\":\"champion\",\"version\":\"3\"}",
        "{\"name\":\"" + prompt + "\",\"alias\":\"production\",\"version\":\"2\"}");
    posts.forEach(p -> assertThat(p.header("Content-Type")).isEqualTo("application/json"));
    assertThat(posts).filteredOn(p -> p.body().contains(model)).extracting(p -> p.header("Authorization"))
        .containsExactly("Bearer " + TOKEN);
    assertThat(posts).filteredOn(p -> p.body().contains(prompt)).extracting(p -> p.header("Authorization"))
        .containsOnlyNulls();
    assertThat(mlflow.aliasOf(model, "champion")).isEqualTo("3");
    assertThat(mlflow.aliasOf(prompt, "production")).isEqualTo("2");
    JsonNode churn = component(done.json(), "model", "churn");
    assertThat(churn.get("status").asText()).isEqualTo("completed");
    assertThat(churn.get("previous-version").asText()).isEqualTo("4");
    assertThat(retrainRequests("churn")).as("a model set back by its alias is not retrained").isZero();
    assertThat(retrainRequests("ranker")).as("the model without registry did not move").isEqualTo(ranker);
    ok(verify());

    mlflow.forget();
    Result again = rollback();
    assertThat(again.exitCode()).as(again.stderr()).isZero();
    assertThat(again.json().get("status").asText()).isEqualTo("noop");
    assertThat(mlflow.received("POST")).isEmpty();
  }

  @Test
  void aDrillReadsTheAliasesAndLooksUpThePinnedVersionsWithoutSettingAnyAndFailsWhenOneIsGone() {
    mlflow.alias(model, "champion", "4").alias(prompt, "production", "3");
    long ranker = retrainRequests("ranker");
    mlflow.forget();
    Result drill = drill();
    assertThat(drill.exitCode()).as(drill.stderr() + drill.stdout()).isZero();
    JsonNode json = drill.json();
    assertThat(actions(json)).containsExactly("dataset " + ns + ".txn none", "model churn set-alias 4 -> 3",
        "model ranker none", "prompt answer set-alias 3 -> 2");
    JsonNode churn = component(json, "model", "churn");
    assertThat(churn.get("status").asText()).isEqualTo("checked");
    assertThat(churn.get("alias-version").asText()).isEqualTo("4");
    assertThat(churn.get("pinned-version").asText()).isEqualTo("3");
    assertThat(component(json, "prompt", "answer").get("status").asText()).isEqualTo("checked");
    assertThat(mlflow.received("POST")).as("a drill points no alias anywhere").isEmpty();
    assertThat(mlflow.received("GET")).filteredOn(g -> g.path().equals(MlflowServer.VERSION))
        .extracting(Received::query).containsExactlyInAnyOrder("name=" + model + "&version=3",
            "name=" + prompt + "&version=2");
    assertThat(mlflow.aliasOf(model, "champion")).isEqualTo("4");
    assertThat(mlflow.aliasOf(prompt, "production")).isEqualTo("3");
    assertThat(retrainRequests("churn")).isZero();
    assertThat(retrainRequests("ranker")).isEqualTo(ranker);

    mlflow.register(model, false, "4").alias(model, "champion", "4"); // version 3 was deleted from the registry
    Result failed = drill();
    assertThat(failed.exitCode()).as(failed.stderr() + failed.stdout()).isEqualTo(1);
    assertThat(failed.json().get("verdict").asText()).isEqualTo("failed");
    assertThat(component(failed.json(), "model", "churn").get("error").asText()).contains("the pinned version 3 of "
        + model + " does not exist in MLflow");
    assertThat(failed.json().get("error").asText()).contains("model churn: ", "the pinned version 3 of " + model
        + " does not exist in MLflow");
    assertThat(mlflow.received("POST")).isEmpty();
  }

  @Test
  void aModelOnlyMoveIsLevelOneAndRetriesAnOverloadedRegistry() {
    mlflow.alias(model, "champion", "1");
    Result dry = rollback("--dry-run");
    assertThat(dry.json().get("level").asInt()).isEqualTo(1);
    assertThat(actions(dry.json())).contains("model churn set-alias 1 -> 3", "prompt answer none");

    mlflow.forget();
    mlflow.thenFail(503, "0"); // the first request (the plan's GET) fails once
    Result done = rollback();
    assertThat(done.exitCode()).as(done.stderr() + done.stdout()).isZero();
    assertThat(done.json().get("level").asInt()).isEqualTo(1);
    assertThat(mlflow.aliasOf(model, "champion")).isEqualTo("3");
    assertThat(mlflow.received("POST")).hasSize(1);
  }

  @Test
  void aRegistryThatRefusesTheVersionFailsTheRollbackNamingTheEndpointAndStatus() {
    mlflow.alias(model, "champion", "4");
    mlflow.register(model, false, "4").alias(model, "champion", "4"); // version 3 was deleted from the registry
    Result failed = rollback();
    assertThat(failed.exitCode()).as(failed.stderr() + failed.stdout()).isEqualTo(1);
    assertThat(failed.json().get("status").asText()).isEqualTo("failed");
    assertThat(component(failed.json(), "model", "churn").get("error").asText())
        .contains("MLflow POST " + mlflow.url() + "/api/2.0/mlflow/registered-models/alias answered HTTP 404");
    assertThat(failed.stdout() + failed.stderr()).doesNotContain(TOKEN);
  }

  @Test
  void badRegistryConfigurationIsExitTwoWithLineAndKey() throws IOException {
    String good = Files.readString(systemFile);
    Files.writeString(systemFile, good.replace("alias: champion", "alias: v2"));
    Result reserved = rollback("--dry-run");
    assertThat(reserved.exitCode()).isEqualTo(2);
    assertThat(reserved.json().get("error").asText()).contains("line 11", "models[0].registry.mlflow: alias: 'v2'",
        "reserved by MLflow");

    Files.writeString(systemFile, good.replace("token-env: TEST_MLFLOW_TOKEN", "token: " + TOKEN));
    Result secret = verify();
    assertThat(secret.exitCode()).isEqualTo(2);
    assertThat(secret.json().get("error").asText()).contains("line 12", "models[0].registry.mlflow.token",
        "unknown key", "token-env");

    Files.writeString(systemFile, good.replace("token-env: TEST_MLFLOW_TOKEN", "token-env: TEST_MLFLOW_UNSET"));
    mlflow.forget();
    Result unset = rollback("--dry-run");
    assertThat(unset.exitCode()).isEqualTo(2);
    assertThat(unset.json().get("error").asText()).contains("TEST_MLFLOW_UNSET", "is not set");
    assertThat(mlflow.received()).filteredOn(r -> r.query() != null && r.query().contains(model)).isEmpty();
  }

  private Result rollback(String... more) {
    List<String> args = new ArrayList<>(List.of("rollback", "--system-file", systemFile.toString(), "--to-manifest",
        Long.toString(manifest), "--reason", "bad model deploy", "--json"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  private Result drill() {
    return run("drill", "--system-file", systemFile.toString(), "--reason", "monthly drill", "--json");
  }

  private Result verify() {
    return run("verify", "--system-file", systemFile.toString(), "--manifest", Long.toString(manifest), "--json");
  }

  private long retrainRequests(String modelName) {
    return jdbc.queryForObject("SELECT count(*) FROM rollback.retrain_requests WHERE system = ? AND model = ?",
        Long.class, ns, modelName);
  }

  private static List<String> actions(JsonNode plan) {
    List<String> actions = new ArrayList<>();
    plan.get("components").forEach(c -> actions.add(c.get("component").asText() + " " + c.get("name").asText() + " "
        + c.get("action").asText() + (c.get("action").asText().equals("set-alias")
            ? " " + c.get("from").asText() + " -> " + c.get("to").asText() : "")));
    return actions;
  }

  private static JsonNode component(JsonNode json, String component, String name) {
    for (JsonNode c : json.get("components")) {
      if (c.get("component").asText().equals(component) && c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no component " + component + " " + name + " in " + json);
  }

  private static List<String> kinds(JsonNode json) {
    List<String> kinds = new ArrayList<>();
    json.get("findings").forEach(f -> kinds.add(f.get("component").asText() + " " + f.get("name").asText() + " "
        + f.get("kind").asText()));
    return kinds;
  }

  private static Result ok(Result result) {
    assertThat(result.exitCode()).as(result.stderr() + result.stdout()).isZero();
    return result;
  }
}
