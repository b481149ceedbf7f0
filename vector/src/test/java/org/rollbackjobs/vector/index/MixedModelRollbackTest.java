package org.rollbackjobs.vector.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.embedding.Embedder;
import org.rollbackjobs.vector.embedding.EmbeddingRegistry;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.embedding.QuarantinedVersionException;
import org.rollbackjobs.vector.embedding.RegisteredVersion;
import org.rollbackjobs.vector.embedding.VectorSource;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.Legacy;
import org.rollbackjobs.vector.testing.Registry;
import org.rollbackjobs.vector.testing.VectorDb;

/**
 * The incident the suite exists for, with the real models: an index built with model A (all-MiniLM-L6-v2, quantised),
 * part of it re-embedded in place with model B (bge-small-en-v1.5, quantised, the same dimension), then rebuilt
 * from the pinned version A. Each test starts from its own copy of the mixed index, in a schema of its own, and
 * brings it to the state it needs ({@link #mixed()}, {@link #rolledBack()}); the models and the mixed vectors are
 * computed once.
 */
class MixedModelRollbackTest {
  static final int DOCUMENTS = 300;
  static final int REEMBEDDED = 120;
  static final String[] QUERIES = {"a fox hunting a rabbit", "trains connecting capitals", "repairing a bicycle chain",
      "financial markets falling", "baking bread before sunrise", "a telescope pointed at galaxies",
      "musicians playing classical pieces", "fishing boats lost at sea", "a vaccine study with volunteers",
      "solar energy for the house"};

  @TempDir static Path warehouse;
  static DataSource db;
  static Table table;
  static IcebergDocumentSource source;
  static Embedder modelA;
  static Embedder modelB;
  static EmbeddingVersion a;
  static EmbeddingVersion b;
  /** The mixed index made with plain SQL, never changed: each test works on a copy. */
  static String template;

  String schema;
  Registry.Snapshot registry;

  @BeforeAll
  static void mixedIndexMadeWithPlainSql() {
    db = VectorDb.dataSource();
    template = VectorDb.freshSchema("mixed_template");
    table = Documents.create(VectorDb.catalog(warehouse), "kb.articles", DOCUMENTS, 3, 11);
    source = IcebergDocumentSource.of(table, null, "id", "text");
    modelA = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(VectorDb.executor());
    modelB = BuiltInModel.BGE_SMALL_EN_V15_Q.embedder(VectorDb.executor());
    a = modelA.version();
    b = modelB.version();
    Legacy.create(template, "docs", source, modelA);
    List<Document> part = new ArrayList<>();
    try (DocumentCursor all = source.open(0)) {
      all.forEachRemaining(d -> {
        if ((Long) d.id() % 5 < 2) {
          part.add(d);
        }
      });
    }
    assertThat(part).hasSize(REEMBEDDED);
    Legacy.reembed(template, "docs", part, modelB);
  }

  @BeforeEach
  void rememberTheRegistry() {
    registry = Registry.snapshot(db);
  }

  @AfterEach
  void restoreTheRegistry() {
    registry.restore();
  }

  /**
   * A schema of this test's own holding the mixed index {@code docs}, with both versions known to the suite and
   * active, as they would be after their deploys.
   */
  private void mixed() {
    schema = VectorDb.freshSchema("mixed");
    VectorDb.execute("CREATE TABLE " + schema + ".docs (LIKE " + template + ".docs INCLUDING ALL)",
        "INSERT INTO " + schema + ".docs SELECT * FROM " + template + ".docs");
    Registry.deployed(db, a, b);
  }

  /** The mixed index rebuilt to A: the id of the build now served. */
  private long rolledBack() {
    mixed();
    RebuildResult result = rebuild("docs", modelA).commit();
    assertThat(result.switched().rollback()).isTrue();
    return result.build().id();
  }

  private IndexRebuild rebuild(String name, Embedder embedder) {
    return IndexRebuild.of(db)
        .index(IndexName.of(schema, name))
        .version(embedder.version())
        .vectors(VectorSource.embedding(embedder))
        .source(source)
        .batchSize(64)
        .reason("model B returned garbage; back to A")
        .actor("test");
  }

