package org.rollbackjobs.jobs.bench;

import static org.rollbackjobs.vector.bench.BenchmarkSupport.deleteRecursively;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.log;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.median;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.RollbackJobsApplication;
import org.rollbackjobs.jobs.SkipTestConfigurations;
import org.rollbackjobs.jobs.cli.Cli;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.testing.TestPostgres;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.embedding.Embedder;
import org.rollbackjobs.vector.testing.Documents;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Time-to-rollback of the example system ({@code jobs/examples/systems/support-search.yml}) grown to {@code --rows}
 * transactions and {@code --docs} documents, split by phase, in up to three cases: the pinned index build still
 * kept (switch-back); retired, its vectors still in the embedding cache (cached); retired and its vectors expired
 * from the cache (cold: every document re-embedded). Not a test (surefire excludes {@code *Benchmark}); run with
 *
 * <pre>
 * mvn -B -q -pl jobs -am process-test-classes -Dsystem-benchmark -Dexec.args="--rows 1000000 --docs 100000"
 * </pre>
 *
 * <p>The application runs in this JVM (one {@code SpringApplication}, no command run at start-up) and every command
 * goes through its command line as the JAR would run it (as {@code CliHarness} does): process start-up is not in
 * these figures ({@code jobs/bench/startup-benchmark.sh} measures it). The database is a fresh one of this JVM
 * ({@code TestPostgres}), so the embedding-version registry starts empty and nothing collides with other runs.
 *
 * <p>Setup as the demo: data A, features with pipeline 1, index with all-minilm-l6-v2-q, manifest A, retrain; the
 * incident: bad load into both tables, recompute with pipeline 2, index rebuilt with bge-small-en-v15-q, manifest B,
 * retrain. Then per case and round, in alternating order: the product ({@code rollback --to-manifest A} after a
 * dry run and the approvals its plan asks for) and the same rollback by hand (restore, recompute-features,
 * rebuild-index, trigger-retrain, verify, timed one after the other); for cached and cold also the bare embedding
 * of manifest A's texts with the model (the physical limit of a re-embed, what the cache saves). Between two
 * rollbacks the incident is replayed by hand (restore B, recompute from manifest B, switch the index back to B's
 * build, retrain on B). The cached and cold cases drop A's build through the product's own cool-down: that replay
 * switches with {@code --cool-down 0}, and the next {@code rebuild-index} of the index (a noop against manifest B)
 * retires the build past its cool-down; the cold case also deletes A's model's vectors from the embedding cache
 * before each rollback.
 *
 * <p>Options: {@code --rows} (1000000), {@code --docs} (100000), {@code --repeats} (1), {@code --cases}
 * (switch-back,cached; cold on request), {@code --embed-sample} (documents of the bare embedding, default all).
 */
public final class SystemRollbackBenchmark {
  private static final String GOOD_MODEL = "all-minilm-l6-v2-q";
  private static final String OTHER_MODEL = "bge-small-en-v15-q";
  private static final String SWITCH_BACK = "switch-back";
  private static final String CACHED = "cached";
  private static final String COLD = "cold";

  private final IFactory factory;
  private final Catalog catalog;
  private final JdbcTemplate jdbc;
  private final String ns;
  private final Path systemFile;
  private final StringBuilder report = new StringBuilder();
  private long manifestA;
  private long manifestB;
  private long txnA;
  private long txnB;
  private long docsA;
  private int retrainRequests;

