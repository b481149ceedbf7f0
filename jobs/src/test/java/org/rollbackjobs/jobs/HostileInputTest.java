package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rollbackjobs.testing.TestPostgres;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Hostile values in every option and every system-file field that names something in SQL or in the catalog:
 * each is refused with exit 2 and a message naming the option or key, and afterwards the database (schemas,
 * relations, rows of rollback.* and of the Iceberg catalog) and the warehouse are exactly as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest extends CliHarness {
  /** Injection, quotes, separators, a flood, control characters, look-alikes, paths, nothing. */
  static final List<String> HOSTILE = List.of(
      "x\"; DROP TABLE rollback.manifests; --", "a'b", "a;b", "a".repeat(10_000), "a\0b", "a\nb",
      "d\u043ecs" /* Cyrillic o */, "a\uff1bb" /* fullwidth semicolon */, "..", "../../etc/passwd", "a/b", "");
  private static final ObjectMapper YAML = new YAMLMapper();

  @Autowired JdbcTemplate jdbc;
  @Value("${rollback.iceberg.catalog.warehouse}") Path warehouse;
  Path systemFile;
  Path folder;

  @BeforeAll
  void aValidSystemFile() throws IOException {
    folder = Files.createTempDirectory("hostile");
    systemFile = write("valid.yml", validSystem());
  }

  /** A system file that passes every check; each field case below spoils one value of it. */
  static Map<String, Object> validSystem() {
    Map<String, Object> system = new LinkedHashMap<>();
    system.put("name", "hostile-shop");
    system.put("datasets", List.of(new LinkedHashMap<>(Map.of("table", "hostile.orders"))));
    system.put("features", List.of(new LinkedHashMap<>(Map.of("name", "spend", "source", "hostile.orders",
        "pipeline", "customer_txn_features", "target", "hostile.spend", "version", "1"))));
    system.put("indexes", List.of(new LinkedHashMap<>(Map.of("name", "docs", "schema", "hostile_idx", "source",
        "hostile.docs", "id-column", "id", "text-column", "text", "embedding", "all-minilm-l6-v2-q"))));
    system.put("models", List.of(new LinkedHashMap<>(Map.of("name", "churn", "trains-on",
        new ArrayList<>(List.of("hostile.orders")), "version", "v1"))));
    return system;
  }

  Stream<Arguments> hostileOptions() {
    String table = "ns.";
    List<Option> options = List.of(
        new Option("--table", v -> List.of("restore", "--table", table + v, "--to-snapshot", "1", "--reason", "r")),
        new Option("--table", v -> List.of("snapshots", "--table", table + v)),
        new Option("--table", v -> List.of("history", "--table", table + v)),
        new Option("--pipeline", v -> recompute("--pipeline", v, "--version", "1", "--source", "hostile.src",
            "--target", "hostile.dst")),
        new Option("--version", v -> recompute("--pipeline", "customer_txn_features", "--version", v, "--source",
            "hostile.src", "--target", "hostile.dst")),
        new Option("--source", v -> recompute("--pipeline", "customer_txn_features", "--version", "1", "--source",
            table + v, "--target", "hostile.dst")),
        new Option("--target", v -> recompute("--pipeline", "customer_txn_features", "--version", "1", "--source",
            "hostile.src", "--target", table + v)),
        new Option("--feature", v -> recompute("--system-file", systemFile.toString(), "--feature", v)),
        new Option("--index", v -> rebuild("--index", v)),
        new Option("--schema", v -> rebuild("--schema", v)),
        new Option("--id-column", v -> rebuild("--id-column", v)),
        new Option("--text-column", v -> rebuild("--text-column", v)),
        new Option("--embedding", v -> rebuild("--embedding", v)),
        new Option("--source-table", v -> rebuild("--source-table", table + v)),
        new Option("--stored-embeddings", v -> rebuild("--stored-embeddings", table + v)),
        new Option("--system", v -> List.of("manifest", "capture", "--system", v, "--reason", "r")),
        new Option("--model", v -> List.of("trigger-retrain", "--system-file", systemFile.toString(), "--model", v,
            "--reason", "r")));
    return options.stream().flatMap(o -> HOSTILE.stream().map(v -> Arguments.of(o.name(), label(v), o.args().apply(v))));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("hostileOptions")
  void hostileOptionValuesAreRefusedAndChangeNothing(String option, String value, List<String> args) {
    DatabaseFingerprint before = DatabaseFingerprint.of(jdbc, warehouse);

    Result result = run(args.toArray(String[]::new));

    assertThat(result.exitCode()).as(result.stderr()).isEqualTo(2);
    assertThat(result.stderr()).contains("error:").contains(option);
    assertThat(result.stderr()).as("a bad value is shown cut short").hasSizeLessThan(2_000);
    assertThat(DatabaseFingerprint.of(jdbc, warehouse)).isEqualTo(before);
  }

  Stream<Arguments> hostileSystemFiles() {
    List<Field> fields = List.of(
        new Field("name", s -> s),
        new Field("table", s -> item(s, "datasets")),
        new Field("name", s -> item(s, "features")),
        new Field("source", s -> item(s, "features")),
        new Field("pipeline", s -> item(s, "features")),
        new Field("target", s -> item(s, "features")),
        new Field("version", s -> item(s, "features")),
        new Field("name", s -> item(s, "indexes")),
        new Field("schema", s -> item(s, "indexes")),
        new Field("source", s -> item(s, "indexes")),
        new Field("id-column", s -> item(s, "indexes")),
        new Field("text-column", s -> item(s, "indexes")),
        new Field("embedding", s -> item(s, "indexes")),
        new Field("name", s -> item(s, "models")));
    Stream<Arguments> named = fields.stream().flatMap(f -> HOSTILE.stream().map(v -> {
      Map<String, Object> system = validSystem();
      f.holder().apply(system).put(f.key(), f.key().endsWith("source") || f.key().equals("table")
          || f.key().equals("target") ? "ns." + v : v);
      return Arguments.of(f.key(), label(v), system);
    }));
    // trains-on names tables; a model's version is free text, so only what would break records is refused there
    Stream<Arguments> trainsOn = HOSTILE.stream().map(v -> {
      Map<String, Object> system = validSystem();
      item(system, "models").put("trains-on", List.of("ns." + v));
      return Arguments.of("trains-on[0]", label(v), system);
    });
    Stream<Arguments> modelVersion = Stream.of("a".repeat(10_000), "a\0b", "a\nb").map(v -> {
      Map<String, Object> system = validSystem();
      item(system, "models").put("version", v);
      return Arguments.of("version", label(v), system);
    });
    return Stream.of(named, trainsOn, modelVersion).flatMap(s -> s);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("hostileSystemFiles")
  void hostileSystemFileValuesAreRefusedAndChangeNothing(String key, String value, Map<String, Object> system)
      throws IOException {
    Path file = write("hostile.yml", system);
    DatabaseFingerprint before = DatabaseFingerprint.of(jdbc, warehouse);

    Result result = run("manifest", "capture", "--system-file", file.toString(), "--reason", "r");

    assertThat(result.exitCode()).as(result.stderr()).isEqualTo(2);
    assertThat(result.stderr()).contains("error: system file " + file).contains(key);
    assertThat(result.stderr()).as("a bad value is shown cut short").hasSizeLessThan(2_000);
    assertThat(DatabaseFingerprint.of(jdbc, warehouse)).isEqualTo(before);
  }

  @Test
  void anAliasBombInASystemFileIsRefusedQuickly() throws IOException {
    StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      String previous = "*" + (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [").append(String.join(",", List.of(previous, previous,
          previous, previous, previous, previous, previous, previous))).append("]\n");
    }
    bomb.append("name: bomb\ndatasets: [{table: hostile.orders}]\n");
    assertRefusedQuickly(Files.writeString(folder.resolve("bomb.yml"), bomb), "not valid YAML");
  }

  @Test
  void anUnknownTagInASystemFileIsRefused() throws IOException {
    Path file = Files.writeString(folder.resolve("tag.yml"), "name: tagged\ndatasets:\n  - table: !!java.io.File"
        + " hostile.orders\n");
    // SnakeYAML itself refuses global tags (classes); local ones are refused by StrictYaml
    assertRefusedQuickly(file, "line 3: not valid YAML: Global tag is not allowed: tag:yaml.org,2002:java.io.File");
    Path custom = Files.writeString(folder.resolve("custom.yml"), "name: !custom tagged\ndatasets: []\n");
    assertRefusedQuickly(custom, "line 1: the tag '!custom' has no meaning");
  }

  @Test
  void aTaggedPipelineFileIsRefused() throws IOException {
    Path pipelines = Files.createDirectories(folder.resolve("pipelines"));
    Files.writeString(pipelines.resolve("p.yml"), "name: !custom p\nversion: \"1\"\n");
    DatabaseFingerprint before = DatabaseFingerprint.of(jdbc, warehouse);

    Result result = run("recompute-features", "--pipeline", "p", "--version", "1", "--source", "hostile.src",
        "--target", "hostile.dst", "--pipelines", pipelines.toString(), "--reason", "r");

    assertThat(result.exitCode()).as(result.stderr()).isEqualTo(2);
    assertThat(result.stderr()).contains("pipeline file", "line 1: the tag '!custom' has no meaning");
    // the pipelines are read by the recompute service, which audits the rejected request; nothing else changed
    assertThat(DatabaseFingerprint.of(jdbc, warehouse).without("rollback.audit_log"))
        .isEqualTo(before.without("rollback.audit_log"));
    assertThat(jdbc.queryForObject("SELECT outcome FROM rollback.audit_log ORDER BY id DESC LIMIT 1", String.class))
        .isEqualTo("rejected");
  }

  /** A configuration that names a table prefix with SQL in it stops the start: exit 2, before any bean is made. */
  @Test
  void aHostileTablePrefixIsInvalidConfiguration() {
    DatabaseFingerprint before = DatabaseFingerprint.of(jdbc, warehouse);
    TestPostgres db = TestPostgres.get();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = ApplicationStart.run(new String[] {"history", "--spring.datasource.url=" + db.jdbcUrl(),
          "--spring.datasource.username=" + db.user(), "--spring.datasource.password=" + db.password(),
          "--spring.batch.jdbc.table-prefix=rollback.BATCH_ x; DROP TABLE rollback.manifests; --"});
    } finally {
      System.setErr(err);
    }

    assertThat(code).isEqualTo(2);
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("error: invalid configuration:"
        + " spring.batch.jdbc.table-prefix 'rollback.BATCH_ x; DROP TABLE rollback.manifests; --' is not a table"
        + " prefix");
    assertThat(DatabaseFingerprint.of(jdbc, warehouse)).isEqualTo(before);
  }

  private void assertRefusedQuickly(Path file, String expected) {
    DatabaseFingerprint before = DatabaseFingerprint.of(jdbc, warehouse);
    long started = System.nanoTime();

    Result result = run("manifest", "capture", "--system-file", file.toString(), "--reason", "r");

    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("refused, not expanded").isLessThan(
        Duration.ofSeconds(30));
    assertThat(result.exitCode()).as(result.stderr()).isEqualTo(2);
    assertThat(result.stderr()).contains("error: system file " + file).contains(expected);
    assertThat(DatabaseFingerprint.of(jdbc, warehouse)).isEqualTo(before);
  }

  private static List<String> recompute(String... args) {
    List<String> all = new ArrayList<>(List.of("recompute-features"));
    all.addAll(List.of(args));
    all.addAll(List.of("--reason", "r"));
    return all;
  }

  /** A rebuild-index whose other options are all valid, with {@code option} set to {@code value}. */
  private static List<String> rebuild(String option, String value) {
    Map<String, String> options = new LinkedHashMap<>(Map.of("--index", "docs", "--schema", "hostile_idx",
        "--embedding", "all-minilm-l6-v2-q", "--source-table", "hostile.docs", "--create", "", "--reason", "r"));
    options.put(option, value);
    List<String> all = new ArrayList<>(List.of("rebuild-index"));
    options.forEach((name, v) -> {
      all.add(name);
      if (!name.equals("--create")) {
        all.add(v);
      }
    });
    return all;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> item(Map<String, Object> system, String list) {
    return (Map<String, Object>) ((List<Object>) system.get(list)).get(0);
  }

  private Path write(String name, Map<String, Object> system) throws IOException {
    return Files.writeString(folder.resolve(name), YAML.writeValueAsString(system));
  }

  /** The value as a test name can show it. */
  private static String label(String value) {
    String shown = value.length() > 20 ? value.substring(0, 8) + "...(" + value.length() + ")" : value;
    return "'" + shown.replace("\0", "\\0").replace("\n", "\\n") + "'";
  }

  record Option(String name, Function<String, List<String>> args) {}

  record Field(String key, Function<Map<String, Object>, Map<String, Object>> holder) {}
}
