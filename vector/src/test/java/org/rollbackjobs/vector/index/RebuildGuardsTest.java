package org.rollbackjobs.vector.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.embedding.Embedder;
import org.rollbackjobs.vector.embedding.VectorSource;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.VectorDb;

/** What a rebuild refuses, and what it does when a build is not good enough: the serving name never moves. */
class RebuildGuardsTest {
  @TempDir static Path warehouse;
  static DataSource db;
  static Catalog catalog;
  static Table table;
  static IcebergDocumentSource source;
  static Embedder model;

  @BeforeAll
  static void documents() {
    db = VectorDb.dataSource();
    catalog = VectorDb.catalog(warehouse);
    table = Documents.create(catalog, "guards.docs", 200, 2, 5);
    source = IcebergDocumentSource.of(table, null, "id", "text");
    model = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(VectorDb.executor());
  }

  private static IndexRebuild rebuild(String schema, String name) {
    return IndexRebuild.of(db).index(IndexName.of(schema, name)).version(model.version())
        .vectors(VectorSource.embedding(model)).source(source).reason("guards").actor("test");
  }

  private static long builds(String schema) {
    return VectorDb.count("SELECT count(*) FROM rollback.index_builds WHERE index_schema = '" + schema + "'");
  }

  private static long tables(String schema) {
    return VectorDb.count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'");
  }

  @Test
  void anUnknownIndexNeedsCreateAndNothingIsMadeWithoutIt() {
    String schema = VectorDb.freshSchema("guard");
    assertThatThrownBy(() -> rebuild(schema, "nope").commit())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("index " + schema + ".nope does not exist")
        .hasMessageContaining("--create");
    assertThat(builds(schema)).isZero();
    assertThat(tables(schema)).isZero();
  }

  @Test
  void aDimensionMismatchWithTheExistingIndexIsBadInput() {
    String schema = VectorDb.freshSchema("guard");
    VectorDb.execute("CREATE TABLE " + schema + ".small (doc_id bigint, embedding vector(8), embedding_version text)",
        "INSERT INTO " + schema + ".small VALUES (1, '[1,2,3,4,5,6,7,8]', 'tiny-model')");
    assertThatThrownBy(() -> rebuild(schema, "small").plan())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("dimension mismatch")
        .hasMessageContaining("8-dimensional")
        .hasMessageContaining("384");
    assertThat(builds(schema)).isZero();
    assertThat(tables(schema)).isEqualTo(1);
  }

  @Test
  void relationsThatCannotServeAreRefused() {
    String schema = VectorDb.freshSchema("guard");
    VectorDb.execute("CREATE TABLE " + schema + ".no_version (doc_id bigint, embedding vector(384))",
        "CREATE VIEW " + schema + ".someone_elses AS SELECT 1::bigint AS doc_id, NULL::vector(384) AS embedding,"
            + " 'x'::text AS embedding_version");
    assertThatThrownBy(() -> rebuild(schema, "no_version").plan())
        .isInstanceOf(BadInputException.class).hasMessageContaining("needs doc_id, embedding");
    assertThatThrownBy(() -> rebuild(schema, "someone_elses").plan())
        .isInstanceOf(BadInputException.class).hasMessageContaining("a view that rollback-jobs did not create");
    assertThat(builds(schema)).isZero();
  }

  @Test
  void anEmptySourceIsBadInput() {
    Table empty = Documents.create(catalog, "guards.empty", 0, 1, 1);
    String schema = VectorDb.freshSchema("guard");
    assertThatThrownBy(() -> rebuild(schema, "docs").createIfMissing(true)
        .source(IcebergDocumentSource.of(empty, null, "id", "text")).plan())
        .isInstanceOf(BadInputException.class).hasMessageContaining("holds no documents");
  }

