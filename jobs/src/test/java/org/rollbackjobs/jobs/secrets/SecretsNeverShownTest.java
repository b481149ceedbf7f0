package org.rollbackjobs.jobs.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.CliHarness;
import org.rollbackjobs.jobs.cli.Cli;
import org.rollbackjobs.jobs.registry.MlflowServer;
import org.rollbackjobs.jobs.retrain.SecretSource;
import org.rollbackjobs.testing.TestPostgres;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.Registry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import picocli.CommandLine;

/**
 * No secret is ever shown. Every secret the suite takes is set to a marker of its own
 * ({@code SECRET-MARKER-<run>-...}): the datasource password (of a role of its own, whose password PostgreSQL checks:
 * see {@code .ci/pgvector-local.sh}), which is also the JDBC catalog's, an Iceberg catalog credential, the API keys of
 * two remote embedding models, the MLflow token, the Airflow bearer token and basic-auth password, a retrain
 * webhook's query token, and the tokens in the paths and queries of the notification webhooks. Then every command
 * runs, in process on one application: help and usage errors as {@code main} answers them, the known-good deploy, the
 * read-only commands, an incident, the rollback with its approvals and notifications, drills, the report, the demos;
 * and the failures, where the remote endpoints (a real local HTTP server and the MLflow test server) refuse with 401
 * or 500 and echo the request back, Authorization header included, with the restarts that follow. Commands that fail
 * before the application starts run as processes of their own with the secrets in their environment: a wrong
 * database password that PostgreSQL refuses, passwords in JDBC URLs, catalog credentials that cannot connect, a
 * catalog that cannot be built, a bad webhook URL. Each marker must have reached its endpoint (the servers check the
 * requests), and none may appear in any output, the log (at DEBUG), the database (every row of every table of every
 * schema, Spring Batch's job parameters, execution contexts and exit messages included), the files the commands
 * write (warehouse metadata, recompute work folder, the report page), or the bodies sent to the endpoints.
 */
@TestPropertySource(properties = {
    "rollback.registry.max-attempts=2",
    "rollback.registry.initial-backoff=10ms",
    "rollback.registry.max-backoff=50ms",
    "rollback.registry.timeout=5s",
    "rollback.retrain.max-attempts=2",
    "rollback.retrain.initial-backoff=10ms",
    "rollback.retrain.max-backoff=50ms",
    "rollback.retrain.timeout=5s",
    "rollback.notify.max-attempts=2",
    "rollback.notify.initial-backoff=10ms",
    "rollback.notify.max-backoff=1s",
    "rollback.notify.timeout=5s",
    "logging.level.org.rollbackjobs=DEBUG",
    "logging.level.com.zaxxer.hikari=DEBUG",
    "logging.level.org.springframework.batch=DEBUG",
    "logging.level.org.flywaydb=DEBUG"})
@ContextConfiguration(initializers = SecretsNeverShownTest.Credentials.class)
@ExtendWith(OutputCaptureExtension.class)
class SecretsNeverShownTest extends CliHarness {
  private static final String RUN = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  /** What every marker starts with: any hit of it is a leak, whichever secret it is. */
  private static final String PREFIX = "SECRET-MARKER-" + RUN + "-";
  private static final String ROLE = "secrets_" + RUN;
  private static final String PASSWORD_CHECKED = "rollback_password_checked";
  private static final String AIRFLOW_USER = "retrain-bot";

  /** The secrets, by what they are. */
  private static final Map<String, String> SECRETS = new LinkedHashMap<>();
  private static final String DB_PASSWORD = secret("datasource password");
  private static final String CATALOG_SECRET = secret("catalog s3.secret-access-key");
  private static final String EMBEDDING_KEY_A = secret("embedding API key A");
  private static final String EMBEDDING_KEY_B = secret("embedding API key B");
  private static final String MLFLOW_TOKEN = secret("MLflow token");
  private static final String AIRFLOW_TOKEN = secret("Airflow token");
  private static final String AIRFLOW_PASSWORD = secret("Airflow password");
  private static final String RETRAIN_QUERY_TOKEN = secret("retrain webhook query token");
  private static final String SLACK_TOKEN = secret("Slack webhook path token");
  private static final String NOTIFY_QUERY_TOKEN = secret("notification webhook query token");
  private static final String CLI_PASSWORD = secret("password given on the command line");
  private static final String WRONG_PASSWORD = secret("wrong datasource password");
  private static final String URL_PASSWORD = secret("password in the JDBC URL");
  private static final String CATALOG_PASSWORD = secret("catalog jdbc.password");
  private static final String CATALOG_URL_PASSWORD = secret("password in the catalog URI");
  private static final String BAD_WEBHOOK_TOKEN = secret("token of a bad webhook URL");
  private static final String BASIC_CREDENTIALS = Base64.getEncoder().encodeToString(
      (AIRFLOW_USER + ":" + AIRFLOW_PASSWORD).getBytes(StandardCharsets.UTF_8));