  @Test
  void thePlanSeesTheMixedIndexAndWhatTheRollbackWillQuarantine() {
    mixed();
    assertThat(VectorDb.column("SELECT embedding_version || '=' || count(*) FROM " + schema
        + ".docs GROUP BY embedding_version ORDER BY 1")).containsExactly(a.name() + "=" + (DOCUMENTS - REEMBEDDED),
        b.name() + "=" + REEMBEDDED);

    RebuildPlan plan = rebuild("docs", modelA).plan();

    assertThat(plan.serving().kind()).isEqualTo(ServingState.Kind.TABLE);
    assertThat(plan.serving().mixed()).isTrue();
    assertThat(plan.serving().versions()).containsEntry(a.name(), (long) DOCUMENTS - REEMBEDDED)
        .containsEntry(b.name(), (long) REEMBEDDED);
    assertThat(plan.documents()).isEqualTo(DOCUMENTS);
    assertThat(plan.rollback()).isTrue();
    assertThat(plan.wouldQuarantine()).containsExactly(b.name());
    assertThat(plan.noop()).isFalse();
    assertThat(VectorDb.count("SELECT count(*) FROM rollback.index_builds WHERE index_schema = '" + schema + "'"))
        .as("planning changes nothing").isZero();
  }

  @Test
  void rebuildingToAServesOnlyAVectorsForEveryDocumentWithTheAnswersOfAFreshAIndex() {
    mixed();
    RebuildResult result = rebuild("docs", modelA).commit();
    long rollbackBuild = result.build().id();

    assertThat(result.validation().passed()).as(result.validation().failures().toString()).isTrue();
    assertThat(result.validation().recall()).isGreaterThanOrEqualTo(0.9);
    assertThat(result.switched().rollback()).isTrue();
    assertThat(result.switched().quarantined()).containsExactly(b.name());
    assertThat(result.switched().legacyTable()).isNotNull();

    String docs = schema + ".docs";
    assertThat(VectorDb.column("SELECT relkind::text FROM pg_class WHERE oid = '" + docs + "'::regclass"))
        .containsExactly("v");
    assertThat(VectorDb.column("SELECT DISTINCT embedding_version FROM " + docs)).containsExactly(a.name());
    assertThat(VectorDb.column("SELECT DISTINCT build_id::text FROM " + docs))
        .containsExactly(Long.toString(rollbackBuild));
    assertThat(VectorDb.count("SELECT count(*) FROM " + docs)).isEqualTo(DOCUMENTS);
    assertThat(VectorDb.count("SELECT count(DISTINCT doc_id) FROM " + docs)).isEqualTo(DOCUMENTS);
    assertThat(VectorDb.count("SELECT count(*) FROM " + docs + " WHERE source_snapshot = "
        + table.currentSnapshot().snapshotId())).isEqualTo(DOCUMENTS);
    // the content hash is the SHA-256 of the embedded text: checked by PostgreSQL against the legacy titles' source
    assertThat(VectorDb.count("SELECT count(*) FROM " + docs + " WHERE content_hash !~ '^[0-9a-f]{64}$'")).isZero();

    // a fresh index made from A alone, under another name
    RebuildResult fresh = rebuild("docs_fresh", modelA).createIfMissing(true).commit();
    assertThat(fresh.switched().rollback()).isFalse();
    String freshDocs = schema + ".docs_fresh";
    assertThat(VectorDb.count("SELECT count(*) FROM " + docs + " d JOIN " + freshDocs
        + " f USING (doc_id) WHERE d.embedding = f.embedding")).as("identical vectors").isEqualTo(DOCUMENTS);

    List<float[]> queries = modelA.embed(List.of(QUERIES));
    String legacyTable = schema + "." + result.switched().legacyTable();
    int differedBefore = 0;
    for (float[] q : queries) {
      List<Long> rebuilt = Legacy.nearest(docs, q, 10, false);
      assertThat(rebuilt).hasSize(10);
      assertThat(rebuilt).isEqualTo(Legacy.nearest(freshDocs, q, 10, false));
      assertThat(Legacy.nearest(docs, q, 10, true)).isEqualTo(Legacy.nearest(freshDocs, q, 10, true));
      if (!Legacy.nearest(legacyTable, q, 10, true).equals(rebuilt)) {
        differedBefore++;
      }
    }
    // the mixed index really was broken: its answers differed from A's for most queries
    assertThat(differedBefore).isGreaterThan(QUERIES.length / 2);
    // queries through the serving view can use the build's HNSW index (the table is small: seq scans are off)
    assertThat(VectorDb.plan("SELECT doc_id FROM " + docs
        + " ORDER BY embedding <=> (SELECT embedding FROM " + docs + " LIMIT 1) LIMIT 5"))
        .contains(IndexName.of(schema, "docs").buildTable(rollbackBuild) + "_ann");
  }

