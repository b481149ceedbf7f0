package org.rollbackjobs.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.jobs.demo.ExampleSystemData;
import org.rollbackjobs.jobs.launch.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * The product's main job as a story, with the commands a user would type: the example system built and captured
 * as manifest A, an incident (bad load, nightly recompute with another pipeline version, the index rebuilt with
 * another embedding model of the same dimension, the model retrained on all that), verify failing, the rollback
 * plan refused for want of approvals, two approvals, the rollback, verify clean. Each step's time and the
 * time-to-rollback are printed. A local HTTP receiver stands in for the model's training service.
 */
final class SystemRollbackDemo {
  private static final String SYSTEM = "support-search";
  private static final String GOOD_MODEL = "all-minilm-l6-v2-q";
  private static final String OTHER_MODEL = "bge-small-en-v15-q";

  private final IFactory factory;
  private final Catalog catalog;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean json;
  private final List<Map<String, Object>> steps = new ArrayList<>();
  private final AtomicInteger retrainRequests = new AtomicInteger();

  SystemRollbackDemo(IFactory factory, Catalog catalog, PrintWriter out, PrintWriter err, boolean json) {
    this.factory = factory;
    this.catalog = catalog;
    this.out = out;
    this.err = err;
    this.json = json;
  }

  /** Runs the story; the summary for the demo's JSON result. */
  Map<String, Object> run() throws IOException {
    HttpServer trainer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    trainer.createContext("/retrain", exchange -> {
      exchange.getRequestBody().readAllBytes();
      retrainRequests.incrementAndGet();
      exchange.sendResponseHeaders(202, -1);
      exchange.close();
    });
    trainer.start();
    try {
      return story(systemFile(trainer.getAddress().getPort()));
    } finally {
      trainer.stop(0);
    }
  }

  private Map<String, Object> story(Path file) {
    String s = file.toString();
    say("The example system " + SYSTEM + " (" + file + "): dataset shop.transactions, feature table"
        + " shop.customer_features, vector index public.docs_search over kb.documents, model churn-model.");
    say("Known-good deploy:");
    long started = System.nanoTime();
    ExampleSystemData.create(catalog);
    record("create shop.transactions and kb.documents (demo --example-system)", 0, started, null);
    // explicit sources: a manifest of an earlier demo run pins snapshots of the tables just created again
    step("compute the features with pipeline version 1", 0, "recompute-features", "--pipeline",
        "customer_txn_features", "--version", "1", "--source", "shop.transactions", "--target",
        "shop.customer_features", "--reason", "deploy A");
    step("build the index with " + GOOD_MODEL, 0, "rebuild-index", "--index", "docs_search", "--embedding",
        GOOD_MODEL, "--source-table", "kb.documents", "--id-column", "id", "--text-column", "body", "--create",
        "--override-quarantine", "--reason", "deploy A");
    long good = step("capture manifest A (the known-good version)", 0, "manifest", "capture", "--system-file", s,
        "--reason", "deploy A").get("manifest-id").asLong();
    step("train the model on manifest A", 0, "trigger-retrain", "--system-file", s, "--model", "churn-model",
        "--reason", "deploy A");
    step("verify against manifest A", 0, "verify", "--system-file", s, "--manifest", Long.toString(good));

    say("The incident:");
    started = System.nanoTime();
    ExampleSystemData.badLoad(catalog);
    record("a bad load reaches shop.transactions and kb.documents", 0, started, null);
    step("the nightly recompute picks it up, with pipeline version 2", 0, "recompute-features", "--pipeline",
        "customer_txn_features", "--version", "2", "--source", "shop.transactions", "--target",
        "shop.customer_features", "--reason", "nightly");
    step("the index is rebuilt with another model, " + OTHER_MODEL, 0, "rebuild-index", "--index", "docs_search",
        "--embedding", OTHER_MODEL, "--source-table", "kb.documents", "--id-column", "id", "--text-column", "body",
        "--override-quarantine", "--reason", "new embedding model");
    long bad = step("capture manifest B (the bad deploy)", 0, "manifest", "capture", "--system-file", s, "--reason",
        "deploy B").get("manifest-id").asLong();
    step("the model is retrained on manifest B", 0, "trigger-retrain", "--system-file", s, "--model", "churn-model",
        "--reason", "deploy B");
    JsonNode mixed = step("verify against manifest A: mixed-version state", ExitCodes.MIXED_VERSION, "verify",
        "--system-file", s, "--manifest", Long.toString(good));
    List<String> kinds = new ArrayList<>();
    mixed.get("findings").forEach(f -> kinds.add(f.get("component").asText() + " " + f.get("kind").asText()));
    say("     findings: " + String.join(", ", kinds));

    say("The rollback:");
    String to = Long.toString(good);
    JsonNode plan = step("plan the rollback to manifest A (dry run): refused, approvals missing", ExitCodes.REFUSED,
        "rollback", "--system-file", s, "--to-manifest", to, "--actor", "on-call", "--reason", "incident 42",
        "--dry-run");
    String planId = plan.get("plan-id").asText();
    List<String> actions = new ArrayList<>();
    plan.get("components").forEach(c -> actions.add(c.get("component").asText() + " " + c.get("name").asText() + ": "
        + c.get("action").asText()));
    say("     plan " + planId + ", level " + plan.get("level").asInt() + ": " + String.join("; ", actions));
    step("approve as data-engineering-lead", 0, "approve", "--system-file", s, "--plan", planId, "--approver",
        "dana", "--role", "data-engineering-lead", "--reason", "bad load confirmed");
    step("approve as ml-engineering-lead", 0, "approve", "--system-file", s, "--plan", planId, "--approver", "milo",
        "--role", "ml-engineering-lead", "--reason", "model owner agrees");
    List<String> rollbackArgs = new ArrayList<>(List.of("rollback", "--system-file", s, "--to-manifest", to,
        "--actor", "on-call", "--reason", "incident 42"));
    if (plan.get("guards").toString().contains("pinned versions are quarantined")) {
      // only on a database where an earlier demo ran: its rollback made the incident's rebuild count as one too
      say("     (an earlier demo run left " + GOOD_MODEL + " quarantined in this database: overriding it)");
      rollbackArgs.add("--override-quarantine");
    }
    JsonNode rollback = step("roll the whole system back to manifest A", 0, rollbackArgs.toArray(String[]::new));
    step("verify against manifest A: clean", 0, "verify", "--system-file", s, "--manifest", to);
    long timeToRollback = rollback.get("time-to-rollback-ms").asLong();
    say(String.format("Time to rollback: %.1f s (plan %s, job execution %d); retrain requests received: %d",
        timeToRollback / 1000.0, planId, rollback.get("job-execution-id").asLong(), retrainRequests.get()));

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("system", SYSTEM);
    summary.put("manifest-good", good);
    summary.put("manifest-bad", bad);
    summary.put("plan-id", planId);
    summary.put("level", plan.get("level").asInt());
    summary.put("time-to-rollback-ms", timeToRollback);
    summary.put("steps", steps);
    return summary;
  }