  private SystemRollbackBenchmark(ConfigurableApplicationContext app, String ns, Path systemFile) {
    this.factory = app.getBean(IFactory.class);
    this.catalog = app.getBean(Catalog.class);
    this.jdbc = app.getBean(JdbcTemplate.class);
    this.ns = ns;
    this.systemFile = systemFile;
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Map<String, String> options = parse(args);
    int rows = Integer.parseInt(options.getOrDefault("rows", "1000000"));
    int docs = Integer.parseInt(options.getOrDefault("docs", "100000"));
    int repeats = Integer.parseInt(options.getOrDefault("repeats", "1"));
    List<String> cases = List.of(options.getOrDefault("cases", SWITCH_BACK + "," + CACHED).split(","));
    int sample = Integer.parseInt(options.getOrDefault("embed-sample", "0"));

    TestPostgres db = TestPostgres.get();
    Path warehouse = Files.createTempDirectory("system-rollback-benchmark-");
    HttpServer trainer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    int[] received = {0};
    trainer.createContext("/retrain", exchange -> {
      exchange.getRequestBody().readAllBytes();
      received[0]++;
      exchange.sendResponseHeaders(202, -1);
      exchange.close();
    });
    trainer.start();
    String ns = "sysbench" + UUID.randomUUID().toString().replace("-", "").substring(0, 6);
    // system properties outrank application.yml (the builder's properties() would not: they are defaults)
    Map.of("spring.datasource.url", db.jdbcUrl(), "spring.datasource.username", db.user(),
        "spring.datasource.password", db.password(), "rollback.iceberg.catalog.warehouse", warehouse.toString(),
        "logging.level.root", "warn").forEach(System::setProperty);
    ConfigurableApplicationContext app = new SpringApplicationBuilder(RollbackJobsApplication.class)
        .web(WebApplicationType.NONE)
        .initializers(SkipTestConfigurations.initializer())
        .run();
    String used = app.getEnvironment().getProperty("spring.datasource.url");
    if (!db.jdbcUrl().equals(used)) { // the registry is one per database: never the shared one
      throw new IllegalStateException("the application uses " + used + ", not this run's database");
    }
    try {
      SystemRollbackBenchmark bench = new SystemRollbackBenchmark(app, ns,
          systemFile(ns, trainer.getAddress().getPort()));
      bench.run(rows, docs, repeats, cases, sample);
      bench.line("retrain requests received by the local webhook: %d", received[0]);
      System.out.print(bench.report);
    } finally {
      app.close();
      trainer.stop(0);
      deleteRecursively(warehouse);
    }
  }

  private void run(int rows, int docs, int repeats, List<String> cases, int sample) throws Exception {
    line("System rollback benchmark: the example system support-search grown to %,d transaction rows and %,d"
        + " documents", rows, docs);
    line("commands in-process: one SpringApplication, each command through the CLI (Cli.commandLine, as"
        + " CliHarness); no process start-up included; %d cores, load before: %s", cores(), load());
    setup(rows, docs, !cases.contains(SWITCH_BACK));
    boolean first = true;
    for (String kase : List.of(SWITCH_BACK, CACHED, COLD)) {
      if (!cases.contains(kase)) {
        continue;
      }
      String loadBefore = load();
      Map<String, List<Long>> product = new LinkedHashMap<>();
      Map<String, List<Long>> byHand = new LinkedHashMap<>();
      List<Long> bare = new ArrayList<>();
      List<String> variants = new ArrayList<>(List.of("product", "by-hand"));
      if (!kase.equals(SWITCH_BACK)) {
        variants.add("bare-embedding");
      }
      for (int r = 0; r < repeats; r++) {
        for (int v = 0; v < variants.size(); v++) {
          String variant = variants.get((v + r) % variants.size()); // rotating order: no variant always first
          if (variant.equals("bare-embedding")) {
            bare.add(bareEmbedding(sample));
            continue;
          }
          if (!first) {
            replayIncident(kase.equals(SWITCH_BACK));
          }
          first = false;
          if (kase.equals(COLD)) {
            expireCachedVectors();
          }
          if (variant.equals("product")) {
            product(kase, r + 1, product);
          } else {
            byHand(kase, r + 1, byHand);
          }
        }
      }
      summary(kase, repeats, product, byHand, bare, sample == 0 ? docs : Math.min(sample, docs), docs, loadBefore);
    }
    line("load after: %s", load());
  }

