package org.rollbackjobs.jobs.index;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.rollbackjobs.jobs.CliHarness;
import org.rollbackjobs.jobs.MadeUpExecutions;
import org.rollbackjobs.jobs.launch.AdvisoryLocks;
import org.rollbackjobs.jobs.launch.JobLocks;
import org.rollbackjobs.jobs.launch.LockClaim;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.embedding.Embedder;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.Legacy;
import org.rollbackjobs.vector.testing.Registry;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code rebuild-index} from the command line, on the incident it exists for: an index made by an application
 * with plain SQL, part of it re-embedded in place with another model of the same dimension. Each test works on its
 * own copy of that index, in a schema of its own ({@link #mixedIndex()}, {@link #rolledBack()}); the documents and
 * their mixed vectors are made once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RebuildIndexCommandTest extends CliHarness {
  static final String A = "all-minilm-l6-v2-q";
  static final String B = "bge-small-en-v15-q";
  static final int DOCUMENTS = 240;

  @Autowired DataSource dataSource;
  @Autowired JdbcTemplate jdbc;
  @Autowired AdvisoryLocks locks;
  @RegisterExtension final MadeUpExecutions madeUp = new MadeUpExecutions();

  Table table;
  /** The mixed index as the application made it, never changed: each test works on a copy. */
  String template;
  /** This test's schema. */
  String app;
  Registry.Snapshot registry;

  @BeforeAll
  void documentsAndTheMixedIndex() {
    table = Documents.create(catalog, "kb.cli_articles", DOCUMENTS, 2, 17);
    IcebergDocumentSource source = IcebergDocumentSource.of(table, null, "id", "text");
    template = freshSchema("cli_template");
    var pool = Executors.newFixedThreadPool(2);
    try {
      Embedder a = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(pool);
      Embedder b = BuiltInModel.BGE_SMALL_EN_V15_Q.embedder(pool);
      Legacy.create(dataSource, template, "docs", source, a);
      List<Document> part = new ArrayList<>();
      try (DocumentCursor all = source.open(0)) {
        all.forEachRemaining(d -> {
          if ((Long) d.id() % 3 == 0) {
            part.add(d);
          }
        });
      }
      Legacy.reembed(dataSource, template, "docs", part, b);
    } finally {
      pool.shutdownNow();
    }
  }

  @BeforeEach
  void ownSchema() {
    registry = Registry.snapshot(dataSource);
    app = freshSchema("app");
  }

  @AfterEach
  void restoreTheRegistry() {
    registry.restore();
  }

  private String freshSchema(String prefix) {
    String schema = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    jdbc.execute("CREATE SCHEMA " + schema);
    return schema;
  }

  /** The mixed index {@code docs} in this test's schema, both versions known and active as after their deploys. */
  private void mixedIndex() {
    jdbc.execute("CREATE TABLE " + app + ".docs (LIKE " + template + ".docs INCLUDING ALL)");
    jdbc.execute("INSERT INTO " + app + ".docs SELECT * FROM " + template + ".docs");
    Registry.deployed(dataSource, BuiltInModel.ALL_MINILM_L6_V2_Q.version(), BuiltInModel.BGE_SMALL_EN_V15_Q.version());
  }

  /** The mixed index rolled back to A by the command: B quarantined by that build. */
  private void rolledBack() {
    mixedIndex();
    Result result = rebuild("--embedding", A, "--reason", "bge deploy broke search", "--actor", "oncall-7");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.json().get("quarantined").get(0).asText()).isEqualTo(B);
  }

  private Result rebuild(String... extra) {
    List<String> args = new ArrayList<>(List.of("rebuild-index", "--index", "docs", "--schema", app,
        "--source-table", "kb.cli_articles", "--json"));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  private List<String> versionsServed() {
    return jdbc.queryForList("SELECT embedding_version || '=' || count(*) FROM " + app + ".docs"
        + " GROUP BY embedding_version ORDER BY 1", String.class);
  }

  @Test
  void aDryRunShowsTheMixedStateAndThePlanAndChangesNothing() {
    mixedIndex();
    Result dry = rebuild("--embedding", A, "--dry-run");

    assertThat(dry.exitCode()).as(dry.stderr()).isZero();
    JsonNode json = dry.json();
    assertThat(json.get("status").asText()).isEqualTo("dry-run");
    assertThat(json.get("serving").get("kind").asText()).isEqualTo("table");
    assertThat(json.get("serving").get("mixed").asBoolean()).isTrue();
    assertThat(json.get("serving").get("versions").get(B).asLong()).isEqualTo(DOCUMENTS / 3);
    assertThat(json.get("documents").asLong()).isEqualTo(DOCUMENTS);
    assertThat(json.get("rollback").asBoolean()).isTrue();
    assertThat(json.get("would-quarantine").get(0).asText()).isEqualTo(B);
    assertThat(json.get("vectors").asText()).isEqualTo("model " + A);
    assertThat(jdbc.queryForObject("SELECT relkind::text FROM pg_class WHERE oid = '" + app + ".docs'::regclass", String.class))
        .isEqualTo("r");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.index_builds WHERE index_schema = ?", Long.class, app))
        .isZero();

    Result text = run("rebuild-index", "--index", "docs", "--schema", app, "--source-table", "kb.cli_articles",
        "--embedding", A, "--dry-run");
    assertThat(text.stdout()).contains("Dry run: rebuild index " + app + ".docs", "(MIXED)", "would quarantine " + B,
        "Nothing was changed.");
  }

  @Test
  void theRebuildServesOnlyTheRolledBackVersionForEveryDocumentAndQuarantinesTheOther() {
    mixedIndex();
    Result result = rebuild("--embedding", A, "--reason", "bge deploy broke search", "--actor", "oncall-7");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    JsonNode json = result.json();
    assertThat(json.get("status").asText()).isEqualTo("completed");
    assertThat(json.get("rows").asLong()).isEqualTo(DOCUMENTS);
    assertThat(json.get("was-mixed").asBoolean()).isTrue();
    assertThat(json.get("rollback").asBoolean()).isTrue();
    assertThat(json.get("quarantined").get(0).asText()).isEqualTo(B);
    assertThat(json.get("validation").get("passed").asBoolean()).isTrue();
    assertThat(json.get("validation").get("missing-ids").asLong()).isZero();
    assertThat(json.get("legacy-table").asText()).startsWith("docs__b");
    assertThat(json.get("step-duration-ms").fieldNames()).toIterable().containsExactly("prepare-build",
        "reuse-vectors", "load-vectors", "create-ann-index", "validate-build", "switch-serving-name", "retire-builds");
    long execution = json.get("job-execution-id").asLong();

    assertThat(versionsServed()).containsExactly(A + "=" + DOCUMENTS);
    assertThat(jdbc.queryForObject("SELECT count(DISTINCT doc_id) FROM " + app + ".docs", Long.class)).isEqualTo(DOCUMENTS);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM " + app + ".docs WHERE source_snapshot = ?", Long.class,
        table.currentSnapshot().snapshotId())).isEqualTo(DOCUMENTS);
    assertThat(jdbc.queryForObject("SELECT status FROM rollback.embedding_versions WHERE name = ?", String.class, B))
        .isEqualTo("quarantined");

    JsonNode history = run("history", "--table", app + ".docs", "--json").json().get("records");
    assertThat(history.get(0).get("outcome").asText()).isEqualTo("completed");
    assertThat(history.get(0).get("command").asText()).isEqualTo("rebuild-index");
    assertThat(history.get(0).get("actor").asText()).isEqualTo("oncall-7");
    assertThat(history.get(0).get("job-execution-id").asLong()).isEqualTo(execution);
  }
  @Test
  void aRebuildTakesCachedVectorsEqualToFreshOnesAndNoReuseEmbedsEveryDocument() {
    mixedIndex();
    assertThat(rebuild("--embedding", A, "--reason", "back to A").exitCode()).isZero(); // A's vectors now cached
    JsonNode planned = rebuild("--embedding", A, "--force", "--dry-run", "--reason", "plan").json();
    assertThat(planned.get("reusable").asLong()).isEqualTo(DOCUMENTS);
    assertThat(planned.get("to-embed").asLong()).isZero();
    Result reused = rebuild("--embedding", A, "--force", "--reason", "same again");
    assertThat(reused.exitCode()).as(reused.stderr()).isZero();
    assertThat(reused.json().get("vectors-reused").asLong()).isEqualTo(DOCUMENTS);
    assertThat(reused.json().get("vectors-embedded").asLong()).isZero();

    Result fresh = rebuild("--embedding", A, "--force", "--no-reuse", "--reason", "embed everything");
    assertThat(fresh.exitCode()).as(fresh.stderr()).isZero();
    assertThat(fresh.json().get("vectors-reused").asLong()).isZero();
    assertThat(fresh.json().get("vectors-embedded").asLong()).isEqualTo(DOCUMENTS);
    // the reused build (kept for its cool-down) holds exactly the vectors the model computed again
    String reusedTable = reused.json().get("build-table").asText();
    String freshTable = fresh.json().get("build-table").asText();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM " + reusedTable + " r JOIN " + freshTable + " f ON r.doc_id = f.doc_id AND r.embedding = f.embedding", Long.class)).isEqualTo(DOCUMENTS);
  }


  @Test
  void rebuildingToTheQuarantinedVersionIsRefusedWithExitFour() {
    rolledBack();
    long builds = jdbc.queryForObject("SELECT count(*) FROM rollback.index_builds", Long.class);

    Result refused = rebuild("--embedding", B, "--reason", "try bge again");

    assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(4);
    assertThat(refused.json().get("error").asText()).contains("'" + B + "' is quarantined", "--override-quarantine");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.index_builds", Long.class)).isEqualTo(builds);
    assertThat(versionsServed()).containsExactly(A + "=" + DOCUMENTS);
    JsonNode history = run("history", "--table", app + ".docs", "--json").json().get("records");
    assertThat(history.get(0).get("outcome").asText()).isEqualTo("refused");
  }

  @Test
  void theSameRebuildAgainIsANoop() {
    rolledBack();
    Result again = rebuild("--embedding", A, "--reason", "again");
    assertThat(again.exitCode()).as(again.stderr()).isZero();
    assertThat(again.json().get("status").asText()).isEqualTo("noop");
  }

  @Test
  void switchBackReturnsToThePreviousBuildInstantlyAndBackAgain() {
    rolledBack();
    Result dry = run("rebuild-index", "--index", "docs", "--schema", app, "--switch-back", "--dry-run", "--json");
    assertThat(dry.exitCode()).as(dry.stderr()).isZero();
    assertThat(dry.json().get("lift-quarantine").get(0).asText()).isEqualTo(B);

    Result back = run("rebuild-index", "--index", "docs", "--schema", app, "--switch-back", "--reason",
        "the rollback made it worse", "--json");

    assertThat(back.exitCode()).as(back.stderr()).isZero();
    assertThat(back.json().get("status").asText()).isEqualTo("completed");
    assertThat(versionsServed()).containsExactly(A + "=" + (DOCUMENTS - DOCUMENTS / 3), B + "=" + DOCUMENTS / 3);
    assertThat(jdbc.queryForObject("SELECT status FROM rollback.embedding_versions WHERE name = ?", String.class, B))
        .isNotEqualTo("quarantined");

    Result forward = run("rebuild-index", "--index", "docs", "--schema", app, "--switch-back", "--reason",
        "no, it was right", "--json");
    assertThat(forward.exitCode()).as(forward.stderr()).isZero();
    assertThat(versionsServed()).containsExactly(A + "=" + DOCUMENTS);
  }

  @Test
  void aRebuildOfAnIndexThatAnotherLiveProcessIsRebuildingIsRefused() throws Exception {
    mixedIndex();
    // what a rebuild running in another process looks like: the index's lock held by its session, its execution
    try (AdvisoryLocks.Held lock = locks.acquire(List.of(LockClaim.exclusive(LockClaim.Kind.INDEX, app + ".docs")),
        conflict -> "held already")) {
      JobExecution other = madeUp.running(RebuildIndexJobConfiguration.JOB_NAME, new JobParametersBuilder()
          .addString(RebuildIndexRequest.INDEX, app + ".docs")
          .addString(JobLocks.LOCK_BACKEND, lock.backendPid().toString(), false), "4711", "other-host");
      Result refused = rebuild("--embedding", A, "--force", "--reason", "second rebuild at once");
      assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(4);
      assertThat(refused.json().get("error").asText()).contains("index " + app + ".docs is being rebuilt by"
          + " rebuild-index job execution " + other.getId() + " of process 4711 on host other-host");
    }
  }

  @Test
  void aSecondIndexFromAPostgresQueryIsCreatedWithCreate() {
    jdbc.execute("CREATE TABLE " + app + ".faq (faq_id bigint, question text)");
    jdbc.execute("INSERT INTO " + app + ".faq SELECT g, 'How do I reset password number ' || g || '?' FROM generate_series(1, 60) g");

    Result result = run("rebuild-index", "--index", "faq_index", "--schema", app, "--create", "--embedding", A,
        "--source-query", "SELECT faq_id, question FROM " + app + ".faq", "--id-column", "faq_id", "--text-column",
        "question", "--ann", "ivfflat", "--reason", "new faq search", "--json");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.json().get("rows").asLong()).isEqualTo(60);
    assertThat(result.json().get("rollback").asBoolean()).isFalse();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM " + app + ".faq_index WHERE source_snapshot IS NULL", Long.class))
        .isEqualTo(60);
    assertThat(jdbc.queryForObject("SELECT amname FROM pg_am a JOIN pg_class c ON c.relam = a.oid"
        + " WHERE c.relname = ?", String.class, "faq_index__b" + result.json().get("build-id").asLong() + "_ann"))
        .isEqualTo("ivfflat");
  }

  @Test
  void anIndexCanBeRebuiltFromStoredEmbeddingsWithoutRunningAModel() {
    rolledBack();
    Schema schema = new Schema(
        Types.NestedField.required(1, "doc_id", Types.LongType.get()),
        Types.NestedField.required(2, "embedding_version", Types.StringType.get()),
        Types.NestedField.required(3, "embedding", Types.ListType.ofRequired(4, Types.FloatType.get())));
    Table stored = catalog.createTable(TableIdentifier.of("kb", app + "_vectors"), schema);
    // the vectors the serving A build holds, exported as an application would keep them
    List<Record> rows = new ArrayList<>();
    jdbc.query("SELECT doc_id, embedding::text FROM " + app + ".docs", rs -> {
      GenericRecord r = GenericRecord.create(schema);
      r.setField("doc_id", rs.getLong(1));
      r.setField("embedding_version", A);
      List<Float> values = new ArrayList<>();
      for (String v : rs.getString(2).replaceAll("[\\[\\]]", "").split(",")) {
        values.add(Float.parseFloat(v));
      }
      r.setField("embedding", values);
      rows.add(r);
    });
    stored.newAppend().appendFile(GenericDataFiles.write(stored, rows)).commit();

    Result result = run("rebuild-index", "--index", "docs_stored", "--schema", app, "--create", "--embedding", A,
        "--source-table", "kb.cli_articles", "--stored-embeddings", "kb." + app + "_vectors", "--reason", "from stored",
        "--json");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.json().get("vectors").asText()).startsWith("stored rollback.kb." + app + "_vectors@");
    assertThat(result.json().get("rows").asLong()).isEqualTo(DOCUMENTS);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM " + app + ".docs_stored s JOIN " + app + ".docs d USING (doc_id)"
        + " WHERE s.embedding = d.embedding AND s.content_hash = d.content_hash", Long.class)).isEqualTo(DOCUMENTS);
  }
}