  /** Runs one command as a user would type it (printed), checks its exit code, returns its JSON result. */
  private JsonNode step(String label, int expected, String... args) {
    long started = System.nanoTime();
    StringWriter buffer = new StringWriter();
    CommandLine cli = Cli.commandLine(factory);
    cli.setOut(new PrintWriter(buffer, true));
    cli.setErr(err);
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--json");
    int code = cli.execute(all.toArray(String[]::new));
    List<String> lines = buffer.toString().lines().toList();
    JsonNode result;
    try {
      result = Output.JSON.readTree(lines.isEmpty() ? "{}" : lines.get(lines.size() - 1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    record(label, code, started, String.join(" ", List.of(args).stream()
        .map(a -> a.contains(" ") ? "\"" + a + "\"" : a).toList()));
    if (code != expected) {
      throw new IllegalStateException("demo step '" + label + "' exited " + code + " (expected " + expected + "): "
          + (result.has("error") ? result.get("error").asText() : buffer));
    }
    return result;
  }

  private void record(String label, int code, long started, String command) {
    long millis = (System.nanoTime() - started) / 1_000_000;
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("step", label);
    step.put("command", command);
    step.put("exit-code", code);
    step.put("duration-ms", millis);
    steps.add(step);
    say(String.format("%3d. %-72s exit %d %6.1f s", steps.size(), label, code, millis / 1000.0));
    if (command != null) {
      say("     $ rollback-jobs " + command.replaceAll("--system-file \\S+", "--system-file S"));
    }
  }

  private void say(String line) {
    if (!json) {
      out.println(line);
      out.flush();
    }
  }

  /** The example system with the model's trigger pointed at this demo's receiver. */
  private static Path systemFile(int port) throws IOException {
    String yaml;
    try (var in = SystemRollbackDemo.class.getResourceAsStream("/demo/support-search.yml")) {
      yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    Path dir = Files.createTempDirectory("rollback-demo");
    Path file = dir.resolve(SYSTEM + ".yml");
    Files.writeString(file, yaml.replace("http://127.0.0.1:8099/retrain", "http://127.0.0.1:" + port + "/retrain"));
    file.toFile().deleteOnExit();
    dir.toFile().deleteOnExit();
    return file;
  }
}