  /** The environment variables the system file and the configuration name, as if set. */
  private static final Map<String, String> ENVIRONMENT = Map.of(
      "SECRETS_TEST_EMBEDDING_KEY_A", EMBEDDING_KEY_A,
      "SECRETS_TEST_EMBEDDING_KEY_B", EMBEDDING_KEY_B,
      "SECRETS_TEST_MLFLOW_TOKEN", MLFLOW_TOKEN,
      "SECRETS_TEST_AIRFLOW_TOKEN", AIRFLOW_TOKEN,
      "SECRETS_TEST_AIRFLOW_USER", AIRFLOW_USER,
      "SECRETS_TEST_AIRFLOW_PASSWORD", AIRFLOW_PASSWORD);

  private static final EchoingServer ENDPOINTS = new EchoingServer();
  private static final MlflowServer MLFLOW = mlflow();
  private static final Path FILES = temporaryFolder();

  private static String secret(String what) {
    String value = PREFIX + what.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "-");
    SECRETS.put(value, what);
    return value;
  }

  /** Credentials as if from the environment (the JVM cannot set its own environment variables). */
  @TestConfiguration
  static class Secrets {
    @Bean
    @Primary
    SecretSource testSecrets() {
      return name -> Optional.ofNullable(ENVIRONMENT.get(name));
    }
  }

  /**
   * The datasource's user and password, above those {@link CliHarness} registers for every test (a dynamic property
   * of a superclass wins over the subclass's).
   */
  static class Credentials implements ApplicationContextInitializer<ConfigurableApplicationContext> {
    @Override
    public void initialize(ConfigurableApplicationContext context) {
      createRole();
      context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("secrets-test-credentials",
          Map.of("spring.datasource.username", ROLE, "spring.datasource.password", DB_PASSWORD)));
    }
  }

  @DynamicPropertySource
  static void secrets(DynamicPropertyRegistry registry) {
    registry.add("rollback.iceberg.catalog.s3.secret-access-key", () -> CATALOG_SECRET);
    registry.add("rollback.features.work-dir", () -> FILES.resolve("work").toString());
    registry.add("rollback.systems.dir", () -> FILES.resolve("systems").toString());
    for (String model : List.of("a", "b")) {
      String p = "rollback.vector.remote-models.secrets-remote-" + model + ".";
      registry.add(p + "base-url", () -> ENDPOINTS.url("/v1"));
      registry.add(p + "model", () -> "text-embedding-" + model);
      registry.add(p + "revision", () -> "2026-01");
      registry.add(p + "dimension", () -> EchoingServer.DIMENSION);
      registry.add(p + "api-key-env", () -> "SECRETS_TEST_EMBEDDING_KEY_" + model.toUpperCase(Locale.ROOT));
      registry.add(p + "max-retries", () -> 1);
      registry.add(p + "timeout", () -> "5s");
    }
    registry.add("rollback.notify.webhooks[0]", () -> ENDPOINTS.url("/services/T0SECRETS/B0SECRETS/" + SLACK_TOKEN));
    registry.add("rollback.notify.webhooks[1]", () -> ENDPOINTS.url("/hooks/rollback?token=" + NOTIFY_QUERY_TOKEN));
  }

  @Autowired JdbcTemplate jdbc;
  @Autowired DataSource dataSource;
  @Autowired Environment environment;

  /** The secrets found: which, where, and the text around the first hit of each in each place. */
  private final List<String> leaks = new ArrayList<>();
  private final Set<String> shown = new HashSet<>();
  private final List<String> ran = new ArrayList<>();
  private CapturedOutput log;
  private String ns;
  private Path systemFile;
  private long goodManifest;

  @Test
  void everyCommandWithEverySecretSetShowsNone(CapturedOutput output) throws Exception {
    this.log = output;
    long started = System.nanoTime();
    Registry.Snapshot registry = Registry.snapshot(dataSource);
    try {
      theDatabaseChecksThePassword();
      helpAndUsageErrorsAsMainAnswersThem();
      knownGoodDeploy();
      readOnlyCommands();
      incidentThenRollbackWithApprovalsAndNotifications();
      drillAndReport();
      remoteEndpointsRefuseAndEchoTheCredentials();
      indexSwitchBackAndRestore();
      demos();
      errorsInsideTheApplication();
      startupFailuresInProcessesOfTheirOwn();
      everySecretReachedItsEndpoint();
    } catch (RuntimeException | Error | IOException | InterruptedException e) {
      if (!leaks.isEmpty()) {
        e.addSuppressed(new AssertionError("secrets shown before this failure:\n" + String.join("\n", leaks)));
      }
      throw e;
    } finally {
      ENDPOINTS.accept();
      MLFLOW.clearFailures();
      registry.restore();
    }
    search("the log and every output (captured stdout and stderr)", log.getAll());
    searchDatabase();
    searchFiles(Path.of(environment.getRequiredProperty("rollback.iceberg.catalog.warehouse")));
    searchFiles(FILES.resolve("work"));
    searchFiles(FILES.resolve("report.html"));
    ENDPOINTS.received().forEach(r -> search("the body of " + r.method() + " " + redactedUri(r.uri())
        + " sent to the local endpoints", r.body()));
    MLFLOW.received().forEach(r -> search("the body of " + r.method() + " " + r.path() + " sent to MLflow", r.body()));
    System.err.printf("secrets test: %d command lines in %d s%n", ran.size(),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    assertThat(leaks).as("secrets shown (%d command lines ran)", ran.size()).isEmpty();
  }

  @AfterAll
  static void dropRoleAndStopServers() {
    ENDPOINTS.close();
    MLFLOW.close();
    TestPostgres db = TestPostgres.get();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("REASSIGN OWNED BY " + ROLE + " TO " + db.user());
      s.execute("DROP OWNED BY " + ROLE);
      s.execute("DROP ROLE " + ROLE);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop the test role " + ROLE, e);
    }
  }

  // ---- the commands --------------------------------------------------------------------------------------------

  /**
   * The application connects as a role whose password PostgreSQL checks: the datasource password is the marker,
   * and a wrong one is refused.
   */
  private void theDatabaseChecksThePassword() {
    assertThat(jdbc.queryForObject("SELECT current_user", String.class)).isEqualTo(ROLE);
    Properties wrong = new Properties();
    wrong.setProperty("user", ROLE);
    wrong.setProperty("password", "not-the-password");
    try (Connection c = DriverManager.getConnection(TestPostgres.get().jdbcUrl(), wrong)) {
      throw new AssertionError("PostgreSQL accepted a wrong password for " + ROLE + " (a member of "
          + PASSWORD_CHECKED + "): the server trusts it. '.ci/pgvector-local.sh start' adds the rule that makes it"
          + " check the passwords of members of " + PASSWORD_CHECKED + "; another server must check passwords on"
          + " host connections (as the Testcontainers image does)");
    } catch (SQLException refused) {
      assertThat(refused.getSQLState()).as(refused.getMessage()).isEqualTo("28P01");
    }
  }

  private void helpAndUsageErrorsAsMainAnswersThem() {
    List<List<String>> paths = new ArrayList<>();
    commandPaths(Cli.commandLine(CommandLine.defaultFactory()), List.of(), paths);
    assertThat(paths).hasSizeGreaterThan(18);
    for (List<String> path : paths) {
      main(concat(path, "--help"));
      main(concat(path, "--version"));
      main(concat(path, "--no-such-option", "--json"));
    }
    main("no-such-command", "--json");
    main();
    main("restore", "--table", "a.b", "--json");
    main("history", "--limit", "many");
    // a secret given on the command line: as a Spring property it is taken, never printed; misspelt, it is refused
    main("history", "--json", "--no-such-option", "--spring.datasource.password=" + CLI_PASSWORD);
    main("history", "--spring.datasource.password", CLI_PASSWORD);
    main("history", "--password=" + CLI_PASSWORD);
    // and inside the application (the command line as the tests run it)
    cli("restore", "--table", "a.b");
    cli("history", "--limit", "many", "--json");
  }

  private void knownGoodDeploy() throws IOException {
    ns = "sec" + RUN.substring(0, 8);
    jdbc.execute("CREATE SCHEMA " + ns);
    Table txn = TxnSource.create(catalog, ns + ".txn");
    TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 31, 800, 60), 2);
    TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 32, 800, 80), 2);
    Documents.create(catalog, ns + ".docs", 40, 2, 5);
    MLFLOW.register(ns + "-scorer", false, "1", "2", "3", "4").alias(ns + "-scorer", "champion", "3");
    MLFLOW.register(ns + "-answer", true, "1", "2", "3").alias(ns + "-answer", "production", "2");
    systemFile = writeSystemFile();
    String file = systemFile.toString();

    ok(cli("recompute-features", "--system-file", file, "--feature", "customer_features", "--dry-run", "--json"));
    ok(cli("recompute-features", "--system-file", file, "--feature", "customer_features", "--reason", "deploy 1"));
    ok(cli("rebuild-index", "--system-file", file, "--index", "docs", "--create", "--dry-run", "--json"));
    ok(cli("rebuild-index", "--system-file", file, "--index", "docs", "--create", "--reason", "deploy 1",
        "--json"));
    goodManifest = capture("deploy 1");
    ok(cli("trigger-retrain", "--system-file", file, "--model", "churn", "--reason", "deploy 1", "--dry-run"));
    ok(cli("trigger-retrain", "--system-file", file, "--model", "churn", "--reason", "deploy 1", "--json"));
    ok(cli("trigger-retrain", "--system", ns, "--model", "ranker", "--reason", "deploy 1"));
    ok(cli("verify", "--system-file", file, "--manifest", Long.toString(goodManifest), "--json"));
    ok(cli("verify", "--system", ns));
  }

  private void readOnlyCommands() {
    for (String json : new String[] {"--json", null}) {
      ok(cli(withOptional(json, "snapshots", "--table", ns + ".txn")));
      ok(cli(withOptional(json, "manifest", "list", "--system", ns)));
      ok(cli(withOptional(json, "manifest", "show", Long.toString(latestManifest()))));
      ok(cli(withOptional(json, "history", "--limit", "200")));
      ok(cli(withOptional(json, "status", "--limit", "200")));
      ok(cli(withOptional(json, "status", "--retrain", "--system", ns)));
      ok(cli(withOptional(json, "status", "--leftovers")));
      ok(cli(withOptional(json, "status", "--execution", Long.toString(latestExecution()))));
      ok(cli(withOptional(json, "restore", "--table", ns + ".txn", "--to-snapshot", Long.toString(firstSnapshot()),
          "--dry-run")));
    }
  }

  private void incidentThenRollbackWithApprovalsAndNotifications() {
    String file = systemFile.toString();
    long good = goodManifest;
    TxnSource.append(table(ns + ".txn"), TxnSource.rows(TxnSource.SCHEMA, 33, 300, 40), 1);
    ok(cli("recompute-features", "--pipeline", "customer_txn_features", "--version", "2", "--source", ns + ".txn",
        "--target", ns + ".customer_features", "--reason", "nightly", "--json"));
    ok(cli("rebuild-index", "--index", "docs", "--schema", ns, "--embedding", "secrets-remote-b", "--source-table",
        ns + ".docs", "--id-column", "id", "--text-column", "text", "--reason", "new embedding model", "--json"));
    MLFLOW.alias(ns + "-scorer", "champion", "4").alias(ns + "-answer", "production", "3");
    capture("deploy 2");
    ok(cli("trigger-retrain", "--system-file", file, "--model", "churn", "--reason", "deploy 2", "--json"));
    expect(3, cli("verify", "--system-file", file, "--manifest", Long.toString(good), "--json"));

    CliHarness.Result dry = expect(4, cli("rollback", "--system-file", file, "--to-manifest", Long.toString(good),
        "--dry-run", "--json"));
    cli("rollback", "--system-file", file, "--to-manifest", Long.toString(good), "--dry-run");
    String plan = dry.json().get("plan-id").asText();
    ok(cli("approve", "--system-file", file, "--plan", plan, "--approver", "alice", "--role", "data-engineering-lead",
        "--reason", "incident 42", "--json"));
    ok(cli("approve", "--system", ns, "--plan", plan, "--approver", "bob", "--role", "ml-engineering-lead",
        "--reason", "incident 42"));
    ok(cli("rollback", "--system-file", file, "--to-manifest", Long.toString(good), "--reason", "incident 42",
        "--actor", "carol", "--json"));
    ok(cli("verify", "--system-file", file, "--manifest", Long.toString(good), "--json"));
    ok(cli("rollback", "--system-file", file, "--to-manifest", Long.toString(good), "--reason", "again", "--actor",
        "carol"));
  }

  private void drillAndReport() throws IOException {
    String file = systemFile.toString();
    ok(cli("drill", "--system-file", file, "--dry-run", "--json"));
    ok(cli("drill", "--system-file", file, "--reason", "monthly drill", "--json"));
    cli("drill", "--system", ns, "--reason", "monthly drill", "--inject", "mixed-embeddings");
    ok(cli("report", "--json"));
    ok(cli("report", "--system", ns, "--html", FILES.resolve("report.html").toString()));
    assertThat(Files.readString(FILES.resolve("report.html"))).contains(ns);
  }

  private void remoteEndpointsRefuseAndEchoTheCredentials() {
    String file = systemFile.toString();
    // the embedding endpoint: 401 (not retried), then 500 (retried), then serving again
    ENDPOINTS.refuse("/v1", 401);
    CliHarness.Result refused = expect(1, cli("rebuild-index", "--system-file", file, "--index", "docs", "--force",
        "--no-reuse", "--reason", "embedding endpoint refuses", "--json"));
    String execution = Long.toString(refused.json().path("job-execution-id").asLong(latestExecution()));
    ENDPOINTS.refuse("/v1", 500);
    expect(1, cli("restart", "--execution", execution, "--json"));
    cli("status", "--execution", execution, "--json");
    ENDPOINTS.accept();
    ok(cli("restart", "--execution", execution));

    // MLflow: 401 and 500 with the request echoed, during capture, verify, a rollback and a drill
    for (int i = 0; i < 4; i++) {
      MLFLOW.thenFailEchoing(401);
    }
    expect(1, cli("manifest", "capture", "--system-file", file, "--reason", "MLflow refuses", "--json"));
    cli("verify", "--system-file", file, "--json");
    MLFLOW.clearFailures();
    for (int i = 0; i < 20; i++) {
      MLFLOW.thenFailEchoing(500);
    }
    cli("manifest", "capture", "--system-file", file, "--reason", "MLflow fails");
    MLFLOW.clearFailures();
    // a rollback whose one move is setting the model's alias back (the good index's model was quarantined when the
    // endpoint refused: overridden): planned while MLflow refuses the reads, then run
    // while it refuses to set the alias (the job fails: a failed notification names the error), restarted while it
    // answers 500, a drill while it refuses the reads, and the restart once MLflow serves again
    String good = Long.toString(goodManifest);
    MLFLOW.alias(ns + "-scorer", "champion", "2");
    for (int i = 0; i < 2; i++) {
      MLFLOW.thenFailEchoing(401);
    }
    cli("rollback", "--system-file", file, "--to-manifest", good, "--dry-run", "--json");
    MLFLOW.clearFailures();
    CliHarness.Result dry = cli("rollback", "--system-file", file, "--to-manifest", good, "--override-quarantine",
        "--dry-run", "--json");
    if (dry.exitCode() == 4) {
      approveAll(dry.json().get("plan-id").asText());
    }
    ENDPOINTS.refuse("/services", 401).refuse("/hooks", 500);
    MLFLOW.refusePostsEchoing(401);
    CliHarness.Result failed = expect(1, cli("rollback", "--system-file", file, "--to-manifest", good,
        "--override-quarantine", "--reason", "MLflow refuses the alias", "--actor", "carol", "--json"));
    String rollback = failed.json().get("job-execution-id").asText();
    MLFLOW.refusePostsEchoing(500);
    expect(1, cli("restart", "--execution", rollback, "--json"));
    MLFLOW.clearFailures();
    for (int i = 0; i < 4; i++) {
      MLFLOW.thenFailEchoing(401);
    }
    cli("drill", "--system-file", file, "--reason", "drill while MLflow refuses", "--json");
    MLFLOW.clearFailures();
    ENDPOINTS.accept();
    ok(cli("restart", "--execution", rollback, "--json"));
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.notifications WHERE system = ? AND event = 'failed'"
        + " AND status = 'failed'", Long.class, ns)).as("failed events that could not be delivered").isPositive();
    assertThat(MLFLOW.aliasOf(ns + "-scorer", "champion")).isEqualTo("3");

    // retrain channels: the webhook refuses with 401, Airflow with 500, both echoing
    long manifest = ok(cli("manifest", "capture", "--system-file", file, "--reason", "deploy 3", "--allow-inconsistent",
        "--json")).json().get("manifest-id").asLong();
    ENDPOINTS.refuse("/retrain", 401).refuse("/airflow", 500);
    expect(1, cli("trigger-retrain", "--system-file", file, "--model", "churn", "--reason", "deploy 3", "--json"));
    expect(1, cli("trigger-retrain", "--system-file", file, "--model", "ranker", "--reason", "deploy 3"));
    ok(cli("status", "--retrain", "--system", ns, "--json"));
    ok(cli("status", "--retrain", "--model", "churn"));
    ENDPOINTS.accept();
    ok(cli("trigger-retrain", "--system-file", file, "--model", "churn", "--reason", "deploy 3", "--json"));
    ok(cli("manifest", "retire", Long.toString(manifest), "--dry-run", "--json"));
    ok(cli("manifest", "retire", Long.toString(manifest), "--reason", "superseded"));
  }

  private void indexSwitchBackAndRestore() {
    ok(cli("rebuild-index", "--index", "docs", "--schema", ns, "--switch-back", "--dry-run", "--json"));
    ok(cli("rebuild-index", "--index", "docs", "--schema", ns, "--switch-back", "--reason", "undo", "--json"));
    ok(cli("restore", "--table", ns + ".txn", "--to-snapshot", Long.toString(firstSnapshot()), "--reason", "undo",
        "--json"));
    ok(cli("restore", "--table", ns + ".txn", "--to-snapshot", Long.toString(firstSnapshot()), "--mode", "pointer",
        "--reason", "undo"));
  }

  private void demos() {
    ok(cli("demo", "--table", ns + "demo.orders", "--json"));
    ok(cli("demo", "--table", ns + "demo.orders", "--mode", "pointer"));
    ok(cli("demo", "--example-system", "--json"));
    ok(cli("demo", "--example-system", "--bad-load"));
    ok(cli("demo", "--system-rollback", "--json")); // its rollback notifies the webhooks too
  }

  private void errorsInsideTheApplication() {
    cli("restore", "--table", ns + ".nosuch", "--to-snapshot", "1", "--reason", "r", "--json");
    cli("snapshots", "--table", ns + ".nosuch");
    cli("verify", "--system", "nosuch", "--json");
    cli("restart", "--execution", "987654321", "--json");
    cli("status", "--execution", "987654321");
    cli("manifest", "show", "987654321", "--json");
    cli("rebuild-index", "--index", "docs", "--schema", ns, "--embedding", "no-such-model", "--source-table",
        ns + ".docs", "--reason", "r", "--json");
  }

  /** Commands whose application cannot start, run as the JAR runs them, the secrets in their environment. */
  private void startupFailuresInProcessesOfTheirOwn() throws IOException, InterruptedException {
    String url = TestPostgres.get().jdbcUrl();
    Map<String, String> good = Map.of("SPRING_DATASOURCE_URL", url, "SPRING_DATASOURCE_USERNAME", ROLE,
        "SPRING_DATASOURCE_PASSWORD", DB_PASSWORD);
    // PostgreSQL refuses the password
    Map<String, String> wrong = new LinkedHashMap<>(good);
    wrong.put("SPRING_DATASOURCE_PASSWORD", WRONG_PASSWORD);
    Ran refused = process(wrong, "history", "--json");
    assertThat(refused.exitCode()).as("a refused password is exit 1: %s", refused).isEqualTo(1);
    assertThat(refused.stderr()).contains("password authentication failed for user \"" + ROLE + "\"");
    assertThat(process(wrong, "snapshots", "--table", ns + ".txn").exitCode()).isEqualTo(1);
    // the password in the JDBC URL: taken (the catalog in the datasource gets the URL too), refused, no server
    Map<String, String> inUrl = new LinkedHashMap<>(Map.of("SPRING_DATASOURCE_URL", url + "?user=" + ROLE
        + "&password=" + DB_PASSWORD, "SPRING_DATASOURCE_USERNAME", ROLE, "SPRING_DATASOURCE_PASSWORD", "",
        "ROLLBACK_ICEBERG_CATALOGNAME", environment.getRequiredProperty("rollback.iceberg.catalog-name"),
        "ROLLBACK_ICEBERG_CATALOG_WAREHOUSE", environment.getRequiredProperty("rollback.iceberg.catalog.warehouse")));
    Ran viaUrl = process(inUrl, "snapshots", "--table", ns + ".txn", "--json");
    assertThat(viaUrl.exitCode()).as(viaUrl.stderr()).isZero();
    assertThat(viaUrl.stderr()).as("the catalog's properties at DEBUG").contains("Iceberg catalog", "&password=***");
    inUrl.put("SPRING_DATASOURCE_URL", url + "?user=" + ROLE + "&password=" + URL_PASSWORD);
    assertThat(process(inUrl, "status", "--json").stderr()).contains("password authentication failed");
    Map<String, String> nowhere = Map.of("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:1/nowhere?password="
        + URL_PASSWORD, "SPRING_DATASOURCE_PASSWORD", DB_PASSWORD);
    assertThat(process(nowhere, "history").stderr()).contains("cannot connect to PostgreSQL");
    Map<String, String> badPort = Map.of("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:port/x?password="
        + URL_PASSWORD);
    assertThat(process(badPort, "history").exitCode()).as("a URL the driver does not accept").isEqualTo(1);
    // a catalog of its own whose credentials cannot connect, and one that cannot be built
    Map<String, String> catalog = new LinkedHashMap<>(good);
    catalog.put("ROLLBACK_ICEBERG_CATALOG_URI", "jdbc:postgresql://127.0.0.1:1/lake?password=" + CATALOG_URL_PASSWORD);
    catalog.put("ROLLBACK_ICEBERG_CATALOG_JDBC_USER", ROLE);
    catalog.put("ROLLBACK_ICEBERG_CATALOG_JDBC_PASSWORD", CATALOG_PASSWORD);
    catalog.put("ROLLBACK_ICEBERG_CATALOG_WAREHOUSE", FILES.resolve("other-warehouse").toString());
    Ran unreachable = process(catalog, "snapshots", "--table", ns + ".txn", "--json");
    assertThat(unreachable.exitCode()).as("%s", unreachable).isEqualTo(1);
    assertThat(unreachable.stderr()).contains("Failed to connect: jdbc:postgresql://127.0.0.1:1/lake?password=***");
    catalog.put("ROLLBACK_ICEBERG_CATALOG_TYPE", "no-such-type");
    Ran unbuildable = process(catalog, "snapshots", "--table", ns + ".txn", "--json");
    assertThat(unbuildable.exitCode()).as("%s", unbuildable).isEqualTo(2);
    assertThat(unbuildable.stdout()).contains("cannot be built", "jdbc.password=****", "lake?password=***");
    // a webhook URL that is not valid
    Map<String, String> badWebhook = new LinkedHashMap<>(good);
    badWebhook.put("ROLLBACK_NOTIFY_WEBHOOKS", "ftp://hooks.example.org/services/" + BAD_WEBHOOK_TOKEN
        + ",https://hooks.example.org/services/x y/" + BAD_WEBHOOK_TOKEN);
    Ran badUrl = process(badWebhook, "rollback", "--system-file", systemFile.toString(), "--to-manifest", "previous",
        "--dry-run", "--json");
    assertThat(badUrl.exitCode()).as("%s", badUrl).isEqualTo(2);
    assertThat(badUrl.stderr()).contains("error: invalid configuration: rollback.notify.webhooks[0]");
    // and a secret given on the command line as a Spring property: taken, never shown
    assertThat(process(good, "history", "--json", "--spring.datasource.password=" + DB_PASSWORD).exitCode()).isZero();
  }

  /** The servers saw each credential: the markers were really in use. */
  private void everySecretReachedItsEndpoint() {
    assertThat(ENDPOINTS.received("/v1/embeddings")).extracting(r -> r.header("Authorization"))
        .contains("Bearer " + EMBEDDING_KEY_A, "Bearer " + EMBEDDING_KEY_B);
    assertThat(ENDPOINTS.received("/retrain?token=" + RETRAIN_QUERY_TOKEN)).isNotEmpty();
    assertThat(ENDPOINTS.received("/airflow/api/v1/dags/retrain_churn/dagRuns"))
        .extracting(r -> r.header("Authorization")).contains("Bearer " + AIRFLOW_TOKEN);
    assertThat(ENDPOINTS.received("/airflow/api/v1/dags/retrain_ranker/dagRuns"))
        .extracting(r -> r.header("Authorization")).contains("Basic " + BASIC_CREDENTIALS);
    assertThat(ENDPOINTS.received("/services/T0SECRETS/B0SECRETS/" + SLACK_TOKEN)).isNotEmpty();
    assertThat(ENDPOINTS.received("/hooks/rollback?token=" + NOTIFY_QUERY_TOKEN)).isNotEmpty();
    assertThat(MLFLOW.received()).extracting(r -> r.header("Authorization")).contains("Bearer " + MLFLOW_TOKEN);
  }

  // ---- running commands ------------------------------------------------------------------------------------

  /** A command in the application, as {@link CliHarness#run} runs it; its output and its log lines searched. */
  private CliHarness.Result cli(String... args) {
    int before = log.getAll().length();
    CliHarness.Result result = run(args);
    String line = String.join(" ", args);
    ran.add(line);
    search("stdout of '" + line + "'", result.stdout());
    search("stderr of '" + line + "'", result.stderr());
    search("the log while '" + line + "' ran", log.getAll().substring(before));
    return result;
  }

  /** A command line as {@code main} answers it before Spring starts (help, version, usage errors). */
  private void main(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Integer code = Cli.answerWithoutSpring(args, new PrintWriter(out, true), new PrintWriter(err, true));
    String line = "main " + String.join(" ", args);
    ran.add(line);
    search("stdout of '" + line + "'", out.toString());
    search("stderr of '" + line + "'", err.toString());
    if (code == null) { // the command would start the application: nothing of that here
      return;
    }
    assertThat(code).as(line).isIn(0, 2);
  }

  /**
   * The application's {@code main} in a process of its own (the test's class path without the test classes),
   * the secrets in its environment (and DEBUG logging); its stdout and stderr searched.
   */
  /** What a process printed and returned. */
  private record Ran(int exitCode, String stdout, String stderr) {}

  private Ran process(Map<String, String> env, String... args) throws IOException, InterruptedException {
    String classPath = Stream.of(System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path")).split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp", classPath, "org.rollbackjobs.jobs.RollbackJobsApplication"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("secrets-test-out", ".txt");
    Path err = Files.createTempFile("secrets-test-err", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("SPRING_") || k.startsWith("ROLLBACK_"));
    builder.environment().putAll(env);
    builder.environment().put("ROLLBACK_SYSTEMS_DIR", FILES.resolve("systems").toString());
    builder.environment().put("LOGGING_LEVEL_ORG_ROLLBACKJOBS", "DEBUG");
    builder.environment().put("LOGGING_LEVEL_COM_ZAXXER_HIKARI", "DEBUG");
    builder.environment().put("LOGGING_LEVEL_ORG_FLYWAYDB", "DEBUG");
    Process process = builder.start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("'" + String.join(" ", args) + "' did not finish");
    }
    String line = "process " + String.join(" ", Arrays.stream(args).map(SecretsNeverShownTest::redactedUri)
        .toList()) + " with " + env.keySet();
    ran.add(line);
    Ran result = new Ran(process.exitValue(), Files.readString(out), Files.readString(err));
    search("stdout of '" + line + "'", result.stdout());
    search("stderr of '" + line + "'", result.stderr());
    Files.delete(out);
    Files.delete(err);
    return result;
  }

  private long capture(String reason) {
    return ok(cli("manifest", "capture", "--system-file", systemFile.toString(), "--reason", reason, "--json"))
        .json().get("manifest-id").asLong();
  }

  private void approveAll(String plan) {
    for (String[] approver : new String[][] {{"alice", "data-engineering-lead"}, {"bob", "ml-engineering-lead"}}) {
      ok(cli("approve", "--system-file", systemFile.toString(), "--plan", plan, "--approver", approver[0], "--role",
          approver[1], "--reason", "incident 43"));
    }
  }

  private long latestManifest() {
    return jdbc.queryForObject("SELECT max(id) FROM rollback.manifests WHERE system = ? AND retired_at IS NULL",
        Long.class, ns);
  }

  private long latestExecution() {
    return jdbc.queryForObject("SELECT max(job_execution_id) FROM rollback.BATCH_JOB_EXECUTION", Long.class);
  }

  private long firstSnapshot() {
    long id = table(ns + ".txn").currentSnapshot().snapshotId();
    for (Long parent = id; parent != null; parent = table(ns + ".txn").snapshot(parent).parentId()) {
      id = parent;
    }
    return id;
  }

  private static CliHarness.Result ok(CliHarness.Result result) {
    return expect(0, result);
  }

  private static CliHarness.Result expect(int code, CliHarness.Result result) {
    assertThat(result.exitCode()).as(result.stderr() + result.stdout()).isEqualTo(code);
    return result;
  }

  private static String[] withOptional(String option, String... args) {
    return option == null ? args : concat(List.of(args), option);
  }

  private static String[] concat(List<String> path, String... more) {
    List<String> all = new ArrayList<>(path);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static void commandPaths(CommandLine cli, List<String> path, List<List<String>> paths) {
    paths.add(path);
    cli.getSubcommands().forEach((name, sub) -> commandPaths(sub, List.of(concat(path, name)), paths));
  }

  // ---- searching ------------------------------------------------------------------------------------------

  /** Records every marker (and the Basic credentials made of one) in {@code text}, with where and its context. */
  private void search(String where, String text) {
    if (text == null || text.isEmpty()) {
      return;
    }
    String lower = text.toLowerCase(Locale.ROOT);
    for (String form : List.of(PREFIX, BASIC_CREDENTIALS)) {
      String needle = form.toLowerCase(Locale.ROOT);
      for (int at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length())) {
        String context = text.substring(Math.max(0, at - 120), Math.min(text.length(), at + needle.length() + 60));
        if (shown.add(which(text, at, form) + " in " + where)) { // the first of each secret in each place
          leaks.add(which(text, at, form) + " in " + where + ": ..." + context.replaceAll("\\s+", " ") + "...");
        }
      }
    }
  }

  private static String which(String text, int at, String form) {
    if (form.equals(BASIC_CREDENTIALS)) {
      return "the Airflow basic credentials (Base64)";
    }
    return SECRETS.entrySet().stream().filter(e -> text.regionMatches(true, at, e.getKey(), 0, e.getKey().length()))
        .map(Map.Entry::getValue).findFirst().orElse("a marker");
  }

  /** Every row of every table of every schema of the test database, as text (bytea columns as bytes). */
  private void searchDatabase() {
    List<Map<String, Object>> tables = jdbc.queryForList("SELECT n.nspname AS schema, c.relname AS name"
        + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm')"
        + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
        + " AND n.nspname NOT LIKE 'pg_temp%'");
    assertThat(tables).extracting(t -> t.get("schema") + "." + t.get("name"))
        .contains("rollback.batch_job_execution_params", "rollback.batch_step_execution_context",
            "rollback.audit_log", "rollback.notifications", "rollback.drills", "rollback.retrain_requests");
    for (Map<String, Object> t : tables) {
      String name = quote(t.get("schema")) + "." + quote(t.get("name"));
      for (String form : List.of(PREFIX, BASIC_CREDENTIALS)) {
        jdbc.queryForList("SELECT t::text FROM " + name + " t WHERE strpos(lower(t::text), lower(?)) > 0",
            String.class, form).forEach(row -> search("the database, table " + name, row));
      }
      List<String> byteColumns = jdbc.queryForList("SELECT column_name FROM information_schema.columns"
          + " WHERE table_schema = ? AND table_name = ? AND data_type = 'bytea'", String.class, t.get("schema"),
          t.get("name"));
      for (String column : byteColumns) {
        jdbc.queryForList("SELECT encode(" + quote(column) + ", 'escape') FROM " + name + " WHERE strpos("
            + quote(column) + ", convert_to(?, 'UTF8')) > 0", String.class, PREFIX)
            .forEach(value -> search("the database, bytea column " + column + " of " + name, value));
      }
    }
  }

  /** Every file under {@code root} (the system file of the test, which names secrets, is elsewhere), as bytes. */
  private void searchFiles(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        try {
          search("the file " + file, new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        } catch (UncheckedIOException | IOException gone) {
          // removed while walking (a recompute's spill files): nothing left to search
        }
      }
    }
  }

  private static String quote(Object identifier) {
    return "\"" + identifier.toString().replace("\"", "\"\"") + "\"";
  }

  /** A URI of the test's own, for messages: its markers replaced by what they are. */
  private static String redactedUri(String uri) {
    String shown = uri;
    for (Map.Entry<String, String> e : SECRETS.entrySet()) {
      shown = shown.replace(e.getKey(), "<" + e.getValue() + ">");
    }
    return shown;
  }

  // ---- fixtures -------------------------------------------------------------------------------------------

  /**
   * A login role of this test whose password is the marker, a member of {@value #PASSWORD_CHECKED} (whose members
   * give their password: {@code .ci/pgvector-local.sh}); superuser, as the suite's own user is in the tests.
   */
  private static void createRole() {
    try (Connection c = TestPostgres.get().connect(); Statement s = c.createStatement()) {
      s.execute("DO $$ BEGIN CREATE ROLE " + PASSWORD_CHECKED + " NOLOGIN; EXCEPTION WHEN duplicate_object"
          + " THEN NULL; END $$");
      s.execute("CREATE ROLE " + ROLE + " LOGIN SUPERUSER PASSWORD '" + DB_PASSWORD + "' IN ROLE "
          + PASSWORD_CHECKED);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the test role", e);
    }
  }

  /**
   * The system: a dataset, a feature table, an index embedded by a remote model (key A), a model retrained through
   * a webhook with a token in its query and an Airflow DAG with a bearer token, one through a DAG with basic auth,
   * a model and a prompt served through MLflow aliases with a token.
   */
  private Path writeSystemFile() throws IOException {
    Path file = FILES.resolve("systems").resolve(ns + ".yml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, """
        name: <NS>
        datasets:
          - table: <NS>.txn
        features:
          - name: customer_features
            source: <NS>.txn
            pipeline: customer_txn_features
            target: <NS>.customer_features
            version: "1"
        indexes:
          - name: docs
            schema: <NS>
            source: <NS>.docs
            id-column: id
            text-column: text
            embedding: secrets-remote-a
        models:
          - name: churn
            version: "7"
            trains-on: [<NS>.txn, <NS>.customer_features]
            trigger:
              webhook: <RETRAIN>
              airflow: {url: <AIRFLOW>, dag: retrain_churn, token-env: SECRETS_TEST_AIRFLOW_TOKEN}
          - name: ranker
            trains-on: [<NS>.txn]
            trigger:
              airflow:
                url: <AIRFLOW>
                dag: retrain_ranker
                username-env: SECRETS_TEST_AIRFLOW_USER
                password-env: SECRETS_TEST_AIRFLOW_PASSWORD
          - name: scorer
            trains-on: [<NS>.txn]
            registry:
              mlflow: {url: <MLFLOW>, name: <NS>-scorer, alias: champion, token-env: SECRETS_TEST_MLFLOW_TOKEN}
        prompts:
          - name: answer
            registry:
              mlflow: {url: <MLFLOW>, name: <NS>-answer, alias: production, token-env: SECRETS_TEST_MLFLOW_TOKEN}
        """.replace("<NS>", ns).replace("<RETRAIN>", ENDPOINTS.url("/retrain?token=" + RETRAIN_QUERY_TOKEN))
        .replace("<AIRFLOW>", ENDPOINTS.url("/airflow")).replace("<MLFLOW>", MLFLOW.url()));
    return file;
  }

  private static MlflowServer mlflow() {
    try {
      return new MlflowServer();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path temporaryFolder() {
    try {
      return Files.createTempDirectory("secrets-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
