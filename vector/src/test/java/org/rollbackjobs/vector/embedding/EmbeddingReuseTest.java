package org.rollbackjobs.vector.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.index.IndexRebuild;
import org.rollbackjobs.vector.index.RebuildResult;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.Registry;
import org.rollbackjobs.vector.testing.VectorDb;

/**
 * Embedding reuse with the real models: a rebuild takes the cached vector of every text it has seen with the same
 * version and embeds only the rest; the vectors it takes are bit for bit those the model computes; the other
 * built-in model, of the same dimension, never gets them. Texts come from a seed of this run, so the cache holds
 * nothing of them before.
 */
class EmbeddingReuseTest {
  static final int DOCUMENTS = 200;
  static final int ADDED = 20;

  @TempDir static Path warehouse;
  static DataSource db;
  static Embedder modelA;
  static Embedder modelB;
  static String schema;

  @BeforeAll
  static void documentsOfThisRun() {
    db = VectorDb.dataSource();
    schema = VectorDb.freshSchema("reuse");
    modelA = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(VectorDb.executor());
    modelB = BuiltInModel.BGE_SMALL_EN_V15_Q.embedder(VectorDb.executor());
    assertThat(modelB.version().dimension()).isEqualTo(modelA.version().dimension());
    Registry.deployed(db, modelA.version(), modelB.version());
  }

  /** Documents 1..count with texts of {@code seed}: tables of one seed share the texts of their common ids. */
  private static IcebergDocumentSource documents(String table, int count, long seed) {
    Table created = Documents.create(VectorDb.catalog(warehouse), "kb." + table, count, 2, seed);
    return IcebergDocumentSource.of(created, null, "id", "text");
  }

  /** A seed of this run's own: the cache holds nothing of its texts yet. */
  private static long newSeed() {
    return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2_000_000);
  }

  private static RebuildResult build(String index, IcebergDocumentSource source, Embedder model, boolean reuse) {
    return IndexRebuild.of(db)
        .index(IndexName.of(schema, index))
        .version(model.version())
        .vectors(VectorSource.embedding(model))
        .source(source)
        .createIfMissing(true)
        .batchSize(64)
        .reuse(reuse)
        .reason("reuse test")
        .actor("test")
        .commit();
  }

  @Test
  void aRebuildTakesEveryCachedVectorBitForBitAndEmbedsOnlyTheRestAndNoReuseEmbedsAll() {
    long seed = newSeed();
    IcebergDocumentSource first = documents("reuse_first", DOCUMENTS, seed);
    IcebergDocumentSource grown = documents("reuse_grown", DOCUMENTS + ADDED, seed); // 20 documents more
    RebuildResult cold = build("docs_first", first, modelA, true);
    assertThat(cold.load().reused()).isZero();
    assertThat(cold.load().computed()).isEqualTo(DOCUMENTS);

    RebuildResult warm = build("docs_grown", grown, modelA, true);
    assertThat(warm.load().rows()).isEqualTo(DOCUMENTS + ADDED);
    assertThat(warm.load().reused()).isEqualTo(DOCUMENTS);
    assertThat(warm.load().computed()).isEqualTo(ADDED);
    assertThat(warm.validation().passed()).isTrue();

    RebuildResult fresh = build("docs_fresh", grown, modelA, false);
    assertThat(fresh.load().reused()).isZero();
    assertThat(fresh.load().computed()).isEqualTo(DOCUMENTS + ADDED);

    // every row of the warm build equals the freshly embedded one exactly (vector equality is float for float)
    assertThat(sameVectors(warm.build(), fresh.build())).isEqualTo(DOCUMENTS + ADDED);
    assertThat(sameVectors(cold.build(), warm.build())).isEqualTo(DOCUMENTS);
  }

  @Test
  void vectorsOfTheOtherModelOfTheSameDimensionAreNeverTaken() {
    IcebergDocumentSource first = documents("reuse_models", DOCUMENTS, newSeed());
    build("docs_a", first, modelA, true); // A's vectors of these texts are cached (again)
    RebuildResult withB = build("docs_b", first, modelB, true);
    assertThat(withB.load().reused()).isZero();
    assertThat(withB.load().computed()).isEqualTo(DOCUMENTS);
    assertThat(VectorDb.count("SELECT count(*) FROM " + withB.build().tableSql()
        + " WHERE embedding_version <> '" + modelB.version().name() + "'")).isZero();
    RebuildResult againA = build("docs_a2", first, modelA, true);
    assertThat(againA.load().reused()).isEqualTo(DOCUMENTS);
    assertThat(sameVectors(againA.build(), withB.build())).isZero();
  }

  @Test
  void unusedVectorsExpireUnlessAManifestOrABuildStillPinsTheirVersion() throws SQLException {
    EmbeddingVersion lonely = new EmbeddingVersion("reuse-expiry-" + schema, "onnx", "test-model",
        "0".repeat(64), null, 3, Normalization.NONE, Distance.COSINE);
    try (Connection c = db.getConnection()) {
      EmbeddingRegistry.ensure(c, lonely);
    }
    VectorDb.execute("INSERT INTO rollback.embedding_cache (embedding_version, content_hash, embedding, used_at)"
        + " VALUES ('" + lonely.name() + "', 'old', '[1,2,3]', now() - interval '40 days'),"
        + " ('" + lonely.name() + "', 'recent', '[1,2,3]', now() - interval '2 days')");
    try (Connection c = db.getConnection()) {
      assertThat(EmbeddingCache.expire(c, Duration.ofDays(30), List.of(lonely.name()))).isZero();
      assertThat(EmbeddingCache.expire(c, Duration.ofDays(30), List.of())).isEqualTo(1);
      assertThat(EmbeddingCache.stats(c)).filteredOn(s -> s.version().equals(lonely.name()))
          .singleElement().satisfies(s -> assertThat(s.vectors()).isEqualTo(1));
      // a version that a build still holds is kept however old its rows are
      build("docs_kept", documents("reuse_kept", 10, newSeed()), modelA, true);
      VectorDb.execute("UPDATE rollback.embedding_cache SET used_at = now() - interval '40 days'"
          + " WHERE embedding_version = '" + modelA.version().name() + "'");
      assertThat(EmbeddingCache.expire(c, Duration.ofDays(30), List.of())).isZero();
    }
  }

  private static long sameVectors(IndexBuild x, IndexBuild y) {
    return VectorDb.count("SELECT count(*) FROM " + x.tableSql() + " x JOIN " + y.tableSql()
        + " y ON x.doc_id = y.doc_id AND x.content_hash = y.content_hash AND x.embedding = y.embedding");
  }
}