  /** The known-good deploy (manifest A) and the incident (manifest B), as the demo does them. */
  private void setup(int rows, int docs, boolean dropBuildA) {
    long t = System.nanoTime();
    jdbc.execute("CREATE SCHEMA " + ns); // of the serving name and its builds (rebuild-index does not create it)
    Table txn = TxnSource.create(catalog, ns + ".transactions");
    txnA = TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 1, rows, Math.max(1, rows / 10)),
        Math.max(1, rows / 125_000));
    Table documents = Documents.create(catalog, ns + ".documents", docs, Math.max(1, docs / 10_000), 99);
    docsA = documents.currentSnapshot().snapshotId();
    line("setup: tables %s.transactions (%,d rows) and %s.documents (%,d) written in %.1f s", ns, rows, ns, docs,
        secondsSince(t));
    String s = systemFile.toString();
    timed("setup: recompute-features, pipeline 1", 0, "recompute-features", "--system-file", s, "--feature",
        "customer_features", "--reason", "deploy A");
    timed("setup: rebuild-index --create with " + GOOD_MODEL, 0, "rebuild-index", "--system-file", s, "--index",
        "docs_search", "--create", "--reason", "deploy A");
    manifestA = timed("setup: manifest capture (A)", 0, "manifest", "capture", "--system-file", s, "--reason",
        "deploy A").json.get("manifest-id").asLong();
    timed("setup: trigger-retrain on A", 0, "trigger-retrain", "--system-file", s, "--model", "churn-model",
        "--reason", "deploy A");

    t = System.nanoTime();
    txnB = TxnSource.append(CatalogLoader.loadTable(catalog, ns + ".transactions"),
        TxnSource.rows(TxnSource.SCHEMA, 2, Math.max(1, rows / 20), Math.max(1, rows / 10)), 1);
    Documents.append(CatalogLoader.loadTable(catalog, ns + ".documents"), docs + 1L, Math.max(1, docs / 50), 1, 98);
    line("incident: bad load of %,d rows and %,d documents in %.1f s", Math.max(1, rows / 20),
        Math.max(1, docs / 50), secondsSince(t));
    timed("incident: recompute-features, pipeline 2", 0, "recompute-features", "--pipeline", "customer_txn_features",
        "--version", "2", "--source", ns + ".transactions", "--target", ns + ".customer_features", "--reason",
        "nightly");
    List<String> rebuild = new ArrayList<>(List.of("rebuild-index", "--index", "docs_search", "--schema", ns,
        "--embedding", OTHER_MODEL, "--source-table", ns + ".documents", "--id-column", "id", "--text-column", "text",
        "--reason", "new embedding model"));
    if (dropBuildA) { // without switch-back: the incident's own rebuild retires A's build (cool-down 0)
      rebuild.addAll(List.of("--cool-down", "0"));
    }
    timed("incident: rebuild-index with " + OTHER_MODEL, 0, rebuild.toArray(String[]::new));
    manifestB = timed("incident: manifest capture (B)", 0, "manifest", "capture", "--system-file", s, "--reason",
        "deploy B").json.get("manifest-id").asLong();
    timed("incident: trigger-retrain on B", 0, "trigger-retrain", "--system-file", s, "--model", "churn-model",
        "--reason", "deploy B");
    timed("incident: verify against A (mixed-version, exit 3)", 3, "verify", "--system-file", s, "--manifest",
        Long.toString(manifestA));
  }

  /** Puts the system back in the incident's state by hand; with {@code keepA} false A's build is retired. */
  private void replayIncident(boolean keepA) {
    String s = systemFile.toString();
    String b = Long.toString(manifestB);
    long t = System.nanoTime();
    command(0, "restore", "--table", ns + ".transactions", "--to-snapshot", Long.toString(txnB), "--reason",
        "replay");
    command(0, "recompute-features", "--system-file", s, "--feature", "customer_features", "--manifest", b,
        "--reason", "replay");
    List<String> back = new ArrayList<>(List.of("rebuild-index", "--index", "docs_search", "--schema", ns,
        "--switch-back", "--reason", "replay"));
    if (!keepA) {
      back.addAll(List.of("--cool-down", "0"));
    }
    command(0, back.toArray(String[]::new));
    if (!keepA) { // the next run on the index retires builds past their cool-down; against manifest B it is a noop
      JsonNode retire = command(0, "rebuild-index", "--system-file", s, "--index", "docs_search", "--manifest", b,
          "--reason", "replay: retire");
      JsonNode retired = retire.findValue("retired-builds");
      if (retired == null || retired.isEmpty()) {
        throw new IllegalStateException("no build retired: " + retire);
      }
    }
    command(0, "trigger-retrain", "--system-file", s, "--model", "churn-model", "--manifest", b, "--reason",
        "replay");
    command(3, "verify", "--system-file", s, "--manifest", Long.toString(manifestA));
    log("  incident replayed (%s) in %.1f s", keepA ? "A's build kept" : "A's build retired", secondsSince(t));
  }

  /** The cold case: A's model's vectors gone from the cache (as after {@code rollback.vector.cache.keep}). */
  private void expireCachedVectors() {
    int deleted = jdbc.update("DELETE FROM rollback.embedding_cache WHERE embedding_version = ?", GOOD_MODEL);
    log("  %,d cached vectors of %s deleted", deleted, GOOD_MODEL);
  }

  /** {@code rollback --to-manifest A}: dry run, the approvals it lists, the rollback. */
  private void product(String kase, int round, Map<String, List<Long>> phases) {
    String s = systemFile.toString();
    String a = Long.toString(manifestA);
    Timed dry = timedQuiet(-1, "rollback", "--system-file", s, "--to-manifest", a, "--actor", "on-call",
        "--reason", "incident 42", "--dry-run");
    String actions = actions(dry.json);
    if (!actions.contains("index docs_search " + (kase.equals(SWITCH_BACK) ? "switch-back" : "rebuild"))) {
      throw new IllegalStateException("expected an index " + kase + ", the plan is: " + actions + " " + dry.json);
    }
    String plan = dry.json.get("plan-id").asText();
    List<String> approvers = List.of("dana", "milo", "ravi");
    int i = 0;
    for (JsonNode role : dry.json.get("approvals").get("missing")) {
      command(0, "approve", "--system-file", s, "--plan", plan, "--approver", approvers.get(i++), "--role",
          role.asText(), "--reason", "benchmark");
    }
    Timed done = timedQuiet(0, "rollback", "--system-file", s, "--to-manifest", a, "--actor", "on-call", "--reason",
        "incident 42");
    JsonNode json = done.json;
    if (!json.get("verify").get("clean").asBoolean()) {
      throw new IllegalStateException("rollback not clean: " + json);
    }
    long job = json.get("job-execution-id").asLong();
    long jobMs = jdbc.queryForObject("SELECT (extract(epoch FROM end_time - start_time) * 1000)::bigint"
        + " FROM rollback.batch_job_execution WHERE job_execution_id = ?", Long.class, job);
    long ttr = json.get("time-to-rollback-ms").asLong();
    add(phases, "dry run (plan + guards)", dry.millis);
    add(phases, "rollback command", done.millis);
    add(phases, "  before the job (plan, guards, launch)", done.millis - jobMs);
    add(phases, "  job system-rollback", jobMs);
    add(phases, "time-to-rollback (its JSON time-to-rollback-ms)", ttr);
    line("%s, round %d, product (%s): time-to-rollback %.2f s; command %.2f s = before the job %.2f s + job %.2f s",
        kase, round, actions, ttr / 1000.0, done.millis / 1000.0, (done.millis - jobMs) / 1000.0, jobMs / 1000.0);
    for (Map<String, Object> step : steps(job)) {
      String name = (String) step.get("step_name");
      long ms = ((Number) step.get("ms")).longValue();
      if (!name.contains(":")) { // the phases; the partitions' worker steps are the components below
        add(phases, "  " + name, ms);
        line("    %-44s %8.2f s", name, ms / 1000.0);
      }
    }
    for (JsonNode c : json.get("components")) {
      String label = "    " + c.get("component").asText() + " " + c.get("action").asText();
      long ms = c.get("duration-ms").asLong();
      add(phases, label, ms);
      StringBuilder sub = new StringBuilder();
      if (c.hasNonNull("job-execution-id") && !c.get("action").asText().equals("retrain")) {
        for (Map<String, Object> step : steps(c.get("job-execution-id").asLong())) {
          sub.append(String.format(Locale.ROOT, " %s %.2f s,", step.get("step_name"),
              ((Number) step.get("ms")).longValue() / 1000.0));
        }
      }
      line("      %-42s %8.2f s %s", c.get("component").asText() + " " + c.get("name").asText() + " "
          + c.get("action").asText(), ms / 1000.0, sub.length() == 0 ? "" : "(" + sub.substring(1,
          sub.length() - 1) + ")");
    }
  }

  /** The same rollback as the separate commands a user would type, one after the other. */
  private void byHand(String kase, int round, Map<String, List<Long>> phases) {
    String s = systemFile.toString();
    String a = Long.toString(manifestA);
    List<Timed> steps = new ArrayList<>();
    steps.add(timedQuiet(0, "restore", "--table", ns + ".transactions", "--to-snapshot", Long.toString(txnA),
        "--reason", "incident 42"));
    steps.add(timedQuiet(0, "recompute-features", "--system-file", s, "--feature", "customer_features",
        "--manifest", a, "--reason", "incident 42"));
    steps.add(kase.equals(SWITCH_BACK)
        ? timedQuiet(0, "rebuild-index", "--index", "docs_search", "--schema", ns, "--switch-back", "--reason",
            "incident 42")
        : timedQuiet(0, "rebuild-index", "--system-file", s, "--index", "docs_search", "--manifest", a, "--reason",
            "incident 42"));
    steps.add(timedQuiet(0, "trigger-retrain", "--system-file", s, "--model", "churn-model", "--manifest", a,
        "--reason", "incident 42"));
    steps.add(timedQuiet(0, "verify", "--system-file", s, "--manifest", a));
    long total = steps.stream().mapToLong(x -> x.millis).sum();
    add(phases, "sum of the 5 commands", total);
    StringBuilder parts = new StringBuilder();
    for (Timed step : steps) {
      String label = "  " + step.command + (step.command.equals("rebuild-index") ? " (" + kase + ")" : "");
      add(phases, label, step.millis);
      parts.append(String.format(Locale.ROOT, " %s %.2f s,", label.trim(), step.millis / 1000.0));
    }
    line("%s, round %d, by hand: %.2f s (%s)", kase, round, total / 1000.0, parts.substring(1, parts.length() - 1));
  }

  /** Manifest A's texts through the model alone, in the load step's batches, on every core: a re-embed's floor. */
  private long bareEmbedding(int sample) throws IOException {
    List<String> texts = new ArrayList<>();
    Table table = CatalogLoader.loadTable(catalog, ns + ".documents");
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(docsA).select("text").build()) {
      for (Record r : records) {
        if (sample > 0 && texts.size() >= sample) {
          break;
        }
        texts.add((String) r.getField("text"));
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(cores());
    try (Embedder embedder = BuiltInModel.byVersionName(GOOD_MODEL).orElseThrow().embedder(pool)) {
      embedder.embed(List.of("warm up the model")); // model loading is not embedding
      long t = System.nanoTime();
      for (int from = 0; from < texts.size(); from += 1000) {
        embedder.embed(texts.subList(from, Math.min(texts.size(), from + 1000)));
      }
      long millis = (System.nanoTime() - t) / 1_000_000;
      line("re-embed, bare embedding of %,d texts of manifest A with %s: %.2f s (%.0f docs/s)", texts.size(),
          GOOD_MODEL, millis / 1000.0, texts.size() * 1000.0 / Math.max(1, millis));
      return millis * 1_000_000; // ns, as median() takes them
    } finally {
      pool.shutdown();
    }
  }

  private void summary(String kase, int repeats, Map<String, List<Long>> product, Map<String, List<Long>> byHand,
      List<Long> bare, int embedded, int docs, String loadBefore) {
    line("");
    line("%s: medians of %d round(s); load before %s, after %s", kase, repeats, loadBefore, load());
    line("| product: rollback --to-manifest A | s | by hand: the same as 5 commands | s |");
    line("| --- | ---: | --- | ---: |");
    List<Map.Entry<String, List<Long>>> left = new ArrayList<>(product.entrySet());
    List<Map.Entry<String, List<Long>>> right = new ArrayList<>(byHand.entrySet());
    for (int i = 0; i < Math.max(left.size(), right.size()); i++) {
      line("| %s | %s | %s | %s |", i < left.size() ? left.get(i).getKey() : "",
          i < left.size() ? seconds(left.get(i).getValue()) : "", i < right.size() ? right.get(i).getKey() : "",
          i < right.size() ? seconds(right.get(i).getValue()) : "");
    }
    double ttr = median(product.get("time-to-rollback (its JSON time-to-rollback-ms)"));
    double command = median(product.get("rollback command"));
    double hand = median(byHand.get("sum of the 5 commands"));
    line("by hand / product: %.2fx (sum of the commands against the rollback command, %.2f s / %.2f s)",
        hand / command, hand, command);
    if (!bare.isEmpty()) {
      double embed = median(bare) * docs / embedded; // scaled to all documents when sampled
      String index = product.keySet().stream().filter(k -> k.contains("index rebuild")).findFirst().orElseThrow();
      double rebuild = median(product.get(index));
      line("limit: embedding the %,d documents alone takes %.2f s%s; the index rebuild in the rollback %.2f s = %.2fx"
          + " that, the whole time-to-rollback %.2f s = %.2fx", docs, embed, embedded < docs ? " (measured on "
          + String.format(Locale.ROOT, "%,d", embedded) + ", scaled)" : "", rebuild, rebuild / embed, ttr,
          ttr / embed);
    }
    line("");
  }

  private List<Map<String, Object>> steps(long jobExecutionId) {
    return jdbc.queryForList("SELECT step_name, (extract(epoch FROM end_time - start_time) * 1000)::bigint AS ms"
        + " FROM rollback.batch_step_execution WHERE job_execution_id = ? ORDER BY step_execution_id",
        jobExecutionId);
  }

  /** A command's JSON result, wall time and name. */
  private record Timed(String command, JsonNode json, long millis) {}

  private Timed timed(String label, int expected, String... args) {
    Timed timed = timedQuiet(expected, args);
    line("%-60s %8.2f s", label, timed.millis / 1000.0);
    return timed;
  }

  /** Runs one command in-process as the JAR would; {@code expected} -1 accepts any exit code. */
  private Timed timedQuiet(int expected, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--json");
    StringWriter out = new StringWriter();
    CommandLine cli = Cli.commandLine(factory);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(System.err, true));
    long t = System.nanoTime();
    int code = cli.execute(all.toArray(String[]::new));
    long millis = (System.nanoTime() - t) / 1_000_000;
    List<String> lines = out.toString().lines().toList();
    JsonNode json;
    try {
      json = Output.JSON.readTree(lines.isEmpty() ? "{}" : lines.get(lines.size() - 1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (expected >= 0 && code != expected) {
      throw new IllegalStateException(String.join(" ", args) + " exited " + code + " (expected " + expected + "): "
          + out);
    }
    return new Timed(args[0], json, millis);
  }

  private JsonNode command(int expected, String... args) {
    return timedQuiet(expected, args).json;
  }

  private static String actions(JsonNode plan) {
    List<String> actions = new ArrayList<>();
    plan.get("components").forEach(c -> actions.add(c.get("component").asText() + " " + c.get("name").asText() + " "
        + c.get("action").asText()));
    return String.join(", ", actions);
  }

  private static void add(Map<String, List<Long>> phases, String label, long millis) {
    phases.computeIfAbsent(label, k -> new ArrayList<>()).add(millis * 1_000_000); // kept as ns for median()
  }

  private static String seconds(List<Long> nanos) {
    return String.format(Locale.ROOT, "%.2f", median(nanos));
  }

  private void line(String format, Object... args) {
    String text = String.format(Locale.ROOT, format, args);
    report.append(text).append('\n');
    log("%s", text);
  }

  private static double secondsSince(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The example system file with this run's tables, index schema and retrain receiver. */
  private static Path systemFile(String ns, int port) throws IOException {
    String yaml;
    try (InputStream in = SystemRollbackBenchmark.class.getResourceAsStream("/demo/support-search.yml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    yaml = yaml.replace("name: support-search", "name: " + ns)
        .replace("shop.transactions", ns + ".transactions").replace("shop.customer_features", ns + ".customer_features")
        .replace("kb.documents", ns + ".documents").replace("text-column: body", "text-column: text")
        .replaceFirst("(- name: docs_search[^\\n]*\\n)", "$1    schema: " + ns + "\n")
        .replace("http://127.0.0.1:8099/retrain", "http://127.0.0.1:" + port + "/retrain");
    Path file = Files.createTempDirectory("system-benchmark").resolve(ns + ".yml");
    Files.writeString(file, yaml);
    file.toFile().deleteOnExit();
    file.getParent().toFile().deleteOnExit();
    return file;
  }
}