  @Test
  void aBuildBelowTheRecallFloorFailsValidationAndTheOldBuildKeepsServing() {
    String schema = VectorDb.freshSchema("guard");
    RebuildResult first = rebuild(schema, "docs").createIfMissing(true).commit();
    long serving = first.build().id();

    // IVFFlat with 50 lists of ~4 rows, probing one list: most of the true top 10 is never looked at
    AnnSpec poor = new AnnSpec(AnnMethod.IVFFLAT, 16, 64, 50, "64MB", 0, 40, 1);
    assertThatThrownBy(() -> rebuild(schema, "docs").ann(poor).force(true).commit())
        .isInstanceOfSatisfying(ValidationFailedException.class, e -> {
          assertThat(e.report().recall()).isLessThan(0.5);
          assertThat(e.report().failures()).singleElement().asString().contains("below the floor 0.9000");
          assertThat(e.report().missingIds()).isZero();
        })
        .hasMessageContaining("the serving name was not switched");

    assertThat(VectorDb.column("SELECT DISTINCT build_id::text FROM " + schema + ".docs"))
        .containsExactly(Long.toString(serving));
    assertThat(VectorDb.column("SELECT status FROM rollback.index_builds WHERE index_schema = '" + schema
        + "' ORDER BY id")).containsExactly(IndexBuild.SERVING, IndexBuild.FAILED);

    // kept for inspection during the cool-down, then retired like a previous build
    IndexName name = IndexName.of(schema, "docs");
    assertThat(IndexRebuild.of(db).index(name).retire()).isEmpty();
    VectorDb.execute("UPDATE rollback.index_builds SET keep_until = now() - interval '1 second' WHERE index_schema = '"
        + schema + "' AND status = 'failed'");
    assertThat(IndexRebuild.of(db).index(name).retire()).extracting(IndexBuild::status).containsExactly(IndexBuild.FAILED);
    assertThat(VectorDb.count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'")).isEqualTo(1);
  }

  @Test
  void missingExtraAndDuplicateRowsAreFoundWithExamples() throws Exception {
    String schema = VectorDb.freshSchema("guard");
    IndexRebuild rebuild = rebuild(schema, "docs").createIfMissing(true).batchSize(50);
    IndexBuild build = rebuild.createBuild();
    assertThat(rebuild.load(build, 0).rows()).isEqualTo(200);
    VectorDb.execute("DELETE FROM " + build.tableSql() + " WHERE doc_id IN (3, 4, 5)",
        "INSERT INTO " + build.tableSql() + " SELECT 9999, embedding, embedding_version, source_snapshot, content_hash"
            + " FROM " + build.tableSql() + " WHERE doc_id = 1",
        "INSERT INTO " + build.tableSql() + " SELECT * FROM " + build.tableSql() + " WHERE doc_id = 7",
        "UPDATE " + build.tableSql() + " SET embedding_version = 'bge-small-en-v15-q' WHERE doc_id = 8");
    rebuild.createAnnIndex(build);

    ValidationReport report = rebuild.validate(build);

    assertThat(report.passed()).isFalse();
    assertThat(report.sourceDocuments()).isEqualTo(200);
    assertThat(report.rows()).isEqualTo(199);
    assertThat(report.missingIds()).isEqualTo(3);
    assertThat(report.missingExamples()).containsExactly("3", "4", "5");
    assertThat(report.extraIds()).isEqualTo(1);
    assertThat(report.extraExamples()).containsExactly("9999");
    assertThat(report.duplicateIds()).isEqualTo(1);
    assertThat(report.duplicateExamples()).containsExactly("7");
    assertThat(report.wrongVersion()).isEqualTo(1);
    assertThat(report.indexValid()).isTrue();
    assertThat(report.failures()).hasSize(5);
    assertThatThrownBy(() -> rebuild.switchTo(build, null)).hasMessageContaining("is failed");
    assertThat(VectorDb.column("SELECT to_regclass('" + schema + ".docs')::text")).containsOnlyNulls();
  }

  @Test
  void aSwitchBySomeoneElseDuringTheBuildIsNotOverwritten() throws Exception {
    String schema = VectorDb.freshSchema("guard");
    IndexName name = IndexName.of(schema, "docs");
    rebuild(schema, "docs").createIfMissing(true).commit();
    rebuild(schema, "docs").force(true).commit(); // now there is a previous build to switch back to
    IndexRebuild slow = rebuild(schema, "docs").force(true);
    Long plannedAgainst = slow.plan().serving().servingBuildId();
    IndexBuild build = slow.createBuild();
    slow.load(build, 0);
    slow.createAnnIndex(build);
    assertThat(slow.validate(build).passed()).isTrue();

    SwitchBack.of(db).index(name).reason("someone else").commit();
    String servingNow = VectorDb.column("SELECT DISTINCT build_id::text FROM " + name.sql()).get(0);

    assertThatThrownBy(() -> slow.switchTo(build, plannedAgainst))
        .isInstanceOf(ConcurrentChangeException.class)
        .hasMessageContaining("switched by someone else");
    assertThat(VectorDb.column("SELECT DISTINCT build_id::text FROM " + name.sql())).containsExactly(servingNow);
    try (Connection c = db.getConnection()) {
      assertThat(BuildRegistry.find(c, build.id()).orElseThrow().status()).isEqualTo(IndexBuild.VALIDATED);
    }
    assertThat(List.of(servingNow)).doesNotContain(Long.toString(build.id()));
  }
}