  @Test
  void versionBIsQuarantinedAndARebuildToItIsRefusedUntilOverridden() throws Exception {
    long rollbackBuild = rolledBack();
    try (var c = db.getConnection()) {
      RegisteredVersion quarantined = EmbeddingRegistry.find(c, b.name()).orElseThrow();
      assertThat(quarantined.status()).isEqualTo(RegisteredVersion.QUARANTINED);
      assertThat(quarantined.statusReason()).contains("model B returned garbage");
      assertThat(quarantined.statusChangedAt()).isNotNull();
      assertThat(quarantined.quarantinedByBuild()).isEqualTo(rollbackBuild);
      assertThat(EmbeddingRegistry.find(c, a.name()).orElseThrow().status()).isEqualTo(RegisteredVersion.ACTIVE);
    }
    long builds = VectorDb.count("SELECT count(*) FROM rollback.index_builds");

    assertThatThrownBy(() -> rebuild("docs", modelB).plan())
        .isInstanceOf(QuarantinedVersionException.class)
        .hasMessageContaining("'" + b.name() + "' is quarantined")
        .hasMessageContaining("--override-quarantine");
    assertThat(VectorDb.count("SELECT count(*) FROM rollback.index_builds")).isEqualTo(builds);
    assertThat(VectorDb.column("SELECT DISTINCT embedding_version FROM " + schema + ".docs")).containsExactly(a.name());

    RebuildPlan overridden = rebuild("docs", modelB).overrideQuarantine(true).plan();
    assertThat(overridden.versionStatus()).isEqualTo(RegisteredVersion.QUARANTINED);
  }

  @Test
  void aSecondIdenticalRebuildIsANoop() {
    long rollbackBuild = rolledBack();
    RebuildResult again = rebuild("docs", modelA).commit();
    assertThat(again.plan().noop()).isTrue();
    assertThat(again.changed()).isFalse();
    assertThat(VectorDb.column("SELECT DISTINCT build_id::text FROM " + schema + ".docs"))
        .containsExactly(Long.toString(rollbackBuild));
  }

  @Test
  void switchBackReturnsToTheMixedTableInstantlyAndLiftsTheQuarantineItSet() throws Exception {
    long rollbackBuild = rolledBack();
    SwitchBack back = SwitchBack.of(db).index(IndexName.of(schema, "docs")).reason("undo for the test").actor("test");
    SwitchBack.Plan plan = back.plan();
    assertThat(plan.target().legacy()).isTrue();
    assertThat(plan.liftQuarantine()).containsExactly(b.name());

    SwitchResult result = back.commit();

    assertThat(result.replacedBuildId()).isEqualTo(rollbackBuild);
    assertThat(VectorDb.column("SELECT embedding_version || '=' || count(*) FROM " + schema
        + ".docs GROUP BY embedding_version ORDER BY 1")).containsExactly(a.name() + "=" + (DOCUMENTS - REEMBEDDED),
        b.name() + "=" + REEMBEDDED);
    try (var c = db.getConnection()) {
      assertThat(EmbeddingRegistry.find(c, b.name()).orElseThrow().quarantined()).isFalse();
    }
    // and forward again to the rebuilt A index (it is the previous build now)
    SwitchResult forward = SwitchBack.of(db).index(IndexName.of(schema, "docs")).reason("redo").commit();
    assertThat(forward.servingBuildId()).isEqualTo(rollbackBuild);
    assertThat(VectorDb.column("SELECT DISTINCT embedding_version FROM " + schema + ".docs")).containsExactly(a.name());
  }

  @Test
  void previousBuildsAreKeptForTheCoolDownThenRetired() {
    rolledBack();
    IndexName name = IndexName.of(schema, "docs");
    List<String> previous = VectorDb.column("SELECT build_table FROM rollback.index_builds WHERE index_schema = '"
        + schema + "' AND index_name = 'docs' AND status = 'previous'");
    assertThat(previous).hasSize(1);
    assertThat(IndexRebuild.of(db).index(name).retire()).as("still cooling down").isEmpty();
    VectorDb.execute("UPDATE rollback.index_builds SET keep_until = now() - interval '1 second'"
        + " WHERE index_schema = '" + schema + "' AND status = 'previous'");

    List<IndexBuild> retired = IndexRebuild.of(db).index(name).retire();

    assertThat(retired).extracting(IndexBuild::buildTable).containsExactlyElementsOf(previous);
    assertThat(VectorDb.column("SELECT to_regclass('" + schema + "." + previous.get(0) + "')::text")).containsOnlyNulls();
    assertThat(VectorDb.count("SELECT count(*) FROM " + schema + ".docs")).isEqualTo(DOCUMENTS);
    assertThatThrownBy(() -> SwitchBack.of(db).index(name).plan())
        .hasMessageContaining("no previous build to switch back to");
    assertThat(VectorDb.column("SELECT status FROM rollback.index_builds WHERE build_table = '" + previous.get(0)
        + "' AND index_schema = '" + schema + "'")).containsExactly(IndexBuild.RETIRED);
  }
}
